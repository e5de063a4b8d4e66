import type { RenderedVerdict } from '../domain/messages.js';
import type { SecretKind } from '../domain/redaction.js';
import type { Ticket, TicketCategory, TicketPriority, TicketState } from '../domain/tickets.js';

/** A reply is shown to the holder; a note is for agents only. */
export type TicketMessageKind = 'reply' | 'note';

/** One message of a ticket, as stored: its body already redacted. */
export interface TicketMessage {
  id: string;
  ticketId: string;
  kind: TicketMessageKind;
  author: { kind: 'holder' | 'agent' | 'system'; id: string };
  /** Redacted before it was stored: the original never reached the database. */
  body: string;
  /** The kinds of secrets replaced in it (never the secrets). */
  redacted: SecretKind[];
  /** Why the message looks like a phishing lure (agents only). */
  phishing: string[];
  createdAt: Date;
}

/** A ticket as stored: the domain value plus what is kept beside it. */
export interface StoredTicket {
  ticket: Ticket;
  /** The agents' verdict when the ticket was opened from a blocker; render it for the holder. */
  verdict: RenderedVerdict | null;
}

export interface TicketFilter {
  accountId?: string;
  state?: TicketState | 'active';
  assignee?: string;
  category?: TicketCategory;
  priority?: TicketPriority;
  limit: number;
}

/** Support tickets and their messages. Writes take effect with the unit of work they were handed in. */
export interface TicketRepository {
  /** Stores a new ticket, with its snapshot verdict and when the worker must first look at it. */
  insert(
    ticket: Ticket,
    extra: { verdict: RenderedVerdict | null; nextSlaAt: number | null },
  ): Promise<void>;
  /**
   * Stores a moved ticket only if nobody moved it since it was read (`version` guard);
   * returns whether this write won.
   */
  save(
    next: Ticket,
    previousVersion: number,
    extra: { nextSlaAt: number | null },
  ): Promise<boolean>;
  get(ticketId: string): Promise<StoredTicket | null>;
  /** Newest first. */
  list(filter: TicketFilter): Promise<StoredTicket[]>;
  /** Tickets whose SLA timer is due by `now` (epoch ms), oldest first. */
  slaDue(now: number, limit: number): Promise<StoredTicket[]>;
  /** Adds a message (already redacted) to its ticket. */
  addMessage(message: TicketMessage): Promise<void>;
  /** Every message, notes included, oldest first: for agents. */
  messages(ticketId: string): Promise<TicketMessage[]>;
  /**
   * The messages the holder may see, oldest first: replies only, never an internal note.
   * Every holder-facing view (API, CLI, notifications) reads through this one method.
   */
  holderMessages(ticketId: string): Promise<TicketMessage[]>;
  /**
   * Deletes the account's tickets and every message of them (erasure of the
   * `communications` class, after the account's data key is destroyed). Returns how many
   * tickets went.
   */
  eraseAccount(accountId: string): Promise<number>;
}

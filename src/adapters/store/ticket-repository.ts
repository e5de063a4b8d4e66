import type { Selectable } from 'kysely';
import type { RenderedVerdict } from '../../domain/messages.js';
import type { SecretKind } from '../../domain/redaction.js';
import type {
  SlaSignal,
  Ticket,
  TicketCategory,
  TicketPriority,
  TicketState,
} from '../../domain/tickets.js';
import type {
  StoredTicket,
  TicketFilter,
  TicketMessage,
  TicketMessageKind,
  TicketRepository,
} from '../../ports/tickets.js';
import type { PersonalDataRepository } from '../../ports/personal-data.js';
import type { Db } from './database.js';
import { ERASED_TEXT } from './mailbox-repository.js';
import type { TicketMessageTable, TicketTable } from './ticket.table.js';

/*
 * All SQL of support tickets. Rows become domain values here, at the edge. What the holder
 * or an agent wrote (subjects, message bodies) and the verdict snapshot (the account's
 * balances, apps and counterparties in words) are personal data: they are sealed under the
 * account's data key on the way in and opened on the way out (retention.md), in the unit
 * of work the repository is bound to.
 */

const instant = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));
const ms = (date: Date | null) => (date === null ? null : date.getTime());

// Only this module writes these JSON columns, always from the types they are read back as.
async function toStored(
  row: Selectable<TicketTable>,
  personal: PersonalDataRepository,
): Promise<StoredTicket> {
  const verdict = row.verdict === null ? null : await personal.open(row.account_id, row.verdict);
  return {
    ticket: {
      id: row.id,
      accountId: row.account_id,
      subject: (await personal.open(row.account_id, row.subject)) ?? ERASED_TEXT,
      category: row.category as TicketCategory,
      priority: row.priority as TicketPriority,
      state: row.state as TicketState,
      assignee: row.assignee,
      closureId: row.closure_id,
      blockerCode: row.blocker_code,
      createdAt: new Date(Number(row.created_at)),
      updatedAt: new Date(Number(row.updated_at)),
      firstRespondedAt: instant(row.first_responded_at),
      resolvedAt: instant(row.resolved_at),
      closedAt: instant(row.closed_at),
      pausedMs: Number(row.paused_ms),
      pausedSince: instant(row.paused_since),
      slaSignals: JSON.parse(row.sla_signals) as SlaSignal[],
      version: Number(row.version),
    },
    // A shredded key leaves no verdict to show (the rows go in the same transaction anyway).
    verdict: verdict === null ? null : (JSON.parse(verdict) as RenderedVerdict),
  };
}

function toMessage(
  row: Selectable<TicketMessageTable> & { account_id: string },
  body: string | null,
): TicketMessage {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    kind: row.kind as TicketMessageKind,
    author: { kind: row.author_kind as TicketMessage['author']['kind'], id: row.author_id },
    body: body ?? ERASED_TEXT,
    redacted: JSON.parse(row.redacted) as SecretKind[],
    phishing: JSON.parse(row.phishing) as string[],
    createdAt: new Date(Number(row.created_at)),
  };
}

function columns(ticket: Ticket, sealedSubject: string) {
  return {
    subject: sealedSubject,
    category: ticket.category,
    priority: ticket.priority,
    state: ticket.state,
    assignee: ticket.assignee,
    closure_id: ticket.closureId,
    blocker_code: ticket.blockerCode,
    updated_at: ticket.updatedAt.getTime(),
    first_responded_at: ms(ticket.firstRespondedAt),
    resolved_at: ms(ticket.resolvedAt),
    closed_at: ms(ticket.closedAt),
    paused_ms: ticket.pausedMs,
    paused_since: ms(ticket.pausedSince),
    sla_signals: JSON.stringify(ticket.slaSignals),
    version: ticket.version,
  };
}

/** The tickets, bound to `db` (the pool or one transaction). */
export class KyselyTicketRepository implements TicketRepository {
  constructor(
    private readonly db: Db,
    private readonly personal: PersonalDataRepository,
  ) {}

  private seal(accountId: string, plaintext: string): Promise<string> {
    return this.personal.seal(accountId, plaintext);
  }

  private async stored(rows: Selectable<TicketTable>[]): Promise<StoredTicket[]> {
    const tickets: StoredTicket[] = [];
    for (const row of rows) tickets.push(await toStored(row, this.personal));
    return tickets;
  }

  /** Messages joined to their ticket's account (the data key's subject), opened. */
  private async openMessages(ticketId: string, kinds: TicketMessageKind[]) {
    const rows = await this.db
      .selectFrom('ticket_messages')
      .innerJoin('tickets', 'tickets.id', 'ticket_messages.ticket_id')
      .selectAll('ticket_messages')
      .select('tickets.account_id')
      .where('ticket_messages.ticket_id', '=', ticketId)
      .where('ticket_messages.kind', 'in', kinds)
      .orderBy('ticket_messages.seq')
      .execute();
    const messages: TicketMessage[] = [];
    for (const row of rows)
      messages.push(toMessage(row, await this.personal.open(row.account_id, row.body)));
    return messages;
  }

  async insert(
    ticket: Ticket,
    extra: { verdict: RenderedVerdict | null; nextSlaAt: number | null },
  ): Promise<void> {
    await this.db
      .insertInto('tickets')
      .values({
        id: ticket.id,
        account_id: ticket.accountId,
        created_at: ticket.createdAt.getTime(),
        ...columns(ticket, await this.seal(ticket.accountId, ticket.subject)),
        verdict:
          extra.verdict === null
            ? null
            : await this.seal(ticket.accountId, JSON.stringify(extra.verdict)),
        next_sla_at: extra.nextSlaAt,
      })
      .execute();
  }

  async save(
    next: Ticket,
    previousVersion: number,
    extra: { nextSlaAt: number | null },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('tickets')
      .set({
        ...columns(next, await this.seal(next.accountId, next.subject)),
        next_sla_at: extra.nextSlaAt,
      })
      .where('id', '=', next.id)
      .where('version', '=', previousVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async get(ticketId: string): Promise<StoredTicket | null> {
    const row = await this.db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', ticketId)
      .executeTakeFirst();
    return row ? toStored(row, this.personal) : null;
  }

  async list(filter: TicketFilter): Promise<StoredTicket[]> {
    let query = this.db
      .selectFrom('tickets')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
    if (filter.state === 'active') query = query.where('state', 'not in', ['resolved', 'closed']);
    else if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
    if (filter.category) query = query.where('category', '=', filter.category);
    if (filter.priority) query = query.where('priority', '=', filter.priority);
    return this.stored(await query.execute());
  }

  async slaDue(now: number, limit: number): Promise<StoredTicket[]> {
    const rows = await this.db
      .selectFrom('tickets')
      .selectAll()
      .where('next_sla_at', '<=', now)
      .orderBy('next_sla_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return this.stored(rows);
  }

  async addMessage(message: TicketMessage): Promise<void> {
    const ticket = await this.db
      .selectFrom('tickets')
      .select('account_id')
      .where('id', '=', message.ticketId)
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto('ticket_messages')
      .values({
        id: message.id,
        ticket_id: message.ticketId,
        kind: message.kind,
        author_kind: message.author.kind,
        author_id: message.author.id,
        body: await this.seal(ticket.account_id, message.body),
        redacted: JSON.stringify(message.redacted),
        phishing: JSON.stringify(message.phishing),
        created_at: message.createdAt.getTime(),
      })
      .execute();
  }

  async messages(ticketId: string): Promise<TicketMessage[]> {
    return this.openMessages(ticketId, ['reply', 'note']);
  }

  /*
   * The one place the holder's views read messages from: replies only, and without the
   * phishing flags (agents' notes on what the holder forwarded). An internal note never
   * leaves this method.
   */
  async holderMessages(ticketId: string): Promise<TicketMessage[]> {
    return (await this.openMessages(ticketId, ['reply'])).map((m) => ({ ...m, phishing: [] }));
  }

  async eraseAccount(accountId: string): Promise<number> {
    const tickets = this.db.selectFrom('tickets').select('id').where('account_id', '=', accountId);
    await this.db.deleteFrom('ticket_messages').where('ticket_id', 'in', tickets).execute();
    const result = await this.db
      .deleteFrom('tickets')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

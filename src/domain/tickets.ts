/*
 * Support tickets (docs/support.md): their states, the pure `transition` between them, and
 * the SLA clock. Pure: the instant is always an argument, refusals are values.
 *
 * The SLA clock runs from the ticket's creation and stops while the ticket waits for the
 * holder (`pending_holder`): the time spent there is added to both targets, so a holder
 * who answers a week later does not make support late.
 */
import type { SecretKind } from './redaction.js';

export const TICKET_STATES = [
  'new',
  'open',
  'pending_holder',
  'pending_internal',
  'resolved',
  'closed',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export const TICKET_CATEGORIES = [
  'closure_blocked',
  'dispute',
  'hold_review',
  'expedite_request',
  'disable_help',
  'other',
] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** The two SLA targets a ticket is measured against. */
export type SlaTargetName = 'first_response' | 'resolution';
/** About to breach (`warning`), then breached: each is signalled once per target. */
export type SlaSignalKind = 'warning' | 'breached';
export type SlaSignal = `${SlaTargetName}:${SlaSignalKind}`;

export interface SlaTarget {
  readonly firstResponseMs: number;
  readonly resolutionMs: number;
}

/** The support section of the policy (docs/policy.md). */
export interface SupportRules {
  /** Targets per category, then priority. */
  readonly sla: Readonly<Record<TicketCategory, Readonly<Record<TicketPriority, SlaTarget>>>>;
  /** How long before a target a ticket counts as about to breach. */
  readonly warnBeforeMs: number;
  /** How long after resolution a holder's reply reopens the ticket; after it the ticket closes. */
  readonly reopenWindowMs: number;
  /** The platform's own domains: links to look-alikes of them are flagged as phishing. */
  readonly platformDomains: readonly string[];
}

export interface Ticket {
  id: string;
  accountId: string;
  subject: string;
  category: TicketCategory;
  priority: TicketPriority;
  state: TicketState;
  assignee: string | null;
  /** The closure an agent linked (an escalated one, decided from the ticket). */
  closureId: string | null;
  /** The blocker the holder opened the ticket from, if any. */
  blockerCode: string | null;
  createdAt: Date;
  updatedAt: Date;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** Time spent waiting for the holder, before the current wait. */
  pausedMs: number;
  /** While pending_holder: since when. */
  pausedSince: Date | null;
  /** SLA signals already sent, so each goes out once. */
  slaSignals: SlaSignal[];
  version: number;
}

export type TicketEvent =
  /** A reply from the holder: reopens a resolved ticket within the window. */
  | { type: 'holder_reply' }
  /** A reply from an agent: the first counts as the first response; the ticket waits for the holder. */
  | { type: 'agent_reply' }
  /** An agent's internal note: moves nothing. */
  | { type: 'note' }
  | { type: 'assign'; agentId: string }
  | { type: 'set_priority'; priority: TicketPriority }
  /** Support waits for another team. */
  | { type: 'pend_internal' }
  | { type: 'link_closure'; closureId: string }
  | { type: 'resolve' }
  /** The reopen window passed (the worker), or an agent closes a resolved ticket. */
  | { type: 'close' };

export type TicketRefusalCode = 'ticket_closed' | 'not_resolved' | 'already_resolved';

export type TicketTransition =
  | { ok: true; ticket: Ticket; reopened: boolean }
  | { ok: false; code: TicketRefusalCode; message: string };

function refuse(code: TicketRefusalCode, message: string): TicketTransition {
  return { ok: false, code, message };
}

/** A ticket the holder (or an agent for them) just opened. */
export function openTicket(input: {
  id: string;
  accountId: string;
  subject: string;
  category: TicketCategory;
  priority: TicketPriority;
  blockerCode: string | null;
  now: Date;
}): Ticket {
  return {
    id: input.id,
    accountId: input.accountId,
    subject: input.subject,
    category: input.category,
    priority: input.priority,
    state: 'new',
    assignee: null,
    closureId: null,
    blockerCode: input.blockerCode,
    createdAt: input.now,
    updatedAt: input.now,
    firstRespondedAt: null,
    resolvedAt: null,
    closedAt: null,
    pausedMs: 0,
    pausedSince: null,
    slaSignals: [],
    version: 1,
  };
}

/** Moves into `state`, stopping or restarting the SLA clock as the holder's turn starts or ends. */
function moveTo(ticket: Ticket, state: TicketState, now: Date): Ticket {
  let { pausedMs, pausedSince } = ticket;
  if (ticket.state === 'pending_holder' && state !== 'pending_holder' && pausedSince) {
    pausedMs += Math.max(0, now.getTime() - pausedSince.getTime());
    pausedSince = null;
  }
  if (state === 'pending_holder' && ticket.state !== 'pending_holder') pausedSince = now;
  return { ...ticket, state, pausedMs, pausedSince };
}

/** The next ticket after `event` at `now`, or why it is refused. Pure. */
export function transition(
  ticket: Ticket,
  event: TicketEvent,
  now: Date,
  rules: Pick<SupportRules, 'reopenWindowMs'>,
): TicketTransition {
  const next = (t: Ticket, reopened = false): TicketTransition => ({
    ok: true,
    ticket: { ...t, updatedAt: now, version: ticket.version + 1 },
    reopened,
  });
  if (ticket.state === 'closed')
    return refuse('ticket_closed', `ticket ${ticket.id} is closed; open a new ticket`);
  switch (event.type) {
    case 'holder_reply': {
      if (ticket.state === 'resolved') {
        const resolvedAt = ticket.resolvedAt?.getTime() ?? now.getTime();
        if (now.getTime() - resolvedAt > rules.reopenWindowMs)
          return refuse('ticket_closed', `ticket ${ticket.id} is closed; open a new ticket`);
        return next({ ...moveTo(ticket, 'open', now), resolvedAt: null }, true);
      }
      return next(ticket.state === 'new' ? ticket : moveTo(ticket, 'open', now));
    }
    case 'agent_reply':
      if (ticket.state === 'resolved')
        return next({ ...ticket, firstRespondedAt: ticket.firstRespondedAt ?? now });
      return next({
        ...moveTo(ticket, 'pending_holder', now),
        firstRespondedAt: ticket.firstRespondedAt ?? now,
      });
    case 'note':
      return next(ticket);
    case 'assign':
      return next({
        ...(ticket.state === 'new' ? moveTo(ticket, 'open', now) : ticket),
        assignee: event.agentId,
      });
    case 'set_priority':
      return next({ ...ticket, priority: event.priority });
    case 'pend_internal':
      if (ticket.state === 'resolved')
        return refuse('already_resolved', `ticket ${ticket.id} is resolved`);
      return next(moveTo(ticket, 'pending_internal', now));
    case 'link_closure':
      return next({ ...ticket, closureId: event.closureId });
    case 'resolve':
      if (ticket.state === 'resolved')
        return refuse('already_resolved', `ticket ${ticket.id} is resolved already`);
      return next({ ...moveTo(ticket, 'resolved', now), resolvedAt: now });
    case 'close':
      if (ticket.state !== 'resolved')
        return refuse('not_resolved', `ticket ${ticket.id} is ${ticket.state}; resolve it first`);
      return next({ ...ticket, state: 'closed', closedAt: now });
  }
}

// ---------------------------------------------------------------------------------------------
// The SLA clock

export type SlaStatus = 'met' | 'ok' | 'warning' | 'breached' | 'paused';

export interface SlaReading {
  target: SlaTargetName;
  /** The instant the target falls due, the holder's waits added; moving while paused. */
  dueAt: Date;
  status: SlaStatus;
}

export interface TicketSla {
  firstResponse: SlaReading;
  resolution: SlaReading;
  paused: boolean;
}

export function slaTarget(rules: SupportRules, ticket: Pick<Ticket, 'category' | 'priority'>) {
  return rules.sla[ticket.category][ticket.priority];
}

/** Time the ticket has waited for the holder, up to `now`. */
export function pausedFor(ticket: Ticket, now: Date): number {
  const current = ticket.pausedSince
    ? Math.max(0, now.getTime() - ticket.pausedSince.getTime())
    : 0;
  return ticket.pausedMs + current;
}

function reading(
  ticket: Ticket,
  target: SlaTargetName,
  targetMs: number,
  metAt: Date | null,
  now: Date,
  warnBeforeMs: number,
): SlaReading {
  const dueAt = new Date(ticket.createdAt.getTime() + targetMs + pausedFor(ticket, metAt ?? now));
  let status: SlaStatus;
  if (metAt) status = metAt.getTime() <= dueAt.getTime() ? 'met' : 'breached';
  else if (ticket.pausedSince) status = 'paused';
  else if (now.getTime() >= dueAt.getTime()) status = 'breached';
  else if (now.getTime() >= dueAt.getTime() - warnBeforeMs) status = 'warning';
  else status = 'ok';
  return { target, dueAt, status };
}

/** Where the ticket stands against both targets at `now`. */
export function readSla(ticket: Ticket, rules: SupportRules, now: Date): TicketSla {
  const target = slaTarget(rules, ticket);
  // A resolved ticket has responded, whether or not an agent wrote a reply.
  const responded = ticket.firstRespondedAt ?? ticket.resolvedAt ?? ticket.closedAt;
  const resolved = ticket.resolvedAt ?? ticket.closedAt;
  return {
    firstResponse: reading(
      ticket,
      'first_response',
      target.firstResponseMs,
      responded,
      now,
      rules.warnBeforeMs,
    ),
    resolution: reading(
      ticket,
      'resolution',
      target.resolutionMs,
      resolved,
      now,
      rules.warnBeforeMs,
    ),
    paused: ticket.pausedSince !== null,
  };
}

/** Whether the ticket is breaching or about to: what `tickets --breaching` lists. */
export function isBreaching(ticket: Ticket, rules: SupportRules, now: Date): boolean {
  const sla = readSla(ticket, rules, now);
  return [sla.firstResponse, sla.resolution].some(
    (r) => r.status === 'warning' || r.status === 'breached',
  );
}

/** The signals due at `now` that were not sent yet, in the order they fell due. */
export function dueSignals(ticket: Ticket, rules: SupportRules, now: Date): SlaSignal[] {
  if (ticket.state === 'resolved' || ticket.state === 'closed') return [];
  const sla = readSla(ticket, rules, now);
  const due: SlaSignal[] = [];
  for (const r of [sla.firstResponse, sla.resolution]) {
    if (r.status === 'warning') due.push(`${r.target}:warning`);
    if (r.status === 'breached') due.push(`${r.target}:warning`, `${r.target}:breached`);
  }
  return due.filter((s) => !ticket.slaSignals.includes(s));
}

/**
 * When the worker must look at the ticket next (epoch ms), or null when no timer runs:
 * resolved, closed, waiting for the holder (the clock stands still; the holder's reply
 * restarts it), or every signal sent. The worker sweeps tickets whose instant has come.
 */
export function nextSlaWake(ticket: Ticket, rules: SupportRules, now: Date): number | null {
  if (ticket.state === 'resolved') {
    // The worker closes a resolved ticket when its reopen window ends.
    return (ticket.resolvedAt ?? now).getTime() + rules.reopenWindowMs;
  }
  if (ticket.state === 'closed' || ticket.pausedSince) return null;
  const sla = readSla(ticket, rules, now);
  const instants: number[] = [];
  for (const r of [sla.firstResponse, sla.resolution]) {
    if (r.status === 'met') continue;
    const warnAt = r.dueAt.getTime() - rules.warnBeforeMs;
    if (!ticket.slaSignals.includes(`${r.target}:warning`)) instants.push(warnAt);
    if (!ticket.slaSignals.includes(`${r.target}:breached`)) instants.push(r.dueAt.getTime());
  }
  return instants.length === 0 ? null : Math.min(...instants);
}

/** Which category a blocker's ticket belongs to. */
export function categoryForBlocker(code: string): TicketCategory {
  if (code === 'open_dispute') return 'dispute';
  if (code === 'account_hold') return 'hold_review';
  return 'closure_blocked';
}

const SECRET_NAMES: Readonly<Record<SecretKind, string>> = {
  seed_phrase: 'a seed phrase',
  private_key: 'a private key',
  card_number: 'a card number',
  api_secret: 'an API secret',
  one_time_code: 'a one-time code',
  password: 'a password',
};

/**
 * What the holder is told at once when a message of theirs held secrets: what was taken
 * out (never the secret), and what to do if it was shared anywhere else.
 */
export function redactionWarning(kinds: readonly SecretKind[]): string | null {
  const unique = [...new Set(kinds)];
  if (unique.length === 0) return null;
  const names = unique.map((k) => SECRET_NAMES[k]);
  const listed =
    names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `We removed ${listed} from your message before storing it; nobody, support included, can read it. Support never asks for these. If you shared it anywhere else, treat it as stolen: move your funds to a new wallet, or change the password or card, now.`;
}

/** Messages are capped: the scanner's cost grows with the length (docs/redaction.md). */
export const MAX_MESSAGE_CHARS = 8000;

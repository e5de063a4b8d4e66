import { createHash, randomUUID } from 'node:crypto';
import type { Closure } from '../domain/closure.js';
import { raise } from '../domain/errors.js';
import type { RenderedVerdict } from '../domain/messages.js';
import type { Finding, SecretKind } from '../domain/redaction.js';
import { checkAgentReply, phishingSignals } from '../domain/support-safety.js';
import {
  MAX_MESSAGE_CHARS,
  categoryForBlocker,
  dueSignals,
  isBreaching,
  nextSlaWake,
  openTicket,
  readSla,
  redactionWarning,
  transition,
} from '../domain/tickets.js';
import type {
  SupportRules,
  Ticket,
  TicketCategory,
  TicketEvent,
  TicketPriority,
  TicketSla,
  TicketState,
} from '../domain/tickets.js';
import type { HolderContact } from '../ports/platform.js';
import type { StoredTicket, TicketMessage, TicketMessageKind } from '../ports/tickets.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { accountPicture } from './account-picture.js';
import { rejectClosure, requestClosureApproval } from './agent-decisions.js';
import type { Approval } from './agent-decisions.js';
import type { AccountPicture } from './account-picture.js';
import { checkEligibility } from './check-eligibility.js';
import type { EligibilityRules } from './check-eligibility.js';
import type { Actor, AppContext } from './context.js';
import { notifyHolder, record } from './notifications.js';

/*
 * Support tickets (docs/support.md). Every message, the holder's and the agents', goes
 * through the redaction scanner before anything is written: the original text lives only
 * in this process's memory for the length of the call. Audit entries name tickets and
 * messages by id, never by their words: message bodies are personal data.
 */

export type { StoredTicket, TicketMessage } from '../ports/tickets.js';

/** The support rules: set once for the policy file, so every jurisdiction's are the base's. */
export function supportRules(rules: EligibilityRules): SupportRules {
  // An empty jurisdiction resolves to the file's base policy.
  return rules('').policy.support;
}

/** What the scanner took out of a message: kinds and placeholders, never the secrets. */
export interface RedactionNotice {
  redacted: { kind: SecretKind }[];
  /** Shown to the holder at once when anything was redacted. */
  warning: string | null;
}

export interface PostedMessage extends RedactionNotice {
  ticket: Ticket;
  message: TicketMessage;
}

const agent = (id: string): Actor => ({ kind: 'agent', id });

// ---------------------------------------------------------------------------------------------
// Scanning

const CODE_CANDIDATE = /(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])/g;
const CODE_LOOKBACK = 10;

/*
 * The one-time codes offboard sent this account, as far as they appear in `text`. Only
 * their hashes are stored (sha256 of closure id and code, as `requestClosure` keeps them),
 * so each six-digit token of the message is hashed against the account's recent closures:
 * an exact match is a code offboard issued, and the scanner redacts it.
 */
async function issuedCodesIn(ctx: AppContext, accountId: string, text: string): Promise<string[]> {
  const candidates = new Set([...text.matchAll(CODE_CANDIDATE)].map((m) => m[0]));
  if (candidates.size === 0) return [];
  const { closures } = await ctx.repos.closures.list({ accountId, limit: CODE_LOOKBACK });
  const hashes = closures.filter((c) => c.codeHash !== null);
  return [...candidates].filter((code) =>
    hashes.some(
      (c) => createHash('sha256').update(`${c.closure.id}:${code}`).digest('hex') === c.codeHash,
    ),
  );
}

interface Scanned extends RedactionNotice {
  text: string;
  phishing: string[];
}

function requireBody(body: string): void {
  if (body.trim() === '')
    throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', { problem: 'empty_message' });
  if (body.length > MAX_MESSAGE_CHARS)
    throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', {
      problem: 'message_too_long',
      max: MAX_MESSAGE_CHARS,
      got: body.length,
    });
}

async function scan(
  ctx: AppContext,
  accountId: string,
  body: string,
  options: { incoming: boolean; support: SupportRules },
): Promise<Scanned> {
  requireBody(body);
  const issuedCodes = await issuedCodesIn(ctx, accountId, body);
  const { text, findings } = await ctx.redactor.scan(body, { issuedCodes });
  const kinds = findings.map((f: Finding) => f.kind);
  return {
    text,
    redacted: kinds.map((kind) => ({ kind })),
    warning: redactionWarning(kinds),
    // Lures are what holders forward; the signals are read on the redacted text.
    phishing: options.incoming
      ? phishingSignals(text, { platformDomains: options.support.platformDomains }).map(
          (s) => s.reason,
        )
      : [],
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

function message(
  ticket: Ticket,
  kind: TicketMessageKind,
  author: TicketMessage['author'],
  scanned: Scanned,
  now: Date,
): TicketMessage {
  return {
    id: `msg_${randomUUID()}`,
    ticketId: ticket.id,
    kind,
    author,
    body: scanned.text,
    redacted: scanned.redacted.map((r) => r.kind),
    phishing: scanned.phishing,
    createdAt: now,
  };
}

async function findTicket(ctx: AppContext, ticketId: string, accountId?: string) {
  const stored = await ctx.repos.tickets.get(ticketId);
  // A holder asking for another account's ticket learns nothing of it.
  if (!stored || (accountId !== undefined && stored.ticket.accountId !== accountId))
    throw raise('OFFBOARD_ERR_NOT_FOUND', { record: 'ticket', id: ticketId });
  return stored;
}

/**
 * Applies `event` to the ticket and stores it (version-guarded) with `write`'s records,
 * the audit entry last, in one unit of work.
 */
async function moveTicket(
  ctx: AppContext,
  support: SupportRules,
  stored: StoredTicket,
  event: TicketEvent,
  audit: { actor: Actor; action: string; data: Record<string, unknown> },
  write?: (repos: Repositories, ticket: Ticket) => Promise<void>,
): Promise<Ticket> {
  const now = ctx.clock.now();
  const result = transition(stored.ticket, event, now, support);
  if (!result.ok)
    throw raise('OFFBOARD_ERR_INVALID_STATE', {
      reason: result.code,
      ticketId: stored.ticket.id,
      refusal: result.message,
    });
  const ticket = result.ticket;
  await ctx.unitOfWork.run(async (repos) => {
    await saveMoved(repos, support, ticket, stored.ticket.version, now);
    if (write) await write(repos, ticket);
    await record(repos, {
      actor: audit.actor,
      action: audit.action,
      accountId: ticket.accountId,
      data: {
        ticketId: ticket.id,
        from: stored.ticket.state,
        to: ticket.state,
        ...(result.reopened ? { reopened: true } : {}),
        ...audit.data,
      },
      now,
    });
  });
  return ticket;
}

async function saveMoved(
  repos: Repositories,
  support: SupportRules,
  ticket: Ticket,
  previousVersion: number,
  now: Date,
): Promise<void> {
  const saved = await repos.tickets.save(ticket, previousVersion, {
    nextSlaAt: nextSlaWake(ticket, support, now),
  });
  if (!saved)
    throw raise('OFFBOARD_ERR_INVALID_STATE', {
      reason: 'ticket_changed_meanwhile',
      ticketId: ticket.id,
    });
}

/** Tells the holder, on every channel on file, that support answered: the reply as the holder may read it. */
async function notifyReply(
  ctx: AppContext,
  repos: Repositories,
  contact: HolderContact | null,
  ticket: Ticket,
  messageId: string,
  now: Date,
): Promise<void> {
  if (!contact) return;
  // Read back through the holder's one view: a note could never be what is sent.
  const visible = (await repos.tickets.holderMessages(ticket.id)).find((m) => m.id === messageId);
  if (!visible) return;
  await notifyHolder(
    ctx,
    repos,
    contact,
    ticket.accountId,
    'ticket.reply',
    { subject: ticket.subject, reply: visible.body, state: ticket.state },
    `ticket:${messageId}`,
    now,
  );
}

// ---------------------------------------------------------------------------------------------
// The holder

export interface OpenInput {
  accountId: string;
  actor: Actor;
  body: string;
  subject?: string;
  category?: TicketCategory;
  /** Opened from this blocker of the account's verdict: the verdict is kept with the ticket. */
  blockerCode?: string;
  priority?: TicketPriority;
}

/** Opens a ticket with its first message (a reply: the holder wrote it). */
export async function openSupportTicket(
  ctx: AppContext,
  rules: EligibilityRules,
  input: OpenInput,
): Promise<PostedMessage & { verdict: RenderedVerdict | null }> {
  const support = supportRules(rules);
  requireBody(input.body);
  const now = ctx.clock.now();
  let verdict: RenderedVerdict | null = null;
  let category = input.category ?? 'other';
  let subject = input.subject;
  if (input.blockerCode !== undefined) {
    ({ verdict } = await checkEligibility(ctx, rules, input.accountId, {
      now,
      lang: 'en',
      audience: 'agent',
    }));
    const blocker = verdict.blockers.find((b) => b.code === input.blockerCode);
    if (!blocker)
      throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', {
        problem: 'not_a_blocker',
        accountId: input.accountId,
        blockerCode: input.blockerCode,
        blockers: verdict.blockers.map((b) => b.code),
      });
    category = input.category ?? categoryForBlocker(blocker.code);
    subject ??= `Cannot close my account: ${blocker.code.replace(/_/g, ' ')}`;
  } else if ((await ctx.platform.facts(input.accountId)) === null) {
    throw raise('OFFBOARD_ERR_UNKNOWN_ACCOUNT', { accountId: input.accountId });
  }
  const scanned = await scan(ctx, input.accountId, input.body, { incoming: true, support });
  // A subject is a message too: it is scanned like one.
  const subjectScan = await scan(ctx, input.accountId, subject ?? 'Support request', {
    incoming: false,
    support,
  });
  const ticket = openTicket({
    id: `tkt_${randomUUID()}`,
    accountId: input.accountId,
    subject: subjectScan.text.slice(0, 200),
    category,
    priority: input.priority ?? 'normal',
    blockerCode: input.blockerCode ?? null,
    now,
  });
  const first = message(
    ticket,
    'reply',
    input.actor.kind === 'agent'
      ? { kind: 'agent', id: input.actor.id }
      : { kind: 'holder', id: input.accountId },
    scanned,
    now,
  );
  await ctx.unitOfWork.run(async (repos) => {
    await repos.tickets.insert(ticket, { verdict, nextSlaAt: nextSlaWake(ticket, support, now) });
    await repos.tickets.addMessage(first);
    await record(repos, {
      actor: input.actor,
      action: 'ticket.open',
      accountId: ticket.accountId,
      data: {
        ticketId: ticket.id,
        messageId: first.id,
        category,
        priority: ticket.priority,
        blockerCode: ticket.blockerCode,
        redacted: [...first.redacted, ...subjectScan.redacted.map((r) => r.kind)],
        phishing: first.phishing.length > 0,
      },
      now,
    });
  });
  const kinds = [...first.redacted, ...subjectScan.redacted.map((r) => r.kind)];
  return {
    ticket,
    message: first,
    verdict,
    redacted: kinds.map((kind) => ({ kind })),
    warning: redactionWarning(kinds),
  };
}

/** The holder answers on their ticket; a resolved ticket reopens within the window. */
export async function holderReply(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { accountId: string; ticketId: string; body: string },
): Promise<PostedMessage> {
  const support = supportRules(rules);
  const stored = await findTicket(ctx, input.ticketId, input.accountId);
  const scanned = await scan(ctx, input.accountId, input.body, { incoming: true, support });
  const now = ctx.clock.now();
  let posted: TicketMessage | null = null;
  const ticket = await moveTicket(
    ctx,
    support,
    stored,
    { type: 'holder_reply' },
    { actor: { kind: 'holder', id: input.accountId }, action: 'ticket.holder_reply', data: {} },
    async (repos, moved) => {
      posted = message(moved, 'reply', { kind: 'holder', id: input.accountId }, scanned, now);
      await repos.tickets.addMessage(posted);
    },
  );
  return { ticket, message: posted!, redacted: scanned.redacted, warning: scanned.warning };
}

/** What the holder sees of a ticket: replies only, the verdict in the holder's words. */
export interface HolderTicketView {
  ticket: Ticket;
  messages: TicketMessage[];
  verdict: RenderedVerdict | null;
}

export async function holderTickets(
  ctx: AppContext,
  input: { accountId: string; limit: number },
): Promise<Ticket[]> {
  return (await ctx.repos.tickets.list({ accountId: input.accountId, limit: input.limit })).map(
    (s) => s.ticket,
  );
}

export async function holderTicket(
  ctx: AppContext,
  input: { accountId: string; ticketId: string },
): Promise<HolderTicketView> {
  const stored = await findTicket(ctx, input.ticketId, input.accountId);
  return {
    ticket: stored.ticket,
    messages: await ctx.repos.tickets.holderMessages(stored.ticket.id),
    verdict: stored.verdict,
  };
}

// ---------------------------------------------------------------------------------------------
// Agents

/** Refuses a reply that asks for what support must never ask for. */
function requireSafeReply(body: string): void {
  const check = checkAgentReply(body);
  if (!check.ok)
    throw raise('OFFBOARD_ERR_UNSAFE_REPLY', { rule: check.rule, reason: check.reason });
}

/** An agent's reply: checked against support's rules, redacted, stored, and sent to the holder. */
export async function agentReply(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { ticketId: string; agentId: string; body: string },
): Promise<PostedMessage> {
  requireBody(input.body);
  requireSafeReply(input.body);
  const support = supportRules(rules);
  const stored = await findTicket(ctx, input.ticketId);
  const scanned = await scan(ctx, stored.ticket.accountId, input.body, {
    incoming: false,
    support,
  });
  const now = ctx.clock.now();
  // Read before the unit of work: on SQLite a read outside it would wait for it to end.
  const contact = await ctx.platform.contact(stored.ticket.accountId);
  let posted: TicketMessage | null = null;
  const ticket = await moveTicket(
    ctx,
    support,
    stored,
    { type: 'agent_reply' },
    { actor: agent(input.agentId), action: 'ticket.reply', data: {} },
    async (repos, moved) => {
      posted = message(moved, 'reply', { kind: 'agent', id: input.agentId }, scanned, now);
      await repos.tickets.addMessage(posted);
      await notifyReply(ctx, repos, contact, moved, posted.id, now);
    },
  );
  return { ticket, message: posted!, redacted: scanned.redacted, warning: scanned.warning };
}

/** An internal note: agents only, never shown or sent to the holder. */
export async function addNote(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { ticketId: string; agentId: string; body: string },
): Promise<PostedMessage> {
  const support = supportRules(rules);
  const stored = await findTicket(ctx, input.ticketId);
  const scanned = await scan(ctx, stored.ticket.accountId, input.body, {
    incoming: false,
    support,
  });
  const now = ctx.clock.now();
  let posted: TicketMessage | null = null;
  const ticket = await moveTicket(
    ctx,
    support,
    stored,
    { type: 'note' },
    { actor: agent(input.agentId), action: 'ticket.note', data: {} },
    async (repos, moved) => {
      posted = message(moved, 'note', { kind: 'agent', id: input.agentId }, scanned, now);
      await repos.tickets.addMessage(posted);
    },
  );
  return { ticket, message: posted!, redacted: scanned.redacted, warning: scanned.warning };
}

export async function assignTicket(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { ticketId: string; agentId: string; assignee: string; priority?: TicketPriority },
): Promise<Ticket> {
  const support = supportRules(rules);
  let stored = await findTicket(ctx, input.ticketId);
  let ticket = await moveTicket(
    ctx,
    support,
    stored,
    { type: 'assign', agentId: input.assignee },
    { actor: agent(input.agentId), action: 'ticket.assign', data: { assignee: input.assignee } },
  );
  if (input.priority && input.priority !== ticket.priority) {
    stored = { ...stored, ticket };
    ticket = await moveTicket(
      ctx,
      support,
      stored,
      { type: 'set_priority', priority: input.priority },
      {
        actor: agent(input.agentId),
        action: 'ticket.priority',
        data: { priority: input.priority },
      },
    );
  }
  return ticket;
}

/** Support waits for another team: the SLA clock keeps running (only the holder's turn stops it). */
export async function pendInternal(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { ticketId: string; agentId: string },
): Promise<Ticket> {
  const stored = await findTicket(ctx, input.ticketId);
  return moveTicket(
    ctx,
    supportRules(rules),
    stored,
    { type: 'pend_internal' },
    { actor: agent(input.agentId), action: 'ticket.pend_internal', data: {} },
  );
}

/** Resolves the ticket, with an optional closing reply to the holder (checked like any reply). */
export async function resolveTicket(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { ticketId: string; agentId: string; reply?: string },
): Promise<Ticket> {
  const support = supportRules(rules);
  if (input.reply !== undefined) {
    await agentReply(ctx, rules, {
      ticketId: input.ticketId,
      agentId: input.agentId,
      body: input.reply,
    });
  }
  const stored = await findTicket(ctx, input.ticketId);
  return moveTicket(
    ctx,
    support,
    stored,
    { type: 'resolve' },
    { actor: agent(input.agentId), action: 'ticket.resolve', data: {} },
  );
}

/** Links the ticket to the account's escalated closure, to decide it from the ticket. */
export async function linkClosure(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { ticketId: string; agentId: string },
): Promise<Ticket> {
  const support = supportRules(rules);
  const stored = await findTicket(ctx, input.ticketId);
  const accountId = stored.ticket.accountId;
  const open = await ctx.repos.closures.findOpen(accountId);
  if (!open) throw raise('OFFBOARD_ERR_NO_CLOSURE', { accountId });
  if (open.closure.state !== 'escalated')
    throw raise('OFFBOARD_ERR_CLOSURE_REFUSED', {
      accountId,
      reason: 'not_escalated',
      state: open.closure.state,
    });
  return moveTicket(
    ctx,
    support,
    stored,
    { type: 'link_closure', closureId: open.closure.id },
    {
      actor: agent(input.agentId),
      action: 'ticket.link_closure',
      data: { closureId: open.closure.id },
    },
  );
}

const OUTCOME_WORDS = {
  approved:
    'Your closure request was approved: the closure continues, and you will be told when your account is closed.',
  rejected: 'Your closure request was not approved. Reply here to learn what to do next.',
} as const;

/**
 * Posts a decided closure's outcome, as a reply, on every open ticket linked to it, in the
 * unit of work that decides the closure: the decision and the holder's answer commit
 * together. Called by the agents' decisions (agent-decisions.ts).
 */
export async function postClosureOutcome(
  ctx: AppContext,
  rules: EligibilityRules,
  repos: Repositories,
  input: {
    accountId: string;
    closureId: string;
    outcome: 'approved' | 'rejected';
    agentId: string;
    /** The holder's contact, read before the unit of work. */
    contact: HolderContact | null;
  },
): Promise<void> {
  const support = supportRules(rules);
  const now = ctx.clock.now();
  const linked = (await repos.tickets.list({ accountId: input.accountId, limit: 100 })).filter(
    (s) => s.ticket.closureId === input.closureId && s.ticket.state !== 'closed',
  );
  for (const stored of linked) {
    const result = transition(stored.ticket, { type: 'agent_reply' }, now, support);
    if (!result.ok) continue;
    await saveMoved(repos, support, result.ticket, stored.ticket.version, now);
    const posted: TicketMessage = {
      id: `msg_${randomUUID()}`,
      ticketId: stored.ticket.id,
      kind: 'reply',
      author: { kind: 'system', id: 'offboard' },
      body: OUTCOME_WORDS[input.outcome],
      redacted: [],
      phishing: [],
      createdAt: now,
    };
    await repos.tickets.addMessage(posted);
    await notifyReply(ctx, repos, input.contact, result.ticket, posted.id, now);
    await record(repos, {
      actor: agent(input.agentId),
      action: 'ticket.closure_outcome',
      accountId: input.accountId,
      data: {
        ticketId: stored.ticket.id,
        messageId: posted.id,
        closureId: input.closureId,
        outcome: input.outcome,
      },
      now,
    });
  }
}

export interface TicketRow {
  ticket: Ticket;
  sla: TicketSla;
  breaching: boolean;
}

/** The queue: tickets with where each stands against its SLA; `breaching` keeps those late or about to be. */
export async function listTickets(
  ctx: AppContext,
  rules: EligibilityRules,
  filter: {
    accountId?: string;
    state?: TicketState | 'active';
    assignee?: string;
    category?: TicketCategory;
    priority?: TicketPriority;
    breaching?: boolean;
    limit: number;
  },
): Promise<TicketRow[]> {
  const support = supportRules(rules);
  const now = ctx.clock.now();
  const { breaching, ...query } = filter;
  const stored = await ctx.repos.tickets.list(
    breaching
      ? { ...query, state: query.state ?? 'active', limit: Math.max(query.limit, 1000) }
      : query,
  );
  const rows = stored.map((s) => ({
    ticket: s.ticket,
    sla: readSla(s.ticket, support, now),
    breaching: isBreaching(s.ticket, support, now),
  }));
  return (breaching ? rows.filter((r) => r.breaching) : rows).slice(0, filter.limit);
}

/** Everything an agent reads beside a ticket: notes, phishing flags, the account picture. */
export interface AgentTicketView {
  ticket: Ticket;
  sla: TicketSla;
  messages: TicketMessage[];
  /** The agents' verdict when the ticket was opened from a blocker. */
  openedWith: RenderedVerdict | null;
  picture: AccountPicture;
}

export async function agentTicket(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { ticketId: string },
): Promise<AgentTicketView> {
  const stored = await findTicket(ctx, input.ticketId);
  const now = ctx.clock.now();
  const [messages, picture] = await Promise.all([
    ctx.repos.tickets.messages(stored.ticket.id),
    accountPicture(ctx, rules, stored.ticket.accountId, { now, lang: 'en', auditLimit: 50 }),
  ]);
  return {
    ticket: stored.ticket,
    sla: readSla(stored.ticket, supportRules(rules), now),
    messages,
    openedWith: stored.verdict,
    picture,
  };
}

// ---------------------------------------------------------------------------------------------
// The worker's SLA timers

export interface SlaOutcome {
  ticketId: string;
  signals: string[];
  closed: boolean;
}

/**
 * One sweep of the SLA timers: every ticket whose timer is due gets its warning and breach
 * events (each once: the signals sent are stored with the ticket, version-guarded, in the
 * transaction that emits them, so a worker killed at any instant sends each exactly once),
 * and a resolved ticket whose reopen window has passed is closed.
 */
export async function sweepTicketSla(
  ctx: AppContext,
  rules: EligibilityRules,
  options: { limit: number },
): Promise<SlaOutcome[]> {
  const support = supportRules(rules);
  const now = ctx.clock.now();
  const due = await ctx.repos.tickets.slaDue(now.getTime(), options.limit);
  const outcomes: SlaOutcome[] = [];
  for (const stored of due) {
    const outcome = await sweepOne(ctx, support, stored, now).catch((error: unknown) => {
      // Another worker moved the ticket meanwhile: its sweep (or the next) covers it.
      ctx.onError?.(error, `ticket ${stored.ticket.id}`);
      return null;
    });
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}

function sweepOne(
  ctx: AppContext,
  support: SupportRules,
  stored: StoredTicket,
  now: Date,
): Promise<SlaOutcome | null> {
  return ctx.unitOfWork.run(async (repos): Promise<SlaOutcome | null> => {
    const fresh = await repos.tickets.get(stored.ticket.id);
    if (!fresh) return null;
    const ticket = fresh.ticket;
    const worker: Actor = { kind: 'worker', id: 'sla' };
    if (ticket.state === 'resolved') {
      const closed = transition(ticket, { type: 'close' }, now, support);
      if (!closed.ok || nextSlaWake(ticket, support, now)! > now.getTime()) {
        await saveMoved(repos, support, ticket, ticket.version, now);
        return null;
      }
      await saveMoved(repos, support, closed.ticket, ticket.version, now);
      await record(repos, {
        actor: worker,
        action: 'ticket.close',
        accountId: ticket.accountId,
        data: { ticketId: ticket.id, from: 'resolved', to: 'closed' },
        now,
      });
      return { ticketId: ticket.id, signals: [], closed: true };
    }
    const signals = dueSignals(ticket, support, now);
    const next: Ticket = {
      ...ticket,
      slaSignals: [...ticket.slaSignals, ...signals],
      version: ticket.version + 1,
    };
    await saveMoved(repos, support, next, ticket.version, now);
    const sla = readSla(ticket, support, now);
    for (const signal of signals) {
      const [target, kind] = signal.split(':') as ['first_response' | 'resolution', string];
      const reading = target === 'first_response' ? sla.firstResponse : sla.resolution;
      await record(repos, {
        actor: worker,
        action: kind === 'breached' ? 'ticket.sla_breached' : 'ticket.sla_warning',
        event: kind === 'breached' ? 'ticket.sla_breached' : 'ticket.sla_warning',
        accountId: ticket.accountId,
        data: {
          ticketId: ticket.id,
          target,
          dueAt: reading.dueAt.toISOString(),
          category: ticket.category,
          priority: ticket.priority,
          assignee: ticket.assignee,
        },
        now,
      });
    }
    return { ticketId: ticket.id, signals, closed: false };
  });
}

/**
 * Decides the escalated closure the ticket is linked to, through the agents' decisions:
 * rejecting is one agent's call; approving asks a second agent (four eyes). The outcome
 * reaches the ticket as a reply when the decision is made (`postClosureOutcome`).
 */
export async function decideLinkedClosure(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { ticketId: string; agentId: string; decision: 'approve' | 'reject'; note: string },
): Promise<{ approval: Approval | null; closure: Closure | null }> {
  const stored = await findTicket(ctx, input.ticketId);
  const accountId = stored.ticket.accountId;
  const open = await ctx.repos.closures.findOpen(accountId);
  if (!open || stored.ticket.closureId === null || open.closure.id !== stored.ticket.closureId)
    throw raise('OFFBOARD_ERR_NO_CLOSURE', { accountId });
  if (input.decision === 'reject') {
    const closure = await rejectClosure(ctx, rules, {
      accountId,
      reason: input.note,
      agentId: input.agentId,
    });
    return { approval: null, closure };
  }
  const approval = await requestClosureApproval(ctx, {
    accountId,
    note: input.note,
    agentId: input.agentId,
  });
  return { approval, closure: null };
}

import { Type } from 'typebox';
import {
  addNote,
  agentReply,
  agentTicket,
  assignTicket,
  decideLinkedClosure,
  holderReply,
  holderTicket,
  holderTickets,
  linkClosure,
  listTickets,
  openSupportTicket,
  pendInternal,
  resolveTicket,
} from '../../../app/tickets.js';
import type { PostedMessage, TicketMessage } from '../../../app/tickets.js';
import { BLOCKER_CODES } from '../../../domain/eligibility.js';
import { holderVerdict } from '../../../domain/messages.js';
import { PLACEHOLDERS } from '../../../domain/redaction.js';
import type { SecretKind } from '../../../domain/redaction.js';
import {
  MAX_MESSAGE_CHARS,
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  TICKET_STATES,
} from '../../../domain/tickets.js';
import type { Ticket, TicketSla } from '../../../domain/tickets.js';
import type { App, Services } from '../app.js';
import { agentOf, callerFor } from '../auth.js';
import {
  Approval,
  AuditEntry,
  Closed,
  Closure,
  EmptyBody,
  Facts,
  Reason,
  StringEnum,
  Verdict,
  errors,
} from '../schemas.js';
import { approvalView, auditView, closureView, factsView } from '../views.js';

const HOLDER = { access: { holder: true } } as const;
const ANY_AGENT = { access: { roles: ['support', 'compliance', 'admin'] } } as const;
// Deciding a closure has consequences for the holder: the same roles as the closure routes.
const COMPLIANCE = { access: { roles: ['compliance', 'admin'] } } as const;

const Instant = Type.String({ description: 'ISO 8601 instant (UTC)' });
const NullableInstant = Type.Union([Instant, Type.Null()]);
const SECRET_KINDS = Object.keys(PLACEHOLDERS) as SecretKind[];

const Body = Type.String({
  minLength: 1,
  maxLength: MAX_MESSAGE_CHARS,
  description:
    'The message. Secrets in it (seed phrases, keys, card numbers, codes, passwords) are replaced before it is stored',
});
const TicketParams = Closed({ ticketId: Type.String({ minLength: 1, maxLength: 200 }) });

const Redacted = Type.Array(
  Closed({ kind: StringEnum(SECRET_KINDS), placeholder: Type.String() }),
  { description: 'What was taken out of the message before it was stored (never the secret)' },
);
const Warning = Type.Union([Type.String(), Type.Null()], {
  description: 'Why something was redacted, and what to do; null when nothing was',
});

const HolderMessage = Closed({
  id: Type.String(),
  from: StringEnum(['holder', 'support'] as const),
  body: Type.String(),
  redacted: Type.Array(StringEnum(SECRET_KINDS)),
  createdAt: Instant,
});
const HolderTicket = Closed({
  id: Type.String(),
  subject: Type.String(),
  category: StringEnum(TICKET_CATEGORIES),
  state: StringEnum(TICKET_STATES),
  blockerCode: Type.Union([Type.String(), Type.Null()]),
  createdAt: Instant,
  updatedAt: Instant,
  resolvedAt: NullableInstant,
});

const AgentMessage = Closed({
  id: Type.String(),
  kind: StringEnum(['reply', 'note'] as const, {
    description: 'reply: the holder sees it; note: agents only',
  }),
  author: Closed({
    kind: StringEnum(['holder', 'agent', 'system'] as const),
    id: Type.String(),
  }),
  body: Type.String(),
  redacted: Type.Array(StringEnum(SECRET_KINDS)),
  phishing: Type.Array(Type.String(), {
    description: 'Why the message looks like a phishing lure the holder forwarded (agents only)',
  }),
  createdAt: Instant,
});
const SlaReading = Closed({
  dueAt: Instant,
  status: StringEnum(['met', 'ok', 'warning', 'breached', 'paused'] as const),
});
const Sla = Closed({
  firstResponse: SlaReading,
  resolution: SlaReading,
  paused: Type.Boolean({
    description: 'The clock stands still while the ticket waits for the holder',
  }),
});
const AgentTicket = Closed({
  id: Type.String(),
  accountId: Type.String(),
  subject: Type.String(),
  category: StringEnum(TICKET_CATEGORIES),
  priority: StringEnum(TICKET_PRIORITIES),
  state: StringEnum(TICKET_STATES),
  assignee: Type.Union([Type.String(), Type.Null()]),
  closureId: Type.Union([Type.String(), Type.Null()]),
  blockerCode: Type.Union([Type.String(), Type.Null()]),
  createdAt: Instant,
  updatedAt: Instant,
  firstRespondedAt: NullableInstant,
  resolvedAt: NullableInstant,
  closedAt: NullableInstant,
  sla: Sla,
  breaching: Type.Boolean(),
});

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function holderTicketView(t: Ticket) {
  return {
    id: t.id,
    subject: t.subject,
    category: t.category,
    state: t.state,
    blockerCode: t.blockerCode,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    resolvedAt: iso(t.resolvedAt),
  };
}

function holderMessageView(m: TicketMessage) {
  return {
    id: m.id,
    from: m.author.kind === 'holder' ? ('holder' as const) : ('support' as const),
    body: m.body,
    redacted: m.redacted,
    createdAt: m.createdAt.toISOString(),
  };
}

function agentMessageView(m: TicketMessage) {
  return { ...m, createdAt: m.createdAt.toISOString() };
}

function slaView(sla: TicketSla) {
  const reading = (r: TicketSla['firstResponse']) => ({
    dueAt: r.dueAt.toISOString(),
    status: r.status,
  });
  return {
    firstResponse: reading(sla.firstResponse),
    resolution: reading(sla.resolution),
    paused: sla.paused,
  };
}

function agentTicketView(t: Ticket, sla: TicketSla) {
  const { version: _version, pausedMs: _p, pausedSince: _s, slaSignals: _g, ...rest } = t;
  return {
    ...rest,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    firstRespondedAt: iso(t.firstRespondedAt),
    resolvedAt: iso(t.resolvedAt),
    closedAt: iso(t.closedAt),
    sla: slaView(sla),
    breaching: [sla.firstResponse, sla.resolution].some(
      (r) => r.status === 'warning' || r.status === 'breached',
    ),
  };
}

function redactionView(posted: Pick<PostedMessage, 'redacted' | 'warning'>) {
  return {
    redacted: posted.redacted.map((r) => ({ kind: r.kind, placeholder: PLACEHOLDERS[r.kind] })),
    warning: posted.warning,
  };
}

export function registerTicketRoutes(app: App, services: Services): void {
  const { ctx } = services;

  // ---- the holder -------------------------------------------------------------------

  app.get(
    '/v1/me/tickets',
    {
      config: HOLDER,
      schema: {
        tags: ['holder'],
        summary: 'My support tickets, newest first',
        response: { 200: Closed({ tickets: Type.Array(HolderTicket) }), ...errors(403) },
      },
    },
    async (request) => {
      const caller = callerFor(request);
      const tickets = await holderTickets(ctx.app, { accountId: caller.accountId, limit: 100 });
      return { tickets: tickets.map(holderTicketView) };
    },
  );

  app.post(
    '/v1/me/tickets',
    {
      config: HOLDER,
      schema: {
        tags: ['holder'],
        summary: 'Open a support ticket (from a blocker: send its blockerCode)',
        description:
          'Opened from a blocker, the ticket keeps the verdict of that moment. Secrets in the message are replaced before anything is stored; `redacted` and `warning` say what and why.',
        body: Closed({
          body: Body,
          subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          category: Type.Optional(StringEnum(TICKET_CATEGORIES)),
          blockerCode: Type.Optional(StringEnum(BLOCKER_CODES)),
        }),
        response: {
          201: Closed({
            ticket: HolderTicket,
            message: HolderMessage,
            verdict: Type.Union([Verdict, Type.Null()]),
            redacted: Redacted,
            warning: Warning,
          }),
          ...errors(403, 404),
        },
      },
    },
    async (request, reply) => {
      const caller = callerFor(request);
      const opened = await openSupportTicket(ctx.app, ctx.rules, {
        accountId: caller.accountId,
        actor: caller.actor,
        body: request.body.body,
        subject: request.body.subject,
        category: request.body.category,
        blockerCode: request.body.blockerCode,
      });
      return reply.status(201).send({
        ticket: holderTicketView(opened.ticket),
        message: holderMessageView(opened.message),
        verdict: opened.verdict ? holderVerdict(opened.verdict) : null,
        ...redactionView(opened),
      });
    },
  );

  app.get(
    '/v1/me/tickets/:ticketId',
    {
      config: HOLDER,
      schema: {
        tags: ['holder'],
        summary: 'One of my tickets with its replies (the verdict it was opened with, in my words)',
        params: TicketParams,
        response: {
          200: Closed({
            ticket: HolderTicket,
            messages: Type.Array(HolderMessage),
            verdict: Type.Union([Verdict, Type.Null()]),
          }),
          ...errors(403, 404),
        },
      },
    },
    async (request) => {
      const caller = callerFor(request);
      const view = await holderTicket(ctx.app, {
        accountId: caller.accountId,
        ticketId: request.params.ticketId,
      });
      return {
        ticket: holderTicketView(view.ticket),
        messages: view.messages.map(holderMessageView),
        // Stored in the agents' words; a hold's kind and reason never reach the holder.
        verdict: view.verdict ? holderVerdict(view.verdict) : null,
      };
    },
  );

  app.post(
    '/v1/me/tickets/:ticketId/messages',
    {
      config: HOLDER,
      schema: {
        tags: ['holder'],
        summary: 'Reply on my ticket (reopens a resolved one within the reopen window)',
        params: TicketParams,
        body: Closed({ body: Body }),
        response: {
          201: Closed({
            ticket: HolderTicket,
            message: HolderMessage,
            redacted: Redacted,
            warning: Warning,
          }),
          ...errors(403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const caller = callerFor(request);
      const posted = await holderReply(ctx.app, ctx.rules, {
        accountId: caller.accountId,
        ticketId: request.params.ticketId,
        body: request.body.body,
      });
      return reply.status(201).send({
        ticket: holderTicketView(posted.ticket),
        message: holderMessageView(posted.message),
        ...redactionView(posted),
      });
    },
  );

  // ---- agents -----------------------------------------------------------------------

  app.get(
    '/v1/agent/tickets',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary:
          'The ticket queue, with each ticket’s SLA; breaching=true lists late and nearly late ones',
        querystring: Closed({
          state: Type.Optional(StringEnum([...TICKET_STATES, 'active'] as const)),
          assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          category: Type.Optional(StringEnum(TICKET_CATEGORIES)),
          priority: Type.Optional(StringEnum(TICKET_PRIORITIES)),
          account: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          breaching: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Closed({ tickets: Type.Array(AgentTicket) }), ...errors(403) },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listTickets(ctx.app, ctx.rules, {
        state: q.state,
        assignee: q.assignee,
        category: q.category,
        priority: q.priority,
        accountId: q.account,
        breaching: q.breaching,
        limit: q.limit ?? 50,
      });
      return { tickets: rows.map((r) => agentTicketView(r.ticket, r.sla)) };
    },
  );

  app.get(
    '/v1/agent/tickets/:ticketId',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary:
          'A ticket with every message (notes and phishing flags included) beside the account picture',
        params: TicketParams,
        response: {
          200: Closed({
            ticket: AgentTicket,
            messages: Type.Array(AgentMessage),
            openedWith: Type.Union([Verdict, Type.Null()]),
            account: Closed({
              facts: Facts,
              verdict: Verdict,
              closures: Type.Array(Closure),
              audit: Type.Array(AuditEntry),
            }),
          }),
          ...errors(403, 404),
        },
      },
    },
    async (request) => {
      const view = await agentTicket(ctx.app, ctx.rules, { ticketId: request.params.ticketId });
      return {
        ticket: agentTicketView(view.ticket, view.sla),
        messages: view.messages.map(agentMessageView),
        openedWith: view.openedWith,
        account: {
          facts: factsView(view.picture.facts),
          verdict: view.picture.verdict,
          closures: view.picture.closures.map((s) => closureView(s.closure, 'agent')),
          audit: view.picture.audit.map(auditView),
        },
      };
    },
  );

  const Posted = Closed({
    ticket: AgentTicket,
    message: AgentMessage,
    redacted: Redacted,
    warning: Warning,
  });
  const postedView = async (posted: PostedMessage) => {
    const { sla } = await agentTicket(ctx.app, ctx.rules, { ticketId: posted.ticket.id });
    return {
      ticket: agentTicketView(posted.ticket, sla),
      message: agentMessageView(posted.message),
      ...redactionView(posted),
    };
  };

  app.post(
    '/v1/agent/tickets/:ticketId/replies',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary:
          'Reply to the holder (refused with 422 OFFBOARD_ERR_UNSAFE_REPLY when it asks for a secret)',
        params: TicketParams,
        body: Closed({ body: Body }),
        response: { 201: Posted, ...errors(403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const posted = await agentReply(ctx.app, ctx.rules, {
        ticketId: request.params.ticketId,
        agentId: agentOf(request),
        body: request.body.body,
      });
      return reply.status(201).send(await postedView(posted));
    },
  );

  app.post(
    '/v1/agent/tickets/:ticketId/notes',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: 'Add an internal note: agents only, never shown or sent to the holder',
        params: TicketParams,
        body: Closed({ body: Body }),
        response: { 201: Posted, ...errors(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const posted = await addNote(ctx.app, ctx.rules, {
        ticketId: request.params.ticketId,
        agentId: agentOf(request),
        body: request.body.body,
      });
      return reply.status(201).send(await postedView(posted));
    },
  );

  const TicketResult = Closed({ ticket: AgentTicket });
  const ticketResult = async (ticket: Ticket) => {
    const { sla } = await agentTicket(ctx.app, ctx.rules, { ticketId: ticket.id });
    return { ticket: agentTicketView(ticket, sla) };
  };

  app.post(
    '/v1/agent/tickets/:ticketId/assign',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary:
          'Assign the ticket (to yourself unless another agent is named), optionally with a priority',
        params: TicketParams,
        body: Closed({
          assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          priority: Type.Optional(StringEnum(TICKET_PRIORITIES)),
        }),
        response: { 200: TicketResult, ...errors(403, 404, 409) },
      },
    },
    async (request) => {
      const agentId = agentOf(request);
      const ticket = await assignTicket(ctx.app, ctx.rules, {
        ticketId: request.params.ticketId,
        agentId,
        assignee: request.body.assignee ?? agentId,
        priority: request.body.priority,
      });
      return ticketResult(ticket);
    },
  );

  app.post(
    '/v1/agent/tickets/:ticketId/resolve',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: 'Resolve the ticket, with an optional last reply to the holder',
        params: TicketParams,
        body: Closed({ reply: Type.Optional(Body) }),
        response: { 200: TicketResult, ...errors(403, 404, 409, 422) },
      },
    },
    async (request) => {
      const ticket = await resolveTicket(ctx.app, ctx.rules, {
        ticketId: request.params.ticketId,
        agentId: agentOf(request),
        reply: request.body.reply,
      });
      return ticketResult(ticket);
    },
  );

  app.post(
    '/v1/agent/tickets/:ticketId/pending-internal',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: 'Mark the ticket as waiting for another team (the SLA clock keeps running)',
        params: TicketParams,
        body: EmptyBody,
        response: { 200: TicketResult, ...errors(403, 404, 409) },
      },
    },
    async (request) =>
      ticketResult(
        await pendInternal(ctx.app, ctx.rules, {
          ticketId: request.params.ticketId,
          agentId: agentOf(request),
        }),
      ),
  );

  app.post(
    '/v1/agent/tickets/:ticketId/link-closure',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: "Link the ticket to the account's escalated closure, to decide it from here",
        params: TicketParams,
        body: EmptyBody,
        response: { 200: TicketResult, ...errors(403, 404, 409) },
      },
    },
    async (request) => {
      const ticket = await linkClosure(ctx.app, ctx.rules, {
        ticketId: request.params.ticketId,
        agentId: agentOf(request),
      });
      return ticketResult(ticket);
    },
  );

  app.post(
    '/v1/agent/tickets/:ticketId/closure/approve',
    {
      config: COMPLIANCE,
      schema: {
        tags: ['agent'],
        summary: 'Ask to approve the linked escalated closure (four eyes: a second agent confirms)',
        description:
          'Answers 202 with a pending approval; when a different agent approves it, the outcome is posted to the ticket as a reply.',
        params: TicketParams,
        body: Closed({ note: Reason('Why it should be approved') }),
        response: { 202: Approval, ...errors(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { approval } = await decideLinkedClosure(ctx.app, ctx.rules, {
        ticketId: request.params.ticketId,
        agentId: agentOf(request),
        decision: 'approve',
        note: request.body.note,
      });
      return reply.status(202).send(approvalView(approval!));
    },
  );

  app.post(
    '/v1/agent/tickets/:ticketId/closure/reject',
    {
      config: COMPLIANCE,
      schema: {
        tags: ['agent'],
        summary: 'Reject the linked escalated closure; the holder is told in the ticket',
        params: TicketParams,
        body: Closed({ reason: Reason('Why (agents only; the holder reads the outcome)') }),
        response: { 200: Closed({ closure: Closure }), ...errors(403, 404, 409) },
      },
    },
    async (request) => {
      const { closure } = await decideLinkedClosure(ctx.app, ctx.rules, {
        ticketId: request.params.ticketId,
        agentId: agentOf(request),
        decision: 'reject',
        note: request.body.reason,
      });
      return { closure: closureView(closure!, 'agent') };
    },
  );
}

import { Type } from 'typebox';
import { accountPicture } from '../../../app/account-picture.js';
import {
  approveRequest,
  declineRequest,
  escalateClosure,
  listApprovals,
  rejectClosure,
  requestClosureApproval,
  requestHoldLift,
} from '../../../app/agent-decisions.js';
import { HOLD_KINDS, placeHold } from '../../../app/holds.js';
import type { App, Services } from '../app.js';
import { agentOf, callerFor } from '../auth.js';
import {
  AccountParams,
  Approval,
  AuditEntry,
  Closed,
  Closure,
  ClosureResult,
  EmptyBody,
  Facts,
  Hold,
  LangQuery,
  Reason,
  StringEnum,
  Verdict,
  errors,
} from '../schemas.js';
import { approvalView, auditView, closureView, factsView } from '../views.js';

const ANY_AGENT = { access: { roles: ['support', 'compliance', 'admin'] } } as const;
// Decisions with consequences for the holder or for an investigation.
const COMPLIANCE = { access: { roles: ['compliance', 'admin'] } } as const;

const ApprovalParams = Closed({ approvalId: Type.String({ minLength: 1, maxLength: 200 }) });

export function registerAgentRoutes(app: App, services: Services): void {
  const { ctx } = services;

  app.get(
    '/v1/agent/accounts/:id',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary:
          'The account picture: facts, verdict with agent detail, closures, audit entries, approvals',
        params: AccountParams,
        querystring: LangQuery,
        response: {
          200: Closed({
            facts: Facts,
            verdict: Verdict,
            closures: Type.Array(
              Closed({ closure: Closure, verdict: Type.Union([Verdict, Type.Null()]) }),
            ),
            audit: Type.Array(AuditEntry),
            approvals: Type.Array(Approval),
            disabledSince: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(403, 404),
        },
      },
    },
    async (request) => {
      const caller = callerFor(request, request.params.id);
      const lang = request.query.lang ?? 'en';
      const picture = await accountPicture(ctx.app, ctx.rules, caller.accountId, {
        now: ctx.clock.now(),
        lang,
      });
      return {
        facts: factsView(picture.facts),
        verdict: picture.verdict,
        // Verdicts stored at request are the holder's words; the worker's are the agents'.
        closures: picture.closures.map((s) => ({
          closure: closureView(s.closure, 'agent'),
          verdict: s.verdict,
        })),
        audit: picture.audit.map(auditView),
        approvals: picture.approvals.map(approvalView),
        disabledSince: picture.disabledSince?.toISOString() ?? null,
      };
    },
  );

  app.post(
    '/v1/agent/accounts/:id/closure/escalate',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: 'Escalate the closure: it waits for a support decision',
        params: AccountParams,
        body: Closed({ reason: Reason('Why support must decide (agents only)') }),
        response: { 200: ClosureResult, ...errors(403, 404, 409) },
      },
    },
    async (request) => {
      const caller = callerFor(request, request.params.id);
      const closure = await escalateClosure(ctx.app, ctx.rules, {
        accountId: caller.accountId,
        reason: request.body.reason,
        agentId: agentOf(request),
      });
      return { closure: closureView(closure, 'agent') };
    },
  );

  app.post(
    '/v1/agent/accounts/:id/closure/reject',
    {
      config: COMPLIANCE,
      schema: {
        tags: ['agent'],
        summary: 'Reject an escalated closure',
        params: AccountParams,
        body: Closed({
          reason: Reason('Why (agents only; the holder is told to contact support)'),
        }),
        response: { 200: ClosureResult, ...errors(403, 404, 409) },
      },
    },
    async (request) => {
      const caller = callerFor(request, request.params.id);
      const closure = await rejectClosure(ctx.app, ctx.rules, {
        accountId: caller.accountId,
        reason: request.body.reason,
        agentId: agentOf(request),
      });
      return { closure: closureView(closure, 'agent') };
    },
  );

  app.post(
    '/v1/agent/accounts/:id/closure/approve',
    {
      config: COMPLIANCE,
      schema: {
        tags: ['agent'],
        summary: 'Ask to approve an escalated closure (four eyes: a second agent confirms)',
        description:
          'Answers 202 with a pending approval; a different agent approves it with POST /v1/agent/approvals/{approvalId}/approve.',
        params: AccountParams,
        body: Closed({ note: Reason('Why it should be approved') }),
        response: { 202: Approval, ...errors(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerFor(request, request.params.id);
      const approval = await requestClosureApproval(ctx.app, {
        accountId: caller.accountId,
        note: request.body.note,
        agentId: agentOf(request),
      });
      return reply.status(202).send(approvalView(approval));
    },
  );

  app.post(
    '/v1/agent/accounts/:id/holds',
    {
      config: COMPLIANCE,
      schema: {
        tags: ['agent'],
        summary: 'Place a hold: closure is blocked while it stands',
        description:
          'The holder is told only that a review is needed (legal holds excepted): the kind and reason are for agents.',
        params: AccountParams,
        body: Closed({ kind: StringEnum(HOLD_KINDS), reason: Reason('Why (agents only)') }),
        response: { 201: Hold, ...errors(403, 404) },
      },
    },
    async (request, reply) => {
      const caller = callerFor(request, request.params.id);
      const hold = await placeHold(ctx.app, {
        accountId: caller.accountId,
        kind: request.body.kind,
        reason: request.body.reason,
        actor: caller.actor,
      });
      return reply.status(201).send({ ...hold, placedAt: hold.placedAt.toISOString() });
    },
  );

  app.post(
    '/v1/agent/accounts/:id/holds/:holdId/lift',
    {
      config: COMPLIANCE,
      schema: {
        tags: ['agent'],
        summary: 'Ask to lift a hold (four eyes: a second agent confirms)',
        params: Closed({
          id: Type.String({ minLength: 1, maxLength: 200 }),
          holdId: Type.String({ minLength: 1, maxLength: 200 }),
        }),
        body: Closed({ note: Reason('Why it can be lifted') }),
        response: { 202: Approval, ...errors(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerFor(request, request.params.id);
      const approval = await requestHoldLift(ctx.app, {
        accountId: caller.accountId,
        holdId: request.params.holdId,
        note: request.body.note,
        agentId: agentOf(request),
      });
      return reply.status(202).send(approvalView(approval));
    },
  );

  app.get(
    '/v1/agent/approvals',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: 'Overrides waiting for (or given) a second agent',
        querystring: Closed({
          status: Type.Optional(StringEnum(['pending', 'approved', 'declined'] as const)),
          account: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Closed({ approvals: Type.Array(Approval) }), ...errors(403) },
      },
    },
    async (request) => {
      const approvals = await listApprovals(ctx.app, {
        status: request.query.status,
        accountId: request.query.account,
        limit: request.query.limit ?? 50,
      });
      return { approvals: approvals.map(approvalView) };
    },
  );

  app.post(
    '/v1/agent/approvals/:approvalId/approve',
    {
      config: COMPLIANCE,
      schema: {
        tags: ['agent'],
        summary: 'Approve another agent’s override: it happens now',
        description: 'Refused with 403 OFFBOARD_ERR_FOUR_EYES for the agent who asked.',
        params: ApprovalParams,
        body: EmptyBody,
        response: {
          200: Closed({ approval: Approval, closure: Type.Union([Closure, Type.Null()]) }),
          ...errors(403, 404, 409),
        },
      },
    },
    async (request) => {
      const outcome = await approveRequest(ctx.app, ctx.rules, {
        approvalId: request.params.approvalId,
        agentId: agentOf(request),
      });
      return {
        approval: approvalView(outcome.approval),
        closure: outcome.closure ? closureView(outcome.closure, 'agent') : null,
      };
    },
  );

  app.post(
    '/v1/agent/approvals/:approvalId/decline',
    {
      config: COMPLIANCE,
      schema: {
        tags: ['agent'],
        summary: 'Decline an override (or withdraw your own request)',
        params: ApprovalParams,
        body: Closed({ reason: Reason('Why') }),
        response: { 200: Approval, ...errors(403, 404, 409) },
      },
    },
    async (request) =>
      approvalView(
        await declineRequest(ctx.app, {
          approvalId: request.params.approvalId,
          agentId: agentOf(request),
          reason: request.body.reason,
        }),
      ),
  );
}

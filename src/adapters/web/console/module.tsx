import type { FastifyReply, FastifyRequest } from 'fastify';
import { agentCase } from '../../../app/agent-case.js';
import {
  approveRequest,
  declineRequest,
  rejectClosure,
  requestClosureApproval,
  requestHoldLift,
} from '../../../app/agent-decisions.js';
import { QUEUE_KINDS, agentQueue } from '../../../app/agent-queue.js';
import type { QueueFilter, QueueKind } from '../../../app/agent-queue.js';
import { supportRules } from '../../../app/tickets.js';
import { recordAgentTokenSignIn, redeemAgentSignInLink } from '../../../app/agent-sign-in.js';
import { OffboardError } from '../../../domain/errors.js';
import type { ErrorCode } from '../../../domain/errors.js';
import { verifyAgentToken, parseRoles } from '../../http/tokens.js';
import type { AgentRole } from '../../http/tokens.js';
import { formOf, langOf, sendFragment, sendPage, seeOther, sessionOf } from '../kit.js';
import { checkCsrf } from '../kit.js';
import type { PageModule } from '../plugin.js';
import { clearSessionCookie, csrfToken, newSession, setSessionCookie } from '../session.js';
import type { AgentSession } from '../session.js';
import {
  ageMs,
  CasePage,
  CONSOLE_ERRORS,
  DONE,
  QueuePageView,
  QueueTable,
  SignInPage,
} from './pages.js';
import type { ConsoleFrame, Done } from './pages.js';

/*
 * The agent console (/console): a queue of what waits for a person, a case page per
 * account, and the agents' decisions as plain form POSTs (CSRF-checked, answered with a
 * redirect). It calls the same use cases as the JSON agent API, with the same roles:
 * any agent reads; compliance or admin decide; overrides need a second agent, who
 * approves exactly the proposal they read (its hash rides in the form).
 */

const READERS: readonly AgentRole[] = ['support', 'compliance', 'admin'];
const DECIDERS: readonly AgentRole[] = ['compliance', 'admin'];
const PAGE_SIZE = 20;
const MAX_TEXT = 500;

function forbidden(message: string): OffboardError {
  return new OffboardError('OFFBOARD_ERR_FORBIDDEN', message);
}

function requireRole(session: AgentSession, roles: readonly AgentRole[]): void {
  if (!session.roles.some((r) => roles.includes(r)))
    throw forbidden(`this needs an agent with a role of ${roles.join(', ')}`);
}

/** A required short text field of a form (a note, a reason). */
function textField(request: FastifyRequest, name: string): string {
  const value = (formOf(request)[name] ?? '').trim();
  if (value.length === 0 || value.length > MAX_TEXT)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${name} must be 1 to ${MAX_TEXT} characters`,
    );
  return value;
}

function accountPath(accountId: string): string {
  return `/console/accounts/${encodeURIComponent(accountId)}`;
}

export const consoleModule: PageModule = (web, kit) => {
  const { ctx } = kit.services;

  /** The signed-in agent, or a redirect to sign in (null: the reply is sent). */
  const agentOr = (request: FastifyRequest, reply: FastifyReply): AgentSession | null => {
    const session = sessionOf(kit, request, 'agent');
    if (!session) {
      void seeOther(reply, '/console/sign-in');
      return null;
    }
    requireRole(session, READERS);
    return session;
  };
  const frame = (request: FastifyRequest, session: AgentSession, path: string): ConsoleFrame => ({
    lang: langOf(request),
    path,
    agent: { id: session.subject, roles: session.roles, csrf: csrfToken(kit.key, session) },
  });

  /**
   * A decision: signed-in agent, role, CSRF, then the use case. Refusals an agent can act
   * on go back to the case page with the code; anything else is an error page.
   */
  const decide = (
    path: string,
    act: (
      request: FastifyRequest,
      session: AgentSession,
    ) => Promise<{ account: string; done: Done }>,
    accountOfRequest: (request: FastifyRequest) => string,
  ) =>
    web.post(path, async (request, reply) => {
      const session = sessionOf(kit, request, 'agent');
      if (!session) return seeOther(reply, '/console/sign-in');
      checkCsrf(kit, session, request);
      const account = accountOfRequest(request);
      try {
        requireRole(session, DECIDERS);
        const outcome = await act(request, session);
        return seeOther(reply, `${accountPath(outcome.account)}?done=${outcome.done}`);
      } catch (error) {
        if (error instanceof OffboardError && CONSOLE_ERRORS[error.code])
          return seeOther(reply, `${accountPath(account)}?error=${error.code}`);
        throw error;
      }
    });

  web.get('/console/sign-in', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const link = typeof query['link'] === 'string' ? query['link'].slice(0, 200) : null;
    // A GET never signs in: link scanners and prefetchers would spend the one-time link.
    return sendPage(
      reply,
      200,
      <SignInPage lang={langOf(request)} link={link} refused={query['refused'] === '1'} />,
    );
  });

  web.post('/console/sign-in', async (request, reply) => {
    const form = formOf(request);
    const now = ctx.clock.now();
    let agent: { id: string; roles: AgentRole[] } | null = null;
    if (form['link']) {
      const grant = await redeemAgentSignInLink(ctx.app, form['link']);
      const roles = grant ? parseRoles(grant.roles.join(',')) : null;
      if (grant && roles) agent = { id: grant.agentId, roles };
    } else if (form['token']) {
      const claims = await verifyAgentToken(kit.services.agents, form['token'].trim(), now);
      if (claims) {
        agent = { id: claims.agentId, roles: claims.roles };
        await recordAgentTokenSignIn(ctx.app, agent.id);
      }
    }
    if (!agent) return seeOther(reply, '/console/sign-in?refused=1');
    setSessionCookie(request, reply, kit.key, newSession('agent', agent.id, now, agent.roles));
    return seeOther(reply, '/console');
  });

  web.post('/console/sign-out', async (request, reply) => {
    const session = sessionOf(kit, request, 'agent');
    if (session) checkCsrf(kit, session, request);
    clearSessionCookie(request, reply, 'agent');
    return seeOther(reply, '/console/sign-in');
  });

  const filterOf = (request: FastifyRequest): QueueFilter & { age?: string; page: number } => {
    const q = request.query as Record<string, unknown>;
    const kind = QUEUE_KINDS.find((k) => k === q['kind']) as QueueKind | undefined;
    const jurisdiction =
      typeof q['jurisdiction'] === 'string' && /^[A-Za-z]{2}$/.test(q['jurisdiction'])
        ? q['jurisdiction'].toUpperCase()
        : undefined;
    const minAgeMs = ageMs(q['age']);
    const page = Number.parseInt(typeof q['page'] === 'string' ? q['page'] : '1', 10);
    return {
      kind,
      jurisdiction,
      minAgeMs,
      age: minAgeMs === undefined ? undefined : (q['age'] as string),
      page: Number.isSafeInteger(page) && page > 0 ? page : 1,
    };
  };
  const readQueue = (filter: ReturnType<typeof filterOf>) =>
    agentQueue(ctx.app, {
      ...filter,
      pageSize: PAGE_SIZE,
      now: ctx.clock.now(),
      support: supportRules(ctx.rules),
    });

  web.get('/console', async (request, reply) => {
    const session = agentOr(request, reply);
    if (!session) return reply;
    const filter = filterOf(request);
    const queue = await readQueue(filter);
    return sendPage(
      reply,
      200,
      <QueuePageView
        {...frame(request, session, request.url)}
        queue={queue}
        filter={filter}
        now={ctx.clock.now()}
      />,
    );
  });

  // The fragment htmx refreshes: the same table, no layout.
  web.get('/console/queue', async (request, reply) => {
    const session = agentOr(request, reply);
    if (!session) return reply;
    const filter = filterOf(request);
    const queue = await readQueue(filter);
    return sendFragment(
      reply,
      <QueueTable lang={langOf(request)} queue={queue} filter={filter} now={ctx.clock.now()} />,
    );
  });

  // The "open an account" form.
  web.get('/console/accounts', async (request, reply) => {
    const session = agentOr(request, reply);
    if (!session) return reply;
    const id = (request.query as Record<string, unknown>)['id'];
    if (typeof id !== 'string' || id.trim() === '' || id.length > 200)
      return seeOther(reply, '/console');
    return seeOther(reply, accountPath(id.trim()));
  });

  web.get('/console/accounts/:id', async (request, reply) => {
    const session = agentOr(request, reply);
    if (!session) return reply;
    const { id } = request.params as { id: string };
    const query = request.query as Record<string, unknown>;
    const lang = langOf(request);
    const picture = await agentCase(ctx.app, ctx.rules, id, { now: ctx.clock.now(), lang });
    const asked = query['error'];
    const error =
      typeof asked === 'string' && Object.hasOwn(CONSOLE_ERRORS, asked)
        ? (asked as ErrorCode)
        : null;
    const done = DONE.find((d) => d === query['done']) ?? null;
    return sendPage(
      reply,
      200,
      <CasePage
        {...frame(request, session, accountPath(id))}
        accountId={id}
        picture={picture}
        now={ctx.clock.now()}
        done={done}
        error={error}
      />,
    );
  });

  const accountParam = (request: FastifyRequest) => (request.params as { id: string }).id;
  // Where a refused approval goes back to: the account the form was on (a path segment, encoded).
  const accountField = (request: FastifyRequest) => formOf(request)['account'] ?? '';

  decide(
    '/console/accounts/:id/holds/:holdId/lift',
    async (request, session) => {
      await requestHoldLift(ctx.app, {
        accountId: accountParam(request),
        holdId: (request.params as { holdId: string }).holdId,
        note: textField(request, 'note'),
        agentId: session.subject,
      });
      return { account: accountParam(request), done: 'proposed' };
    },
    accountParam,
  );

  decide(
    '/console/accounts/:id/closure/approve',
    async (request, session) => {
      await requestClosureApproval(ctx.app, {
        accountId: accountParam(request),
        note: textField(request, 'note'),
        agentId: session.subject,
      });
      return { account: accountParam(request), done: 'proposed' };
    },
    accountParam,
  );

  decide(
    '/console/accounts/:id/closure/reject',
    async (request, session) => {
      await rejectClosure(ctx.app, ctx.rules, {
        accountId: accountParam(request),
        reason: textField(request, 'reason'),
        agentId: session.subject,
      });
      return { account: accountParam(request), done: 'rejected' };
    },
    accountParam,
  );

  decide(
    '/console/approvals/:approvalId/approve',
    async (request, session) => {
      const proposal = formOf(request)['proposal'];
      if (!proposal)
        throw new OffboardError(
          'OFFBOARD_ERR_PROPOSAL_CHANGED',
          'the approval form carries no proposal hash: read the proposal again',
        );
      const outcome = await approveRequest(ctx.app, ctx.rules, {
        approvalId: (request.params as { approvalId: string }).approvalId,
        agentId: session.subject,
        proposalHash: proposal,
      });
      return { account: outcome.approval.accountId, done: 'approved' };
    },
    accountField,
  );

  decide(
    '/console/approvals/:approvalId/decline',
    async (request, session) => {
      const declined = await declineRequest(ctx.app, {
        approvalId: (request.params as { approvalId: string }).approvalId,
        agentId: session.subject,
        reason: textField(request, 'reason'),
      });
      return { account: declined.accountId, done: 'declined' };
    },
    accountField,
  );
};

import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  addNote,
  agentReply,
  agentTicket,
  assignTicket,
  linkClosure,
  resolveTicket,
} from '../../../app/tickets.js';
import { OffboardError } from '../../../domain/errors.js';
import type { ErrorCode } from '../../../domain/errors.js';
import type { AgentRole } from '../../http/tokens.js';
import { checkCsrf, formOf, langOf, sendPage, seeOther, sessionOf } from '../kit.js';
import type { PageModule } from '../plugin.js';
import { csrfToken } from '../session.js';
import type { AgentSession } from '../session.js';
import type { ConsoleFrame } from './pages.js';
import { TICKET_DONE, TICKET_ERRORS, TicketPage, ticketPath } from './ticket-pages.js';
import type { RefusedReply, TicketDone } from './ticket-pages.js';

/*
 * Support tickets in the agent console (/console/tickets/:id): the ticket page and its
 * forms, as plain POSTs (CSRF-checked, answered with a redirect) through the same use cases
 * as the JSON agent API, with its roles: any agent works a ticket. An unsafe reply is the
 * one refusal answered with the page itself (422): the agent's words stay in the textarea
 * beside the rule they broke, which a redirect could only carry in the URL.
 */

const AGENTS: readonly AgentRole[] = ['support', 'compliance', 'admin'];

function requireAgent(session: AgentSession): void {
  if (!session.roles.some((r) => AGENTS.includes(r)))
    throw new OffboardError('OFFBOARD_ERR_FORBIDDEN', `this needs an agent role`);
}

export const consoleTicketsModule: PageModule = (web, kit) => {
  const { ctx } = kit.services;

  const frame = (request: FastifyRequest, session: AgentSession, path: string): ConsoleFrame => ({
    lang: langOf(request),
    path,
    agent: { id: session.subject, roles: session.roles, csrf: csrfToken(kit.key, session) },
  });
  const ticketParam = (request: FastifyRequest) => (request.params as { id: string }).id;

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: AgentSession,
    options: {
      status: number;
      done: TicketDone | null;
      error: ErrorCode | null;
      refused: RefusedReply | null;
    },
  ) => {
    const id = ticketParam(request);
    const view = await agentTicket(ctx.app, ctx.rules, { ticketId: id });
    return sendPage(
      reply,
      options.status,
      <TicketPage
        {...frame(request, session, ticketPath(id))}
        view={view}
        now={ctx.clock.now()}
        done={options.done}
        error={options.error}
        refused={options.refused}
      />,
    );
  };

  web.get('/console/tickets/:id', async (request, reply) => {
    const session = sessionOf(kit, request, 'agent');
    if (!session) return seeOther(reply, '/console/sign-in');
    requireAgent(session);
    const query = request.query as Record<string, unknown>;
    const asked = query['error'];
    const error =
      typeof asked === 'string' && Object.hasOwn(TICKET_ERRORS, asked)
        ? (asked as ErrorCode)
        : null;
    const done = TICKET_DONE.find((d) => d === query['done']) ?? null;
    return render(request, reply, session, { status: 200, done, error, refused: null });
  });

  /** A form of the ticket page: session, CSRF, role, then the use case; refusals back on the page. */
  const act = (
    action: string,
    done: TicketDone,
    run: (request: FastifyRequest, session: AgentSession) => Promise<unknown>,
  ) =>
    web.post(`/console/tickets/:id/${action}`, async (request, reply) => {
      const session = sessionOf(kit, request, 'agent');
      if (!session) return seeOther(reply, '/console/sign-in');
      checkCsrf(kit, session, request);
      requireAgent(session);
      const path = ticketPath(ticketParam(request));
      try {
        await run(request, session);
        return seeOther(reply, `${path}?done=${done}`);
      } catch (error) {
        if (error instanceof OffboardError && error.code === 'OFFBOARD_ERR_UNSAFE_REPLY') {
          const { rule, reason } = error.params as { rule: string; reason: string };
          return render(request, reply, session, {
            status: 422,
            done: null,
            error: null,
            refused: { rule, reason, body: formOf(request)['body'] ?? '' },
          });
        }
        if (error instanceof OffboardError && TICKET_ERRORS[error.code])
          return seeOther(reply, `${path}?error=${error.code}`);
        throw error;
      }
    });

  const body = (request: FastifyRequest) => formOf(request)['body'] ?? '';

  act('reply', 'replied', (request, session) =>
    agentReply(ctx.app, ctx.rules, {
      ticketId: ticketParam(request),
      agentId: session.subject,
      body: body(request),
    }),
  );
  act('note', 'noted', (request, session) =>
    addNote(ctx.app, ctx.rules, {
      ticketId: ticketParam(request),
      agentId: session.subject,
      body: body(request),
    }),
  );
  act('assign', 'assigned', (request, session) =>
    assignTicket(ctx.app, ctx.rules, {
      ticketId: ticketParam(request),
      agentId: session.subject,
      assignee: session.subject,
    }),
  );
  act('resolve', 'resolved', (request, session) =>
    resolveTicket(ctx.app, ctx.rules, { ticketId: ticketParam(request), agentId: session.subject }),
  );
  act('link-closure', 'linked', (request, session) =>
    linkClosure(ctx.app, ctx.rules, { ticketId: ticketParam(request), agentId: session.subject }),
  );
};

import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkEligibility } from '../../../app/check-eligibility.js';
import { holderTokenStanding } from '../../../app/holder-tokens.js';
import {
  holderReply,
  holderTicket,
  holderTickets,
  openSupportTicket,
} from '../../../app/tickets.js';
import type { RedactionNotice } from '../../../app/tickets.js';
import { OffboardError } from '../../../domain/errors.js';
import type { ErrorCode } from '../../../domain/errors.js';
import type { SecretKind } from '../../../domain/redaction.js';
import { categoryForBlocker, TICKET_CATEGORIES } from '../../../domain/tickets.js';
import type { TicketCategory } from '../../../domain/tickets.js';
import { checkCsrf, formOf, langOf, sendPage, seeOther, sessionOf } from '../kit.js';
import type { PageModule } from '../plugin.js';
import { csrfToken } from '../session.js';
import type { HolderSession } from '../session.js';
import {
  HOLDER_CATEGORIES,
  HOLDER_TICKET_ERRORS,
  HolderTicketPage,
  NewTicketPage,
  SECRET_KINDS,
  TicketListPage,
} from './pages.js';
import type { HolderFrame } from './pages.js';

/*
 * The holder's support tickets (/account/tickets), under the holder's session: the list,
 * a new ticket (from a blocker of the holder's verdict: subject and category follow it),
 * one ticket's replies and a reply form. Plain form POSTs, CSRF-checked, answered with a
 * redirect; the same use cases as the holder API (/v1/me/tickets).
 *
 * A message the scanner redacted comes back to the page with the kinds it lost in the
 * query (`?redacted=seed_phrase`): only kinds, from a fixed list, so the warning shows at
 * once and the secret itself is never in a URL, a page, or anywhere but the one request.
 */

const LIST_LIMIT = 50;
const SIGN_IN = '/account/sign-in';
const BLOCKER_CODE = /^[a-z][a-z0-9_.]{0,79}$/;

function ticketPath(ticketId: string): string {
  return `/account/tickets/${encodeURIComponent(ticketId)}`;
}

/** `?redacted=a,b` of the kinds a post lost, or nothing. */
function redactedQuery(notice: RedactionNotice): string {
  const kinds = [...new Set(notice.redacted.map((r) => r.kind))];
  return kinds.length === 0 ? '' : `&redacted=${kinds.join(',')}`;
}

function redactedOf(value: unknown): SecretKind[] {
  if (typeof value !== 'string') return [];
  return SECRET_KINDS.filter((k) => value.split(',').includes(k));
}

function errorOf(value: unknown): ErrorCode | null {
  return typeof value === 'string' && Object.hasOwn(HOLDER_TICKET_ERRORS, value)
    ? (value as ErrorCode)
    : null;
}

export const holderTicketsModule: PageModule = (web, kit) => {
  const { ctx } = kit.services;

  /**
   * The signed-in holder whose sessions still stand (disabling an account revokes them
   * like its tokens), or a redirect to sign in (null: the reply is sent).
   */
  const holderOr = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<HolderSession | null> => {
    const session = sessionOf(kit, request, 'holder');
    if (
      session &&
      (await holderTokenStanding(ctx.app, session.subject, session.issuedAt)) === 'good'
    )
      return session;
    void seeOther(reply, SIGN_IN);
    return null;
  };
  const frame = (request: FastifyRequest, session: HolderSession, path: string): HolderFrame => ({
    lang: langOf(request),
    path,
    account: session.subject,
    csrf: csrfToken(kit.key, session),
  });
  const query = (request: FastifyRequest) => request.query as Record<string, unknown>;

  web.get('/account/tickets', async (request, reply) => {
    const session = await holderOr(request, reply);
    if (!session) return reply;
    const tickets = await holderTickets(ctx.app, {
      accountId: session.subject,
      limit: LIST_LIMIT,
    });
    return sendPage(
      reply,
      200,
      <TicketListPage
        {...frame(request, session, '/account/tickets')}
        tickets={tickets}
        error={errorOf(query(request)['error'])}
      />,
    );
  });

  web.get('/account/tickets/new', async (request, reply) => {
    const session = await holderOr(request, reply);
    if (!session) return reply;
    const lang = langOf(request);
    const asked = query(request)['blocker'];
    let blocker = null;
    if (typeof asked === 'string' && BLOCKER_CODE.test(asked)) {
      // The holder's own verdict, in the holder's words: a hold's kind and reason never show.
      const { verdict } = await checkEligibility(ctx.app, ctx.rules, session.subject, {
        now: ctx.clock.now(),
        lang,
        audience: 'holder',
      });
      const found = verdict.blockers.find((b) => b.code === asked);
      if (found)
        blocker = { code: found.code, message: found.message, category: categoryForBlocker(asked) };
    }
    const path = `/account/tickets/new${blocker ? `?blocker=${encodeURIComponent(blocker.code)}` : ''}`;
    return sendPage(
      reply,
      200,
      <NewTicketPage
        {...frame(request, session, path)}
        blocker={blocker}
        error={errorOf(query(request)['error'])}
      />,
    );
  });

  web.post('/account/tickets', async (request, reply) => {
    const session = await holderOr(request, reply);
    if (!session) return reply;
    checkCsrf(kit, session, request);
    const form = formOf(request);
    const blocker = form['blocker'] || undefined;
    const category = TICKET_CATEGORIES.find(
      (c) => c === form['category'] && HOLDER_CATEGORIES.includes(c),
    ) as TicketCategory | undefined;
    const subject = (form['subject'] ?? '').trim();
    try {
      const opened = await openSupportTicket(ctx.app, ctx.rules, {
        accountId: session.subject,
        actor: { kind: 'holder', id: session.subject },
        body: form['body'] ?? '',
        subject: subject === '' ? undefined : subject.slice(0, 200),
        category: blocker ? undefined : category,
        blockerCode: blocker,
      });
      return seeOther(reply, `${ticketPath(opened.ticket.id)}?done=sent${redactedQuery(opened)}`);
    } catch (error) {
      if (error instanceof OffboardError && HOLDER_TICKET_ERRORS[error.code]) {
        const back = blocker ? `blocker=${encodeURIComponent(blocker)}&` : '';
        return seeOther(reply, `/account/tickets/new?${back}error=${error.code}`);
      }
      throw error;
    }
  });

  web.get('/account/tickets/:id', async (request, reply) => {
    const session = await holderOr(request, reply);
    if (!session) return reply;
    const { id } = request.params as { id: string };
    const view = await holderTicket(ctx.app, { accountId: session.subject, ticketId: id });
    const q = query(request);
    return sendPage(
      reply,
      200,
      <HolderTicketPage
        {...frame(request, session, ticketPath(id))}
        ticket={view.ticket}
        messages={view.messages}
        redacted={redactedOf(q['redacted'])}
        done={q['done'] === 'sent' ? 'sent' : null}
        error={errorOf(q['error'])}
      />,
    );
  });

  web.post('/account/tickets/:id/reply', async (request, reply) => {
    const session = await holderOr(request, reply);
    if (!session) return reply;
    checkCsrf(kit, session, request);
    const { id } = request.params as { id: string };
    try {
      const posted = await holderReply(ctx.app, ctx.rules, {
        accountId: session.subject,
        ticketId: id,
        body: formOf(request)['body'] ?? '',
      });
      return seeOther(reply, `${ticketPath(id)}?done=sent${redactedQuery(posted)}`);
    } catch (error) {
      if (error instanceof OffboardError && HOLDER_TICKET_ERRORS[error.code])
        return seeOther(reply, `${ticketPath(id)}?error=${error.code}`);
      throw error;
    }
  });
};

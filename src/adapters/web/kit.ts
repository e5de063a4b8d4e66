import type { FastifyReply, FastifyRequest } from 'fastify';
import { OffboardError } from '../../domain/errors.js';
import type { Lang } from '../../domain/messages.js';
import type { Services } from '../http/app.js';
import type { StatementsConfig } from '../http/routes/exports.js';
import { resolveLang } from './locale.js';
import { csrfMatches, openSession, SESSION_COOKIES } from './session.js';
import type { AgentSession, HolderSession, Session, SessionKind } from './session.js';

/*
 * What every web route shares: the services (the same use cases as the JSON API), the
 * session key, and small helpers to read the session, check a form's CSRF token, answer
 * with a page and redirect after a POST.
 */

export interface WebKit {
  services: Services;
  /** Signs sessions and CSRF tokens (session.ts `sessionKey`). */
  key: Buffer;
  /** The holder token secret: a platform's holder token signs a holder in. */
  tokenSecret: string;
  /** Where statements go and what signs them; null when the service has no signing key. */
  statements: StatementsConfig | null;
}

/** A form body: every field a string (the form parser keeps the first of repeated fields). */
export type Form = Record<string, string>;

export function formOf(request: FastifyRequest): Form {
  const body = request.body;
  return body && typeof body === 'object' ? (body as Form) : {};
}

export function langOf(request: FastifyRequest): Lang {
  return resolveLang(request);
}

/** The request's signed-in session of `kind`, or null. */
export function sessionOf(
  kit: WebKit,
  request: FastifyRequest,
  kind: 'holder',
): HolderSession | null;
export function sessionOf(kit: WebKit, request: FastifyRequest, kind: 'agent'): AgentSession | null;
export function sessionOf(kit: WebKit, request: FastifyRequest, kind: SessionKind): Session | null {
  return openSession(
    kit.key,
    kind,
    request.cookies[SESSION_COOKIES[kind]],
    kit.services.ctx.clock.now(),
  );
}

/**
 * Refuses a form POST whose CSRF token is not the session's (OFFBOARD_ERR_FORBIDDEN).
 * SameSite=Lax already keeps other sites' POSTs from carrying the cookie; the token is
 * the second lock, for browsers or proxies that get SameSite wrong.
 */
export function checkCsrf(kit: WebKit, session: Session, request: FastifyRequest): void {
  if (!csrfMatches(kit.key, session, formOf(request)['_csrf']))
    throw new OffboardError(
      'OFFBOARD_ERR_FORBIDDEN',
      'the form has expired or came from another site (its CSRF token does not match the session): reload the page and try again',
      [],
      { reason: 'csrf' },
    );
}

/** A whole page: the doctype, then the rendered element. */
export async function sendPage(
  reply: FastifyReply,
  status: number,
  page: JSX.Element,
): Promise<FastifyReply> {
  const html = `<!doctype html>${await page}`;
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}

/** A fragment htmx swaps into a page: no doctype, no layout. */
export async function sendFragment(
  reply: FastifyReply,
  fragment: JSX.Element,
): Promise<FastifyReply> {
  return reply
    .status(200)
    .type('text/html; charset=utf-8')
    .send(await fragment);
}

/** Redirect-after-POST (303: the browser follows with GET), or a plain redirect to a page. */
export function seeOther(reply: FastifyReply, to: string): FastifyReply {
  return reply.redirect(to, 303);
}

/** A path of this app to go back to: anything else (another host, a scheme) becomes `fallback`. */
export function localPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string') return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  return value;
}

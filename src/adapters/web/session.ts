import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentRole } from '../http/tokens.js';

/*
 * Web sessions: a cookie holding who signed in, until when, and a random session id,
 * signed with a key derived from the holder token secret (HMAC-SHA256). Nothing is stored
 * server-side: disabling an account revokes its sessions the way it revokes its tokens,
 * through the issue instant (`holderTokenStanding`).
 *
 * Holders and agents have separate cookies and separate logins: an agent's cookie is
 * never read as a holder's, nor the other way round (the kind is inside the signed value,
 * and each reader asks for one kind).
 */

export type SessionKind = 'holder' | 'agent';

export const SESSION_COOKIES: Readonly<Record<SessionKind, string>> = {
  holder: 'offboard_holder',
  agent: 'offboard_agent',
};

/** How long a session lasts after sign-in. Short: the pages hold balances and a kill switch. */
export const SESSION_TTL_MS: Readonly<Record<SessionKind, number>> = {
  holder: 30 * 60_000,
  agent: 8 * 60 * 60_000,
};

export interface HolderSession {
  kind: 'holder';
  /** The account id. */
  subject: string;
  /** Sign-in instant, seconds (compared with the account's token cutoff). */
  issuedAt: number;
  expiresAt: number;
  /** Random, per sign-in: CSRF tokens are bound to it. */
  id: string;
}

export interface AgentSession {
  kind: 'agent';
  /** The agent id. */
  subject: string;
  roles: AgentRole[];
  issuedAt: number;
  expiresAt: number;
  id: string;
}

export type Session = HolderSession | AgentSession;

/** The key that signs sessions and CSRF tokens: never the token secret itself. */
export function sessionKey(tokenSecret: string): Buffer {
  return createHmac('sha256', tokenSecret).update('offboard web session key v1').digest();
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

export function sealSession(key: Buffer, session: Session): string {
  const body = Buffer.from(JSON.stringify(session)).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The session a cookie value holds, when its signature is ours and it has not expired. */
export function openSession<K extends SessionKind>(
  key: Buffer,
  kind: K,
  value: string | undefined,
  now: Date,
): Extract<Session, { kind: K }> | null {
  if (!value) return null;
  const [body, signature, ...rest] = value.split('.');
  if (!body || !signature || rest.length > 0) return null;
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let session: Session;
  try {
    session = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Session;
  } catch {
    return null;
  }
  if (session.kind !== kind || typeof session.subject !== 'string') return null;
  if (typeof session.expiresAt !== 'number' || session.expiresAt * 1000 <= now.getTime())
    return null;
  return session as Extract<Session, { kind: K }>;
}

/** A new session for `subject`, from `now`. */
export function newSession(kind: 'holder', subject: string, now: Date): HolderSession;
export function newSession(
  kind: 'agent',
  subject: string,
  now: Date,
  roles: AgentRole[],
): AgentSession;
export function newSession(
  kind: SessionKind,
  subject: string,
  now: Date,
  roles: AgentRole[] = [],
): Session {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + Math.floor(SESSION_TTL_MS[kind] / 1000);
  const id = randomBytes(16).toString('base64url');
  return kind === 'holder'
    ? { kind, subject, issuedAt, expiresAt, id }
    : { kind, subject, roles, issuedAt, expiresAt, id };
}

/** `Secure` only where the page is served over TLS (directly, or behind a proxy that says so). */
export function cookieOptions(request: FastifyRequest) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.protocol === 'https',
  };
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  key: Buffer,
  session: Session,
): void {
  void reply.setCookie(SESSION_COOKIES[session.kind], sealSession(key, session), {
    ...cookieOptions(request),
    maxAge: SESSION_TTL_MS[session.kind] / 1000,
  });
}

export function clearSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: SessionKind,
): void {
  void reply.clearCookie(SESSION_COOKIES[kind], cookieOptions(request));
}

/** The CSRF token of a session: every form of the session carries it, every POST checks it. */
export function csrfToken(key: Buffer, session: Session): string {
  return mac(key, `csrf:${session.kind}:${session.id}`);
}

export function csrfMatches(key: Buffer, session: Session, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfToken(key, session));
  const presented = Buffer.from(given);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Database } from '../store/database.js';
import { databaseSecret } from '../store/settings-repository.js';

/*
 * Holder and agent tokens are JWTs (RFC 7519) signed with HS256. Only HS256 is accepted,
 * whatever the header says: a token naming "none" or another algorithm is refused, the
 * classic JWT downgrade. `aud` says which kind of token it is, so an agent token is never
 * read as a holder token or the other way round.
 */

export const AGENT_ROLES = ['support', 'compliance', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export const HOLDER_AUDIENCE = 'offboard-holder';
export const AGENT_AUDIENCE = 'offboard-agent';

export type TokenClaims =
  | { kind: 'holder'; accountId: string; issuedAt: number; expiresAt: number }
  | { kind: 'agent'; agentId: string; roles: AgentRole[]; issuedAt: number; expiresAt: number };

/** Tolerated clock difference between the platform that signs and offboard that checks. */
const LEEWAY_S = 30;
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function sign(secret: string, input: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

/** Signs `claims` (standard names: sub, aud, iat, exp in seconds). */
export function signToken(secret: string, claims: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${HEADER}.${payload}.${sign(secret, `${HEADER}.${payload}`)}`;
}

export function mintHolderToken(
  secret: string,
  accountId: string,
  now: Date,
  ttlMs: number,
): { token: string; expiresAt: Date } {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + Math.max(1, Math.floor(ttlMs / 1000));
  return {
    token: signToken(secret, { sub: accountId, aud: HOLDER_AUDIENCE, iat, exp }),
    expiresAt: new Date(exp * 1000),
  };
}

export function mintAgentToken(
  secret: string,
  agentId: string,
  roles: readonly AgentRole[],
  now: Date,
  ttlMs: number,
): { token: string; expiresAt: Date } {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + Math.max(1, Math.floor(ttlMs / 1000));
  return {
    token: signToken(secret, { sub: agentId, aud: AGENT_AUDIENCE, roles, iat, exp }),
    expiresAt: new Date(exp * 1000),
  };
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const isSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The token's claims when its signature, audience and times are good; null otherwise (never why: that helps forgers). */
export function verifyToken(secret: string, token: string, now: Date): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return null;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(secret, `${header}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const head = decodeJson(header);
  if (!head || head['alg'] !== 'HS256') return null;
  const claims = decodeJson(payload);
  if (!claims) return null;
  const { sub, aud, iat, exp } = claims;
  const nowS = Math.floor(now.getTime() / 1000);
  if (typeof sub !== 'string' || sub === '' || sub.length > 200) return null;
  if (!isSeconds(exp) || exp + LEEWAY_S <= nowS) return null;
  if (!isSeconds(iat) || iat - LEEWAY_S > nowS) return null;
  if (typeof claims['nbf'] === 'number' && claims['nbf'] - LEEWAY_S > nowS) return null;
  if (aud === HOLDER_AUDIENCE)
    return { kind: 'holder', accountId: sub, issuedAt: iat, expiresAt: exp };
  if (aud === AGENT_AUDIENCE) {
    const roles = claims['roles'];
    if (
      !Array.isArray(roles) ||
      roles.length === 0 ||
      !roles.every((r) => AGENT_ROLES.includes(r as AgentRole))
    )
      return null;
    return {
      kind: 'agent',
      agentId: sub,
      roles: [...new Set(roles as AgentRole[])],
      issuedAt: iat,
      expiresAt: exp,
    };
  }
  return null;
}

/**
 * The token signing secret: OFFBOARD_TOKEN_SECRET (the platform signs holder tokens with
 * it too), else one generated once and kept in the database, which suits the sandbox.
 */
export async function tokenSecret(database: Database, env: NodeJS.ProcessEnv): Promise<string> {
  const configured = env['OFFBOARD_TOKEN_SECRET'];
  if (configured !== undefined && configured.trim() !== '') return configured;
  return databaseSecret(database, 'token_secret');
}

/** `support,admin` → roles, refusing unknown ones. */
export function parseRoles(text: string): AgentRole[] | null {
  const roles = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (roles.length === 0 || !roles.every((r) => AGENT_ROLES.includes(r as AgentRole))) return null;
  return AGENT_ROLES.filter((r) => roles.includes(r));
}

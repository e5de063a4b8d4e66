import { createHmac, sign as signBytes, webcrypto } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Database } from '../store/database.js';
import { databaseSecret } from '../store/settings-repository.js';

/*
 * Holder and agent tokens are JWTs (RFC 7519) from two issuers who must not be able to
 * stand in for each other:
 *
 * - holder tokens: HS256 with the secret the platform shares with offboard
 *   (OFFBOARD_TOKEN_SECRET), `aud: offboard-holder`;
 * - agent tokens: EdDSA (Ed25519) or ES256, checked against public keys only (a JWKS or a
 *   PEM file from the identity provider), `aud: offboard-agent`. Whoever holds the holder
 *   secret cannot make one.
 *
 * Each kind is checked with its own algorithms and audience: an HS256 token claiming to be
 * an agent's is refused, and so is a token naming "none" or any other algorithm (the
 * classic JWT downgrade). jose does the verifying.
 */

export const AGENT_ROLES = ['support', 'compliance', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export const HOLDER_AUDIENCE = 'offboard-holder';
export const AGENT_AUDIENCE = 'offboard-agent';

export const HOLDER_ALGORITHMS = ['HS256'] as const;
export const AGENT_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256'] as const;

export interface HolderClaims {
  kind: 'holder';
  accountId: string;
  issuedAt: number;
  expiresAt: number;
}
export interface AgentClaims {
  kind: 'agent';
  agentId: string;
  roles: AgentRole[];
  issuedAt: number;
  expiresAt: number;
}
export type TokenClaims = HolderClaims | AgentClaims;

/** What agent tokens are checked against: a public key or a key set, never a shared secret. */
export interface AgentVerifier {
  key: KeyObject | JWTVerifyGetKey;
  /** The algorithms the key(s) may sign with. */
  algorithms: readonly string[];
}

/** Tolerated clock difference between the issuer that signs and offboard that checks. */
export const LEEWAY_S = 30;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const HS256_HEADER = b64({ alg: 'HS256', typ: 'JWT' });
const EDDSA_HEADER = b64({ alg: 'EdDSA', typ: 'JWT' });

/** Signs `claims` with HS256 (standard names: sub, aud, iat, exp in seconds). */
export function signToken(secret: string, claims: Record<string, unknown>): string {
  const input = `${HS256_HEADER}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Signs `claims` with an Ed25519 private key (EdDSA). */
export function signEdDsaToken(privateKey: KeyObject, claims: Record<string, unknown>): string {
  const input = `${EDDSA_HEADER}.${b64(claims)}`;
  return `${input}.${signBytes(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

function lifetime(now: Date, ttlMs: number): { iat: number; exp: number } {
  const iat = Math.floor(now.getTime() / 1000);
  return { iat, exp: iat + Math.max(1, Math.floor(ttlMs / 1000)) };
}

export function mintHolderToken(
  secret: string,
  accountId: string,
  now: Date,
  ttlMs: number,
): { token: string; expiresAt: Date } {
  const { iat, exp } = lifetime(now, ttlMs);
  return {
    token: signToken(secret, { sub: accountId, aud: HOLDER_AUDIENCE, iat, exp }),
    expiresAt: new Date(exp * 1000),
  };
}

/** An agent token signed with an Ed25519 private key (the sandbox's; production agents come from the identity provider). */
export function mintAgentToken(
  privateKey: KeyObject,
  agentId: string,
  roles: readonly AgentRole[],
  now: Date,
  ttlMs: number,
): { token: string; expiresAt: Date } {
  const { iat, exp } = lifetime(now, ttlMs);
  return {
    token: signEdDsaToken(privateKey, { sub: agentId, aud: AGENT_AUDIENCE, roles, iat, exp }),
    expiresAt: new Date(exp * 1000),
  };
}

/** jose's checks (signature, algorithm, audience, exp, nbf) plus ours: a usable `sub`, an `iat` not in the future. */
async function verified(
  token: string,
  key: KeyObject | JWTVerifyGetKey | Uint8Array | webcrypto.CryptoKey,
  options: { algorithms: readonly string[]; audience: string; now: Date },
): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtVerify(token, key as Uint8Array, {
      algorithms: [...options.algorithms],
      audience: options.audience,
      currentDate: options.now,
      clockTolerance: LEEWAY_S,
      requiredClaims: ['sub', 'iat', 'exp'],
    });
    const nowS = Math.floor(options.now.getTime() / 1000);
    const { sub, iat } = payload;
    if (typeof sub !== 'string' || sub === '' || sub.length > 200) return null;
    if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat - LEEWAY_S > nowS) return null;
    return payload;
  } catch {
    return null; // never why: that helps forgers
  }
}

// jose imports a secret given as bytes (or as a KeyObject, which it exports to bytes) into
// a CryptoKey on every check, which cost more than the rest of an eligibility request; a
// CryptoKey it takes as it is. A process checks with one holder secret: its key is kept.
let lastHolderKey: { secret: string; key: Promise<webcrypto.CryptoKey> } | null = null;

function holderKey(secret: string): Promise<webcrypto.CryptoKey> {
  if (lastHolderKey?.secret !== secret) {
    const bytes = new TextEncoder().encode(secret);
    const key = webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ]);
    lastHolderKey = { secret, key };
  }
  return lastHolderKey.key;
}

/** The holder token's claims when it is an HS256 token of the holder secret, for holders, in date; null otherwise. */
export async function verifyHolderToken(
  secret: string,
  token: string,
  now: Date,
): Promise<HolderClaims | null> {
  let key: webcrypto.CryptoKey;
  try {
    key = await holderKey(secret);
  } catch {
    return null; // a secret WebCrypto refuses verifies nothing, as before
  }
  const payload = await verified(token, key, {
    algorithms: HOLDER_ALGORITHMS,
    audience: HOLDER_AUDIENCE,
    now,
  });
  if (!payload) return null;
  return {
    kind: 'holder',
    accountId: payload.sub!,
    issuedAt: payload.iat!,
    expiresAt: payload.exp!,
  };
}

/**
 * Whether claims verified earlier still hold at `now` by the checks that depend on time:
 * the same bounds jose and `verified` apply (`exp` passed by more than the leeway is
 * expired, an `iat` beyond the leeway in the future is refused). The signature, algorithm
 * and audience of the same token string cannot change.
 */
export function stillInDate(claims: TokenClaims, now: Date): boolean {
  const nowS = Math.floor(now.getTime() / 1000);
  return claims.expiresAt > nowS - LEEWAY_S && claims.issuedAt - LEEWAY_S <= nowS;
}

/** The agent token's claims when an agent key signed it, for agents, with known roles, in date; null otherwise. */
export async function verifyAgentToken(
  agents: AgentVerifier,
  token: string,
  now: Date,
): Promise<AgentClaims | null> {
  const payload = await verified(token, agents.key, {
    algorithms: agents.algorithms,
    audience: AGENT_AUDIENCE,
    now,
  });
  if (!payload) return null;
  const roles = payload['roles'];
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    !roles.every((r) => AGENT_ROLES.includes(r as AgentRole))
  )
    return null;
  return {
    kind: 'agent',
    agentId: payload.sub!,
    roles: [...new Set(roles as AgentRole[])],
    issuedAt: payload.iat!,
    expiresAt: payload.exp!,
  };
}

/**
 * A bearer JWT's claims, checked by the issuer its header names: HS256 can only ever be a
 * holder token, an asymmetric algorithm only an agent token. Null for anything else.
 */
export async function verifyToken(
  keys: { holderSecret: string; agents: AgentVerifier },
  token: string,
  now: Date,
): Promise<TokenClaims | null> {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return null;
  }
  if (alg === 'HS256') return verifyHolderToken(keys.holderSecret, token, now);
  if (typeof alg === 'string' && keys.agents.algorithms.includes(alg))
    return verifyAgentToken(keys.agents, token, now);
  return null;
}

/**
 * The holder token secret: OFFBOARD_TOKEN_SECRET (the platform signs holder tokens with
 * it too), else one generated once and kept in the database, which suits the sandbox.
 * It signs holder tokens only: agent identity never comes from it.
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

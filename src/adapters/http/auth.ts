import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { authenticateApiKey, looksLikeApiKey } from '../../app/api-keys.js';
import type { ApiKeyInfo, ApiScope } from '../../app/api-keys.js';
import type { Actor, AppContext } from '../../app/context.js';
import { holderTokenStanding } from '../../app/holder-tokens.js';
import { OffboardError } from '../../domain/errors.js';
import { stillInDate, verifyToken } from './tokens.js';
import type { AgentRole, AgentVerifier, HolderClaims } from './tokens.js';

/** Who is calling, once their credentials are checked. */
export type Principal =
  | { kind: 'holder'; accountId: string; issuedAt: number }
  | { kind: 'agent'; agentId: string; roles: AgentRole[] }
  | { kind: 'platform'; keyId: string; scopes: ApiScope[] };

/** Who may call a route. Every /v1 route declares one; a route nobody may call is a bug. */
export interface Access {
  /** No credentials: health checks and disable links. */
  public?: boolean;
  /** The scope an API key needs. */
  scope?: ApiScope;
  /** Holder tokens may call it, for their own account only. */
  holder?: boolean;
  /**
   * A closed account's holder token may call it too: reading the account's status and
   * its statements. Every other holder route answers 403 OFFBOARD_ERR_ACCOUNT_CLOSED.
   */
  closedAccount?: boolean;
  /** Agent roles, any one of which may call it. */
  roles?: readonly AgentRole[];
}

/** The rate limits a route's attempts may count against (rate-limit.ts). */
export type RateLimitGroup = 'confirm' | 'disable-link';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    rateLimitGroup?: RateLimitGroup;
  }
}

/** The words for the docs and for 403 messages. */
export function describeAccess(access: Access): string {
  if (access.public) return 'No credentials.';
  const who: string[] = [];
  if (access.scope) who.push(`an API key with the \`${access.scope}\` scope`);
  if (access.holder)
    who.push(
      `a holder token (its own account only${access.closedAccount ? ', also once it is closed' : ', not once it is closed'})`,
    );
  if (access.roles)
    who.push(`an agent token with a role of ${access.roles.map((r) => `\`${r}\``).join(', ')}`);
  return `Requires ${who.join('; or ')}.`;
}

// Verified API keys are remembered briefly so a busy key costs no query per request; a
// revoked key stops working within this time. The least recently used go first when full.
const KEY_CACHE_MS = 10_000;
const KEY_CACHE_MAX = 1000;

// A holder's page or app sends the same token with every request. Its signature, checked
// once, is remembered by the exact token string, so a busy holder costs no HMAC per request
// (with WebCrypto through jose, the dearest step of the holder's eligibility check). Only
// the signature check is skipped: the token's expiry is checked against the clock on every
// request (stillInDate), and the account's revocation cutoff (holderTokenStanding below)
// is read fresh on every request, so disabling an account still kills its tokens at once.
// Agent tokens are not remembered: their keys come from the identity provider, which may
// withdraw one.
const HOLDER_TOKEN_CACHE_MAX = 10_000;

interface AuthOptions {
  app: AppContext;
  /** Checks holder tokens (HS256). */
  holderSecret: string;
  /** Checks agent tokens (public keys only). */
  agents: AgentVerifier;
}

export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  // Only keys that verify are remembered: a new key works at once, and a caller trying
  // keys cannot push the real ones out.
  const keyCache = new LRUCache<string, ApiKeyInfo>({ max: KEY_CACHE_MAX, ttl: KEY_CACHE_MS });
  const holderTokens = new LRUCache<string, HolderClaims>({ max: HOLDER_TOKEN_CACHE_MAX });

  const apiKey = async (presented: string): Promise<ApiKeyInfo | null> => {
    const cached = keyCache.get(presented);
    if (cached) return cached;
    const info = await authenticateApiKey(options.app, presented);
    if (info) keyCache.set(presented, info);
    return info;
  };

  const authenticate = async (credential: string): Promise<Principal | null> => {
    if (looksLikeApiKey(credential)) {
      const info = await apiKey(credential);
      return info ? { kind: 'platform', keyId: info.id, scopes: info.scopes } : null;
    }
    const now = options.app.clock.now();
    const known = holderTokens.get(credential);
    const claims =
      known && stillInDate(known, now)
        ? known
        : await verifyToken(
            { holderSecret: options.holderSecret, agents: options.agents },
            credential,
            now,
          );
    if (!claims) return null;
    if (claims.kind === 'holder' && claims !== known) holderTokens.set(credential, claims);
    if (claims.kind === 'agent')
      return { kind: 'agent', agentId: claims.agentId, roles: claims.roles };
    return { kind: 'holder', accountId: claims.accountId, issuedAt: claims.issuedAt };
  };

  app.decorateRequest('principal', null);
  // onRequest, before the body is read: an anonymous caller cannot make the service parse anything.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access.public) return;
    const header = request.headers.authorization;
    if (!header)
      throw new OffboardError(
        'OFFBOARD_ERR_UNAUTHENTICATED',
        'send Authorization: Bearer <API key, holder token or agent token>',
      );
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match)
      throw new OffboardError(
        'OFFBOARD_ERR_UNAUTHENTICATED',
        'the Authorization header must be "Bearer <credential>"',
      );
    const principal = await authenticate(match[1]!);
    if (!principal)
      throw new OffboardError(
        'OFFBOARD_ERR_UNAUTHENTICATED',
        'the credential is invalid, expired or revoked',
      );
    const standing =
      principal.kind === 'holder'
        ? await holderTokenStanding(options.app, principal.accountId, principal.issuedAt)
        : 'good';
    // Disabling an account blocks login: tokens issued before it never work again.
    if (standing === 'revoked')
      throw new OffboardError(
        'OFFBOARD_ERR_UNAUTHENTICATED',
        'the account was disabled after this token was issued; it stays revoked, sign in again for a new one',
      );
    authorize(principal, access);
    if (standing === 'closed' && !access.closedAccount)
      throw new OffboardError(
        'OFFBOARD_ERR_ACCOUNT_CLOSED',
        'the account is closed: this token may still read its status and download its statements, nothing else',
      );
    request.principal = principal;
  });
}

function authorize(principal: Principal, access: Access): void {
  switch (principal.kind) {
    case 'platform':
      if (!access.scope)
        throw new OffboardError(
          'OFFBOARD_ERR_FORBIDDEN',
          `API keys cannot call this route. ${describeAccess(access)}`,
        );
      if (!principal.scopes.includes(access.scope))
        throw new OffboardError(
          'OFFBOARD_ERR_FORBIDDEN',
          `this API key lacks the "${access.scope}" scope this route requires`,
        );
      return;
    case 'holder':
      if (!access.holder)
        throw new OffboardError(
          'OFFBOARD_ERR_FORBIDDEN',
          `holder tokens cannot call this route. ${describeAccess(access)}`,
        );
      return;
    case 'agent':
      if (!access.roles || !access.roles.some((r) => principal.roles.includes(r))) {
        throw new OffboardError(
          'OFFBOARD_ERR_FORBIDDEN',
          access.roles
            ? `this route needs an agent with a role of ${access.roles.join(', ')}`
            : `agent tokens cannot call this route. ${describeAccess(access)}`,
        );
      }
      return;
  }
}

export interface Caller {
  accountId: string;
  actor: Actor;
  audience: 'holder' | 'agent' | 'platform';
}

/**
 * The account a request acts on. A holder reaches only their own: any other id answers
 * exactly like an account that does not exist, so ids cannot be probed.
 */
export function callerFor(request: FastifyRequest, pathAccountId?: string): Caller {
  const principal = request.principal;
  if (!principal)
    throw new OffboardError('OFFBOARD_ERR_UNAUTHENTICATED', 'credentials are required');
  switch (principal.kind) {
    case 'holder':
      if (pathAccountId !== undefined && pathAccountId !== principal.accountId)
        throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${pathAccountId}"`);
      return {
        accountId: principal.accountId,
        actor: { kind: 'holder', id: principal.accountId },
        audience: 'holder',
      };
    case 'platform':
      if (pathAccountId === undefined)
        throw new OffboardError('OFFBOARD_ERR_FORBIDDEN', 'API keys act on /v1/accounts/{id}/...');
      return {
        accountId: pathAccountId,
        actor: { kind: 'platform', id: `key:${principal.keyId}` },
        audience: 'platform',
      };
    case 'agent':
      if (pathAccountId === undefined)
        throw new OffboardError(
          'OFFBOARD_ERR_FORBIDDEN',
          'agents act on /v1/agent/accounts/{id}/...',
        );
      return {
        accountId: pathAccountId,
        actor: { kind: 'agent', id: principal.agentId },
        audience: 'agent',
      };
  }
}

export function agentOf(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal?.kind !== 'agent')
    throw new OffboardError('OFFBOARD_ERR_FORBIDDEN', 'this route is for agents');
  return principal.agentId;
}

/** The idempotency namespace of a caller: keys of different callers never meet. */
export function identityOf(request: FastifyRequest): string {
  const principal = request.principal;
  if (!principal) return `anonymous:${request.ip}`;
  switch (principal.kind) {
    case 'holder':
      return `holder:${principal.accountId}`;
    case 'agent':
      return `agent:${principal.agentId}`;
    case 'platform':
      return `key:${principal.keyId}`;
  }
}

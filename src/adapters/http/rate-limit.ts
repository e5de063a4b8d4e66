import rateLimit from '@fastify/rate-limit';
import type { RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OffboardError } from '../../domain/errors.js';
import type { RateLimitGroup } from './auth.js';

export interface RateRule {
  /** Attempts allowed in one window. */
  max: number;
  /** The window's length; the count starts again when it ends. */
  windowMs: number;
}

// A 6-digit code is already capped at 5 wrong tries per closure; this also slows a caller
// who keeps requesting new closures to guess again. Ten per ten minutes is the rate the
// earlier token bucket allowed (ten at once, then one a minute).
const CONFIRM_RULE: RateRule = { max: 10, windowMs: 600_000 };
const DISABLE_LINK_RULE: RateRule = { max: 20, windowMs: 60_000 };

/** Keys remembered per group; the least recently seen are forgotten first, so memory stays bounded. */
const KEYS_PER_GROUP = 100_000;

export interface RateRules {
  confirm?: RateRule;
  disableLink?: RateRule;
}

/** What a group counts: its rule, whose attempts share a count, and words for the refusal. */
interface Group {
  rule: RateRule;
  key(request: FastifyRequest): string;
  what: string;
}

function groups(rules: RateRules): Record<RateLimitGroup, Group> {
  return {
    // The count is the account's, whoever confirms for it (the holder, or the platform).
    confirm: {
      rule: rules.confirm ?? CONFIRM_RULE,
      key: (request) => {
        const principal = request.principal;
        const params = request.params as { id?: string };
        return `confirm:${principal?.kind === 'holder' ? principal.accountId : (params.id ?? 'unknown')}`;
      },
      what: 'confirmation attempts for this account',
    },
    'disable-link': {
      rule: rules.disableLink ?? DISABLE_LINK_RULE,
      key: (request) => `link:${request.ip}`,
      what: 'disable-link attempts from this address',
    },
  };
}

/**
 * Counts attempts on the routes whose config names a rate-limit group, with
 * @fastify/rate-limit's in-memory store (fixed windows, per process: several processes
 * each keep their own, so the real limit is the per-process one times the processes;
 * that still turns a brute force of a 6-digit code or of link tokens from millions of
 * tries into a handful).
 *
 * One limiter per group, not the plugin's per-route config: the holder's and the
 * platform's confirm routes must share one count per account. It runs as a preHandler,
 * after authentication (the holder's account is the key) and validation, and answers
 * like every other error: OFFBOARD_ERR_RATE_LIMITED with Retry-After (see sendError).
 */
export async function installRateLimits(
  app: FastifyInstance,
  rules: RateRules = {},
): Promise<void> {
  await app.register(rateLimit, { global: false });
  const limiter = ({ rule, key, what }: Group) => {
    // `cache` sizes the store; the plugin passes it on, though its type for this call omits it.
    const options: RateLimitOptions = {
      max: rule.max,
      timeWindow: rule.windowMs,
      cache: KEYS_PER_GROUP,
      keyGenerator: key,
    };
    return { check: app.createRateLimit(options), what };
  };
  const byName = groups(rules);
  const limiters: Record<RateLimitGroup, ReturnType<typeof limiter>> = {
    confirm: limiter(byName.confirm),
    'disable-link': limiter(byName['disable-link']),
  };

  app.addHook('preHandler', async (request) => {
    const group = request.routeOptions.config.rateLimitGroup;
    if (!group) return;
    const { check, what } = limiters[group];
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return;
    const retryAfterSeconds = Math.max(1, result.ttlInSeconds);
    throw new OffboardError(
      'OFFBOARD_ERR_RATE_LIMITED',
      `too many ${what}; retry in ${retryAfterSeconds} s`,
      [],
      { retryAfterSeconds },
    );
  });
}

import { raise } from '../domain/errors.js';
import type { AppContext } from './context.js';

/*
 * Which holder tokens offboard honours. Disabling an account kills every holder token
 * issued until then, for good (the account's cutoff, raised by disable). A closed
 * account's token still reads the account's status and its statements: the law lets the
 * holder have their records, and nothing else remains to do.
 */

/** Tolerated difference between the issuer's clock and ours, as for `iat` itself. */
const CLOCK_LEEWAY_MS = 30_000;

export type HolderTokenStanding = 'good' | 'revoked' | 'closed';

/**
 * Whether a holder token issued at `issuedAtS` (seconds) still stands. A token claiming
 * an instant up to the clock leeway after the cutoff is still refused: a platform whose
 * clock runs ahead could otherwise have issued a token before the disable that outlives it.
 */
export async function holderTokenStanding(
  ctx: AppContext,
  accountId: string,
  issuedAtS: number,
): Promise<HolderTokenStanding> {
  const gate = await ctx.repos.holderTokens.gate(accountId);
  if (gate.notBefore !== null && issuedAtS * 1000 <= gate.notBefore + CLOCK_LEEWAY_MS)
    return 'revoked';
  return gate.closed ? 'closed' : 'good';
}

/** Refuses to mint a holder token for an unknown, disabled or closed account. */
export async function assertHolderTokenMintable(ctx: AppContext, accountId: string): Promise<void> {
  const facts = await ctx.platform.facts(accountId);
  if (!facts) throw raise('OFFBOARD_ERR_UNKNOWN_ACCOUNT', { accountId });
  const [gate, disabled] = await Promise.all([
    ctx.repos.holderTokens.gate(accountId),
    ctx.repos.disablements.findOpen(accountId),
  ]);
  if (facts.status === 'closed' || gate.closed)
    throw raise('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE', {
      accountId,
      status: 'closed',
      refused: 'holder_token',
    });
  if (facts.status === 'disabled' || disabled !== null)
    throw raise('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE', {
      accountId,
      status: 'disabled',
      refused: 'holder_token',
    });
}

import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from './context.js';
import { assertHolderTokenMintable } from './holder-tokens.js';

/*
 * The sandbox's one-time sign-in links to the holder's page: `offboard demo` prints one
 * per scenario account. A link is a random token; only its hash is stored, it works once
 * and expires. In production the platform signs the holder in with a holder token instead
 * (the same JWT the API takes): see docs/web.md.
 */

const PREFIX = 'osl_';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Whether `token` has the form of a sign-in link token (as opposed to a holder JWT). */
export function looksLikeSignInLink(token: string): boolean {
  return token.startsWith(PREFIX) && token.length < 100;
}

/** A new link token for the account, refused for an unknown, disabled or closed account. */
export async function issueSignInLink(
  ctx: AppContext,
  accountId: string,
  now: Date,
  ttlMs: number,
): Promise<{ token: string; expiresAt: Date }> {
  await assertHolderTokenMintable(ctx, accountId);
  const token = `${PREFIX}${randomBytes(24).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + ttlMs);
  await ctx.repos.signInLinks.insert({
    tokenHash: sha256(token),
    accountId,
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt };
}

/** Uses the link up: the account it signs in, or null (never issued, used, expired). */
export async function redeemSignInLink(
  ctx: AppContext,
  token: string,
  now: Date,
): Promise<string | null> {
  if (!looksLikeSignInLink(token)) return null;
  return ctx.repos.signInLinks.consume(sha256(token), now);
}

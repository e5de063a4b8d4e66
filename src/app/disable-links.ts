import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Repositories } from '../ports/unit-of-work.js';
import type { AppContext } from './context.js';

/*
 * A disable link is the holder's kill switch, even when an attacker holds the password:
 * `<account>.<expiry>.<nonce>.<signature>`, HMAC-signed with the link secret. Only its
 * hash is stored, so a database reader cannot redeem links; each works once and expires.
 */

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const unb64 = (text: string) => Buffer.from(text, 'base64url').toString('utf8');

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Creates a link token inside the transaction that sends it. */
export async function issueDisableLink(
  ctx: AppContext,
  repos: Repositories,
  accountId: string,
  now: Date,
): Promise<string> {
  const expiresAt = now.getTime() + ctx.disableLinkTtlMs;
  const payload = `${b64(accountId)}.${Math.floor(expiresAt / 1000)}.${randomBytes(12).toString('base64url')}`;
  const token = `${payload}.${sign(ctx.linkSecret, payload)}`;
  await repos.disableLinks.insert({
    tokenHash: sha256(token),
    accountId,
    createdAt: now,
    expiresAt: new Date(expiresAt),
  });
  return token;
}

export function disableLinkUrl(ctx: AppContext, token: string): string {
  return `${ctx.publicUrl.replace(/\/$/, '')}/v1/disable-links/${token}`;
}

export type LinkCheck =
  | { ok: true; accountId: string; tokenHash: string }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'used' | 'unknown' };

/** Checks a token's form, signature and expiry (no database): what a forged link fails. */
export function checkDisableLinkSignature(secret: string, token: string, now: Date): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'malformed' };
  const [account, expiry, nonce, signature] = parts as [string, string, string, string];
  const expected = Buffer.from(sign(secret, `${account}.${expiry}.${nonce}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'bad_signature' };
  if (!/^\d+$/.test(expiry) || Number(expiry) * 1000 <= now.getTime())
    return { ok: false, reason: 'expired' };
  return { ok: true, accountId: unb64(account), tokenHash: sha256(token) };
}

/**
 * The token in what the holder pasted: the whole link from the message
 * (`https://.../v1/disable-links/TOKEN`, perhaps in <angle brackets>) or the token alone.
 */
export function disableLinkToken(input: string): string {
  const text = input.trim().replace(/^<(.*)>$/, '$1');
  const match = /\/v1\/disable-links\/([^/?#\s]+)/.exec(text);
  if (!match) return text;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1]!; // not percent-encoded after all: the signature check will say so
  }
}

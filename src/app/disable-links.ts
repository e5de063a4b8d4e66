import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from '../adapters/store/audit-repository.js';
import type { Tx } from '../adapters/store/database.js';
import type { AppContext } from './context.js';

/*
 * A disable link is the holder's kill switch, even when an attacker holds the password:
 * `<account>.<expiry>.<nonce>.<signature>`, HMAC-signed with the link secret. Only its
 * hash is stored, so a database reader cannot redeem links; each works once and expires.
 */

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const unb64 = (text: string) => Buffer.from(text, 'base64url').toString('utf8');

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Creates a link token inside the transaction that sends it. */
export async function issueDisableLink(ctx: AppContext, tx: Tx, accountId: string, now: Date): Promise<string> {
  const expiresAt = now.getTime() + ctx.disableLinkTtlMs;
  const payload = `${b64(accountId)}.${Math.floor(expiresAt / 1000)}.${randomBytes(12).toString('base64url')}`;
  const token = `${payload}.${sign(ctx.linkSecret, payload)}`;
  await tx.insertInto('disable_links').values({ token_hash: sha256(token), account_id: accountId, created_at: now.getTime(), expires_at: expiresAt, used_at: null }).execute();
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
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  if (!/^\d+$/.test(expiry) || Number(expiry) * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, accountId: unb64(account), tokenHash: sha256(token) };
}

/**
 * Marks the link used inside the caller's transaction; says why when it was used or never
 * issued. The update decides, not a read before it: of two redemptions racing, one wins.
 */
export async function consumeDisableLink(tx: Tx, tokenHash: string, now: Date): Promise<'used' | 'unknown' | null> {
  const updated = await tx.updateTable('disable_links').set({ used_at: now.getTime() }).where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 1) return null;
  return (await disableLinkProblem(tx, tokenHash)) ?? 'used';
}

/** Why a link cannot be redeemed (used, never issued), or null when it still can be; reads only. */
export async function disableLinkProblem(db: Pick<Tx, 'selectFrom'>, tokenHash: string): Promise<'used' | 'unknown' | null> {
  const row = await db.selectFrom('disable_links').select(['used_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
  if (!row) return 'unknown';
  return row.used_at === null ? null : 'used';
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

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendAudit } from '../adapters/store/audit-repository.js';
import { inTransaction } from '../adapters/store/database.js';
import type { Database } from '../adapters/store/database.js';
import {
  findApiKey,
  insertApiKey,
  listApiKeys as listRows,
  revokeApiKey as revokeRow,
} from '../adapters/store/http-repository.js';
import type { ApiKeyRow } from '../adapters/store/http-repository.js';
import { raise } from '../domain/errors.js';
import type { Actor } from './context.js';

/** What an API key may do: read (eligibility, status, listings), write (act on accounts), admin (enable, scan, audit, keys). */
export const API_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: ApiScope[];
  createdAt: Date;
  revokedAt: Date | null;
}

const PREFIX = 'obk_';
const KEY_FORM = /^obk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

// The secret is 256 random bits, so a plain SHA-256 cannot be brute-forced; a slow
// password hash would only slow every request down.
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** `read,write` → the scopes, refusing unknown names. */
export function parseScopes(text: string): ApiScope[] {
  const scopes = new Set<ApiScope>();
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!API_SCOPES.includes(item as ApiScope)) {
      throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', {
        problem: 'unknown_scope',
        got: item,
        allowed: API_SCOPES,
      });
    }
    scopes.add(item as ApiScope);
  }
  if (scopes.size === 0)
    throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', { problem: 'no_scope', allowed: API_SCOPES });
  return API_SCOPES.filter((s) => scopes.has(s));
}

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(',').filter((s): s is ApiScope => API_SCOPES.includes(s as ApiScope)),
    createdAt: new Date(Number(row.created_at)),
    revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)),
  };
}

/** Creates a key and returns it whole, once: only its hash is stored. */
export async function createApiKey(
  database: Database,
  input: { name: string; scopes: readonly ApiScope[]; now: Date; actor: Actor },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const row = {
    id,
    name: input.name,
    secret_hash: hashSecret(secret),
    scopes: input.scopes.join(','),
    created_at: input.now.getTime(),
    revoked_at: null,
  };
  await inTransaction(database, async (tx) => {
    await insertApiKey(tx, row);
    await appendAudit(database, tx, {
      at: input.now.getTime(),
      actorKind: input.actor.kind,
      actorId: input.actor.id,
      action: 'api_key.create',
      accountId: null,
      data: JSON.stringify({ keyId: id, scopes: input.scopes }),
    });
  });
  return { key: `${PREFIX}${id}_${secret}`, info: toInfo(row) };
}

export async function listApiKeys(database: Database): Promise<ApiKeyInfo[]> {
  return (await listRows(database.db)).map(toInfo);
}

export async function revokeApiKey(
  database: Database,
  input: { id: string; now: Date; actor: Actor },
): Promise<void> {
  const revoked = await inTransaction(database, async (tx) => {
    if (!(await revokeRow(tx, input.id, input.now.getTime()))) return false;
    await appendAudit(database, tx, {
      at: input.now.getTime(),
      actorKind: input.actor.kind,
      actorId: input.actor.id,
      action: 'api_key.revoke',
      accountId: null,
      data: JSON.stringify({ keyId: input.id }),
    });
    return true;
  });
  if (!revoked) throw raise('OFFBOARD_ERR_NOT_FOUND', { record: 'api_key', id: input.id });
}

export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(PREFIX);
}

/** The key's record when `presented` is a live key, else null (never says which part was wrong). */
export async function authenticateApiKey(
  database: Database,
  presented: string,
): Promise<ApiKeyInfo | null> {
  const match = KEY_FORM.exec(presented);
  if (!match) return null;
  const row = await findApiKey(database.db, match[1]!);
  if (!row || row.revoked_at !== null) return null;
  const expected = Buffer.from(row.secret_hash, 'hex');
  const given = Buffer.from(hashSecret(match[2]!), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return toInfo(row);
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { raise } from '../domain/errors.js';
import type { ApiKeyRecord } from '../ports/api-keys.js';
import type { Store } from '../ports/unit-of-work.js';
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

function toInfo(record: ApiKeyRecord): ApiKeyInfo {
  return {
    id: record.id,
    name: record.name,
    scopes: record.scopes.filter((s): s is ApiScope => API_SCOPES.includes(s as ApiScope)),
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
  };
}

/** Creates a key and returns it whole, once: only its hash is stored. */
export async function createApiKey(
  store: Store,
  input: { name: string; scopes: readonly ApiScope[]; now: Date; actor: Actor },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = {
    id,
    name: input.name,
    secretHash: hashSecret(secret),
    scopes: [...input.scopes],
    createdAt: input.now,
    revokedAt: null,
  };
  await store.unitOfWork.run(async (repos) => {
    await repos.apiKeys.insert(record);
    await repos.audit.append({
      at: input.now.getTime(),
      actorKind: input.actor.kind,
      actorId: input.actor.id,
      action: 'api_key.create',
      accountId: null,
      data: JSON.stringify({ keyId: id, scopes: input.scopes }),
    });
  });
  return { key: `${PREFIX}${id}_${secret}`, info: toInfo(record) };
}

export async function listApiKeys(store: Store): Promise<ApiKeyInfo[]> {
  return (await store.repos.apiKeys.list()).map(toInfo);
}

export async function revokeApiKey(
  store: Store,
  input: { id: string; now: Date; actor: Actor },
): Promise<void> {
  const revoked = await store.unitOfWork.run(async (repos) => {
    if (!(await repos.apiKeys.revoke(input.id, input.now))) return false;
    await repos.audit.append({
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
  store: Store,
  presented: string,
): Promise<ApiKeyInfo | null> {
  const match = KEY_FORM.exec(presented);
  if (!match) return null;
  const row = await store.repos.apiKeys.find(match[1]!);
  if (!row || row.revokedAt !== null) return null;
  const expected = Buffer.from(row.secretHash, 'hex');
  const given = Buffer.from(hashSecret(match[2]!), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return toInfo(row);
}

import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { raise } from '../../domain/errors.js';
import type { Database } from '../store/database.js';
import { databaseSetting } from '../store/settings-repository.js';
import { KEY_BYTES, kekOf, keyringOf } from './envelope.js';
import type { Kek, Keyring } from './envelope.js';

/** The settings key of the sandbox KEK: generated once and kept in the database, demo only. */
export const SANDBOX_KEK_SETTING = 'sandbox_kek';

/**
 * KEKs as configured: one or more 32-byte keys (base64, base64url or 64 hex digits),
 * separated by commas or new lines, the first the current one. Older keys stay listed
 * until `offboard kek rotate` has re-wrapped every data key they wrap.
 */
export function parseKeks(text: string, source: string): Kek[] {
  const keks: Kek[] = [];
  for (const [index, raw] of text
    .split(/[,\n]/)
    .map((part) => part.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .entries()) {
    const bytes = /^[0-9a-fA-F]{64}$/.test(raw)
      ? Buffer.from(raw, 'hex')
      : Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64');
    if (bytes.length !== KEY_BYTES)
      throw raise('OFFBOARD_ERR_INVALID_KEK', {
        source,
        problem: `key ${index + 1} is ${bytes.length} bytes, not ${KEY_BYTES} (generate one with: openssl rand -base64 32)`,
      });
    keks.push(kekOf(bytes));
  }
  if (keks.length === 0)
    throw raise('OFFBOARD_ERR_INVALID_KEK', { source, problem: 'it holds no key' });
  return keks;
}

/**
 * The keyring: OFFBOARD_KEK, else the file OFFBOARD_KEK_FILE names, else the sandbox KEK
 * kept in the database. The sandbox KEK sits beside the data it protects, so it protects
 * nothing at rest: it is there so the demo works out of the box. Erasure still works with
 * it (destroying a data key needs no KEK), but production sets OFFBOARD_KEK(_FILE).
 */
export async function keyringFromEnv(env: NodeJS.ProcessEnv, database: Database): Promise<Keyring> {
  const inline = env['OFFBOARD_KEK'];
  if (inline !== undefined && inline !== '')
    return keyringOf(parseKeks(inline, 'OFFBOARD_KEK'), 'env');
  const file = env['OFFBOARD_KEK_FILE'];
  if (file !== undefined && file !== '') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw raise('OFFBOARD_ERR_INVALID_KEK', {
        source: `OFFBOARD_KEK_FILE (${file})`,
        problem: `cannot read it: ${(error as Error).message}`,
      });
    }
    return keyringOf(parseKeks(text, `OFFBOARD_KEK_FILE (${file})`), 'file');
  }
  return sandboxKeyring(database);
}

/** The sandbox keyring of this database, generated on first use. */
export async function sandboxKeyring(database: Database): Promise<Keyring> {
  const text = await databaseSetting(database, SANDBOX_KEK_SETTING, () =>
    randomBytes(KEY_BYTES).toString('base64'),
  );
  return keyringOf(parseKeks(text, 'the sandbox KEK'), 'sandbox');
}

/** A new sandbox KEK in front of the old ones (rotation in the sandbox); returns the new keyring. */
export async function addSandboxKek(database: Database): Promise<Keyring> {
  const current = await sandboxKeyring(database);
  const text = [
    randomBytes(KEY_BYTES).toString('base64'),
    ...[...current.all.values()].map((k) => k.key.toString('base64')),
  ].join(',');
  await database.db
    .updateTable('settings')
    .set({ value: text })
    .where('key', '=', SANDBOX_KEK_SETTING)
    .execute();
  return sandboxKeyring(database);
}

/** Keeps only the current sandbox KEK, once every data key is re-wrapped by it. */
export async function dropOldSandboxKeks(database: Database, keyring: Keyring): Promise<void> {
  await database.db
    .updateTable('settings')
    .set({ value: keyring.current.key.toString('base64') })
    .where('key', '=', SANDBOX_KEK_SETTING)
    .execute();
}

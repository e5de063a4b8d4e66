import { randomBytes } from 'node:crypto';
import type { Database } from './database.js';

/**
 * A value generated once per database and kept in it: the first caller's `make()` wins,
 * every later caller (in any process) reads the same value.
 */
export async function databaseSetting(
  database: Database,
  key: string,
  make: () => string,
): Promise<string> {
  const existing = await database.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  if (existing) return existing.value;
  await database.db
    .insertInto('settings')
    .values({ key, value: make() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await database.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  return row.value;
}

/**
 * A secret generated once per database and kept in it, for signing disable links in the
 * sandbox. Production sets OFFBOARD_SECRET instead, so the secret lives outside the data.
 */
export function databaseSecret(database: Database, key: string): Promise<string> {
  return databaseSetting(database, key, () => randomBytes(32).toString('base64url'));
}

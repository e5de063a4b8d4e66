import { randomBytes } from 'node:crypto';
import type { Database } from './database.js';

/**
 * A secret generated once per database and kept in it, for signing disable links in the
 * sandbox. Production sets OFFBOARD_SECRET instead, so the secret lives outside the data.
 */
export async function databaseSecret(database: Database, key: string): Promise<string> {
  const existing = await database.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  if (existing) return existing.value;
  await database.db
    .insertInto('settings')
    .values({ key, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await database.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}

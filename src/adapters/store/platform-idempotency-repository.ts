import type { Db } from './database.js';

/** All SQL of the sandbox platform server's Idempotency-Keys. */

export interface RememberedAnswer {
  requestHash: string;
  status: number;
  response: string;
}

export class PlatformIdempotencyRepository {
  constructor(private readonly db: Db) {}

  async find(key: string): Promise<RememberedAnswer | null> {
    const row = await this.db
      .selectFrom('platform_idempotency_keys')
      .select(['request_hash', 'status', 'response'])
      .where('key', '=', key)
      .executeTakeFirst();
    return row
      ? { requestHash: row.request_hash, status: Number(row.status), response: row.response }
      : null;
  }

  /**
   * Remembers the first answer to `key`. When a racing request remembered one first, that
   * one stays and is returned, so both callers answer alike.
   */
  async remember(key: string, answer: RememberedAnswer, now: Date): Promise<RememberedAnswer> {
    await this.db
      .insertInto('platform_idempotency_keys')
      .values({
        key,
        request_hash: answer.requestHash,
        status: answer.status,
        response: answer.response,
        created_at: now.getTime(),
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.find(key)) ?? answer;
  }
}

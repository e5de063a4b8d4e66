import type { DisableLinkRepository } from '../../ports/disable-links.js';
import type { Db } from './database.js';

/** All SQL of disable links (only token hashes are stored). */

/** The disable links, bound to `db` (the pool or one transaction). */
export class KyselyDisableLinkRepository implements DisableLinkRepository {
  constructor(private readonly db: Db) {}

  async insert(link: {
    tokenHash: string;
    accountId: string;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.db
      .insertInto('disable_links')
      .values({
        token_hash: link.tokenHash,
        account_id: link.accountId,
        created_at: link.createdAt.getTime(),
        expires_at: link.expiresAt.getTime(),
        used_at: null,
      })
      .execute();
  }

  async consume(tokenHash: string, now: Date): Promise<'used' | 'unknown' | null> {
    const updated = await this.db
      .updateTable('disable_links')
      .set({ used_at: now.getTime() })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) return null;
    return (await this.problem(tokenHash)) ?? 'used';
  }

  async problem(tokenHash: string): Promise<'used' | 'unknown' | null> {
    const row = await this.db
      .selectFrom('disable_links')
      .select(['used_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return 'unknown';
    return row.used_at === null ? null : 'used';
  }
}

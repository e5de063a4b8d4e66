import type { SignInLinkRepository } from '../../ports/sign-in-links.js';
import type { Db } from './database.js';

/** All SQL of web sign-in links (only token hashes are stored). */
export class KyselySignInLinkRepository implements SignInLinkRepository {
  constructor(private readonly db: Db) {}

  async insert(link: {
    tokenHash: string;
    accountId: string;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.db
      .insertInto('sign_in_links')
      .values({
        token_hash: link.tokenHash,
        account_id: link.accountId,
        created_at: link.createdAt.getTime(),
        expires_at: link.expiresAt.getTime(),
        used_at: null,
      })
      .execute();
  }

  async consume(tokenHash: string, now: Date): Promise<string | null> {
    const row = await this.db
      .selectFrom('sign_in_links')
      .select(['account_id'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return null;
    const updated = await this.db
      .updateTable('sign_in_links')
      .set({ used_at: now.getTime() })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.getTime())
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1 ? row.account_id : null;
  }
}

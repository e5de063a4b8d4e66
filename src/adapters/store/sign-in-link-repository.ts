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
    // One conditional UPDATE, as the agent console's links: of two uses racing, only one
    // sees its row change, and no read before it.
    const row = await this.db
      .updateTable('sign_in_links')
      .set({ used_at: now.getTime() })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.getTime())
      .returning(['account_id'])
      .executeTakeFirst();
    return row?.account_id ?? null;
  }
}

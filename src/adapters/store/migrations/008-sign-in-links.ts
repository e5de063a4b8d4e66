import type { OffboardMigration } from './types.js';

export const signInLinksMigration: OffboardMigration = {
  name: '008-sign-in-links',
  async up(db) {
    // The sandbox's one-time links to the holder's page (`offboard demo` prints them):
    // the hash of each token, whose account, until when, and when it was used.
    await db.schema
      .createTable('sign_in_links')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
  },
};

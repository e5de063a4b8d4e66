import type { OffboardMigration } from './types.js';

export const holderTokensMigration: OffboardMigration = {
  name: '004-holder-tokens',
  async up(db) {
    // One row per account that was ever disabled: holder tokens issued at or before
    // `not_before` are refused for good, even after the account is enabled again.
    await db.schema
      .createTable('holder_token_cutoffs')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('not_before', 'bigint', (c) => c.notNull())
      .execute();
  },
};

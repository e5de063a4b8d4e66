import type { OffboardMigration } from './types.js';

export const platformIdempotencyMigration: OffboardMigration = {
  name: '005-platform-idempotency',
  async up(db) {
    // The sandbox platform server's memory of Idempotency-Keys: one row per key, with
    // the request it was first used for and the answer it got. Closures span weeks, so
    // the contract asks for at least 30 days; the sandbox keeps them until purged.
    await db.schema
      .createTable('platform_idempotency_keys')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('response', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('platform_idempotency_keys_created')
      .on('platform_idempotency_keys')
      .column('created_at')
      .execute();
  },
};

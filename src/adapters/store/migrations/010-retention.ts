import type { OffboardMigration } from './types.js';

export const retentionMigration: OffboardMigration = {
  name: '010-retention',
  async up(db, t) {
    // One data key per subject (an account), wrapped by a KEK: deleting the row is the
    // erasure of everything sealed under it (docs/retention.md).
    await db.schema
      .createTable('data_keys')
      .addColumn('subject', 'text', (c) => c.primaryKey())
      .addColumn('kek_id', 'text', (c) => c.notNull())
      .addColumn('wrapped', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('data_keys_kek').on('data_keys').column('kek_id').execute();

    // The erasure job of a closed account: scheduled at closure, due when a retention
    // period ends, claimed with a lease like closures.
    await db.schema
      .createTable('erasures')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('jurisdiction', 'text', (c) => c.notNull())
      .addColumn('closed_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('due_at', 'bigint')
      .addColumn('erased_classes', 'text', (c) => c.notNull())
      .addColumn('held_since', 'bigint')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('erasures_due').on('erasures').column('due_at').execute();

    // Signed certificates, one per erasure step: what went, when, why, and what stayed.
    await db.schema
      .createTable('erasure_certificates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('erasure_certificates_account')
      .on('erasure_certificates')
      .columns(['account_id', 'issued_at'])
      .execute();

    // Account ids and instants only: copied to a file outside the database, which a
    // restore replays so an old backup does not bring erased people back.
    await db.schema
      .createTable('erasure_journal')
      .addColumn('seq', t.serial, t.serialPrimaryKey)
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('erased_at', 'bigint', (c) => c.notNull())
      .addColumn('classes', 'text', (c) => c.notNull())
      .addColumn('copied', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('erasure_journal_uncopied')
      .on('erasure_journal')
      .column('copied')
      .execute();
  },
};

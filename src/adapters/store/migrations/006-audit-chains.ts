import { sql } from 'kysely';
import type { OffboardMigration } from './types.js';

const GENESIS_HASH = '0'.repeat(64);

export const auditChainsMigration: OffboardMigration = {
  name: '006-audit-chains',
  async up(db, t, options) {
    // The log written so far stays as it is: its rows become the legacy chain (chain
    // null), still hashed and verified as before against `audit_head`. New entries go to
    // the system chain (0) or one of P account chains, each with its own head row.
    await db.schema.alterTable('audit_log').addColumn('chain', 'integer').execute();
    await db.schema.alterTable('audit_log').addColumn('chain_seq', 'bigint').execute();
    await sql`update audit_log set chain_seq = seq where chain is null`.execute(db);
    // The single-chain writer chose `seq` itself; from now on the database does. On
    // PostgreSQL the column's sequence never saw those values, so it starts after them
    // (SQLite's AUTOINCREMENT already does).
    if (t.serial === 'bigserial') {
      await sql`select setval(pg_get_serial_sequence('audit_log', 'seq'), coalesce(max(seq), 0) + 1, false) from audit_log`.execute(
        db,
      );
    }
    await db.schema
      .createIndex('audit_log_chain')
      .on('audit_log')
      .columns(['chain', 'chain_seq'])
      .unique()
      .execute();
    await db.schema
      .createTable('audit_chains')
      .addColumn('chain', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    // Every head row exists from the start: an append locks its chain's row with the
    // update that advances it, and the number of chains is read from here, fixed.
    const heads = Array.from({ length: options.auditChains + 1 }, (_, chain) => ({
      chain,
      seq: 0,
      hash: GENESIS_HASH,
    }));
    await db.insertInto('audit_chains').values(heads).execute();
    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('heads', 'text', (c) => c.notNull())
      .addColumn('root', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .execute();
  },
};

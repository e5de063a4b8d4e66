import { sql } from 'kysely';
import type { OffboardMigration } from './types.js';

// Foreign keys are checked per statement, except inside a bulk load that defers them to
// commit (generators emit an account's history before the account row).
const DEFERRABLE = sql`deferrable initially immediate`;

export const ledgerMigration: OffboardMigration = {
  name: '001-ledger',
  async up(db, t) {
    await db.schema
      .createTable('holders')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('phone', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('holder_id', 'text', (c) =>
        c.notNull().references('holders.id').modifyEnd(DEFERRABLE),
      )
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('jurisdiction', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
      .addColumn('status_before_freeze', 'text')
      .addColumn('last_trade_at', 'bigint')
      .addColumn('last_withdrawal_at', 'bigint')
      .addColumn('last_deposit_at', 'bigint')
      .addColumn('last_security_change_at', 'bigint')
      .addCheckConstraint(
        'accounts_status',
        sql`status in ('active', 'disabled', 'frozen', 'closed')`,
      )
      .execute();
    await db.schema.createIndex('accounts_holder').on('accounts').column('holder_id').execute();
    await db.schema
      .createIndex('accounts_jurisdiction')
      .on('accounts')
      .columns(['jurisdiction', 'id'])
      .execute();

    await db.schema
      .createTable('assets')
      .addColumn('code', 'text', (c) => c.primaryKey())
      .addColumn('decimals', 'integer', (c) => c.notNull())
      .addColumn('price_minor', t.money)
      .addColumn('allow_negative', 'integer', (c) => c.notNull().defaultTo(0))
      .addCheckConstraint('assets_decimals', sql`decimals between 0 and 36`)
      .execute();

    await db.schema
      .createTable('balances')
      .addColumn('account_id', 'text', (c) =>
        c.notNull().references('accounts.id').modifyEnd(DEFERRABLE),
      )
      .addColumn('asset', 'text', (c) =>
        c.notNull().references('assets.code').modifyEnd(DEFERRABLE),
      )
      .addColumn('available', t.money, (c) => c.notNull())
      .addColumn('locked', t.money, (c) => c.notNull())
      .addPrimaryKeyConstraint('balances_pk', ['account_id', 'asset'])
      .execute();

    await db.schema
      .createTable('transactions')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('account_id', 'text', (c) =>
        c.notNull().references('accounts.id').modifyEnd(DEFERRABLE),
      )
      .addColumn('asset', 'text', (c) =>
        c.notNull().references('assets.code').modifyEnd(DEFERRABLE),
      )
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('amount', t.money, (c) => c.notNull())
      .addColumn('fee', t.money, (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('counterparty', 'text')
      .addColumn('reference', 'text')
      .addColumn('cancellable', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addCheckConstraint(
        'transactions_type',
        sql`type in ('deposit', 'withdrawal', 'trade', 'fee', 'transfer', 'dust_sweep', 'return')`,
      )
      .addCheckConstraint('transactions_status', sql`status in ('pending', 'completed', 'failed')`)
      .execute();
    await db.schema
      .createIndex('transactions_account')
      .on('transactions')
      .columns(['account_id', 'id'])
      .execute();
    await db.schema
      .createIndex('transactions_pending')
      .on('transactions')
      .column('account_id')
      .where(sql.ref('status'), '=', 'pending')
      .execute();

    await db.schema
      .createTable('orders')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) =>
        c.notNull().references('accounts.id').modifyEnd(DEFERRABLE),
      )
      .addColumn('side', 'text', (c) => c.notNull())
      .addColumn('asset', 'text', (c) =>
        c.notNull().references('assets.code').modifyEnd(DEFERRABLE),
      )
      .addColumn('locked', t.money, (c) => c.notNull())
      .addColumn('counter_asset', 'text', (c) =>
        c.notNull().references('assets.code').modifyEnd(DEFERRABLE),
      )
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('closed_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('orders_open')
      .on('orders')
      .column('account_id')
      .where(sql.ref('status'), '=', 'open')
      .execute();

    await db.schema
      .createTable('disputes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) =>
        c.notNull().references('accounts.id').modifyEnd(DEFERRABLE),
      )
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('asset', 'text', (c) =>
        c.notNull().references('assets.code').modifyEnd(DEFERRABLE),
      )
      .addColumn('amount', t.money, (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .addColumn('resolved_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('disputes_open')
      .on('disputes')
      .column('account_id')
      .where(sql.ref('status'), '=', 'open')
      .execute();

    await db.schema
      .createTable('authorizations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) =>
        c.notNull().references('accounts.id').modifyEnd(DEFERRABLE),
      )
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('authorizations_active')
      .on('authorizations')
      .column('account_id')
      .where(sql.ref('status'), '=', 'active')
      .execute();

    await db.schema
      .createTable('credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) =>
        c.notNull().references('accounts.id').modifyEnd(DEFERRABLE),
      )
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('credentials_active')
      .on('credentials')
      .column('account_id')
      .where(sql.ref('status'), '=', 'active')
      .execute();

    await db.schema
      .createTable('holds')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) =>
        c.notNull().references('accounts.id').modifyEnd(DEFERRABLE),
      )
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('placed_at', 'bigint', (c) => c.notNull())
      .addColumn('lifted_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('holds_active')
      .on('holds')
      .column('account_id')
      .where(sql.ref('status'), '=', 'active')
      .execute();

    await db.schema
      .createTable('ledger_effects')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

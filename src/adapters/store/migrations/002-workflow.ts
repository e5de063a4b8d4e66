import { sql } from 'kysely';
import type { OffboardMigration } from './types.js';

const OPEN_STATES = sql<boolean>`state in ('requested', 'grace', 'finalizing', 'escalated')`;

export const workflowMigration: OffboardMigration = {
  name: '002-workflow',
  async up(db, t) {
    await db.schema
      .createTable('closures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('confirmed_at', 'bigint')
      .addColumn('confirmation_expires_at', 'bigint', (c) => c.notNull())
      .addColumn('due_at', 'bigint')
      .addColumn('grace_ends_at', 'bigint')
      .addColumn('earliest_eligible_at', 'bigint')
      .addColumn('ended_at', 'bigint')
      .addColumn('consent', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('verdict', 'text')
      .addColumn('decision', 'text')
      .addColumn('code_hash', 'text')
      .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // One open closure per account: a second request finds the first.
    await db.schema
      .createIndex('closures_one_open')
      .on('closures')
      .column('account_id')
      .unique()
      .where(OPEN_STATES)
      .execute();
    await db.schema
      .createIndex('closures_account')
      .on('closures')
      .columns(['account_id', 'created_at'])
      .execute();
    await db.schema
      .createIndex('closures_due')
      .on('closures')
      .column('due_at')
      .where(OPEN_STATES)
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('seq', t.serial, t.serialPrimaryKey)
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('audit_log_account')
      .on('audit_log')
      .columns(['account_id', 'seq'])
      .execute();
    await db.schema
      .createTable('audit_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('outbox')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('dispatched', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('outbox_undispatched')
      .on('outbox')
      .column('id')
      .where(sql.ref('dispatched'), '=', 0)
      .execute();

    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('outbox_id', 'bigint', (c) => c.notNull())
      .addColumn('endpoint', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('delivered_at', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addUniqueConstraint('webhook_deliveries_once', ['outbox_id', 'endpoint'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_due')
      .on('webhook_deliveries')
      .column('next_attempt_at')
      .where(sql.ref('status'), '=', 'pending')
      .execute();

    await db.schema
      .createTable('mailbox')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
      .execute();
    await db.schema
      .createIndex('mailbox_account')
      .on('mailbox')
      .columns(['account_id', 'id'])
      .execute();

    await db.schema
      .createTable('disable_links')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();

    await db.schema
      .createTable('disablements')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('enable_not_before', 'bigint', (c) => c.notNull())
      .addColumn('enabled_at', 'bigint')
      .execute();
    // Process-wide settings such as the generated link-signing secret.
    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createIndex('disablements_account')
      .on('disablements')
      .columns(['account_id', 'id'])
      .execute();
  },
};

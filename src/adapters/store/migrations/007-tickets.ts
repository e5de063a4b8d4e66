import type { OffboardMigration } from './types.js';

export const ticketsMigration: OffboardMigration = {
  name: '007-tickets',
  async up(db, t) {
    await db.schema
      .createTable('tickets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('assignee', 'text')
      .addColumn('closure_id', 'text')
      .addColumn('blocker_code', 'text')
      .addColumn('verdict', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('first_responded_at', 'bigint')
      .addColumn('resolved_at', 'bigint')
      .addColumn('closed_at', 'bigint')
      .addColumn('paused_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('paused_since', 'bigint')
      .addColumn('sla_signals', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('next_sla_at', 'bigint')
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('tickets_account')
      .on('tickets')
      .columns(['account_id', 'created_at'])
      .execute();
    await db.schema
      .createIndex('tickets_state')
      .on('tickets')
      .columns(['state', 'created_at'])
      .execute();
    // The worker's sweep: tickets whose SLA timer is due.
    await db.schema.createIndex('tickets_next_sla').on('tickets').column('next_sla_at').execute();

    await db.schema
      .createTable('ticket_messages')
      // Messages of one instant (a fixed clock, a reply and its resolution) keep their order.
      .addColumn('seq', t.serial, t.serialPrimaryKey)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('author_kind', 'text', (c) => c.notNull())
      .addColumn('author_id', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('redacted', 'text', (c) => c.notNull())
      .addColumn('phishing', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('ticket_messages_ticket')
      .on('ticket_messages')
      .columns(['ticket_id', 'seq'])
      .execute();
  },
};

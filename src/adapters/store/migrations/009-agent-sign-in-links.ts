import type { OffboardMigration } from './types.js';

export const agentSignInLinksMigration: OffboardMigration = {
  name: '009-agent-sign-in-links',
  async up(db) {
    // The sandbox's one-time links to the agent console (`offboard demo` prints them):
    // the hash of each token (never the token), whose agent, which roles, until when, and
    // when it was used.
    await db.schema
      .createTable('agent_sign_in_links')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
  },
};

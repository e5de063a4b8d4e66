import { existsSync, rmSync } from 'node:fs';
import { OffboardError } from '../../domain/errors.js';
import { openDatabase } from './database.js';
import type { Database } from './database.js';
import { parseDatabaseUrl, redactDatabaseUrl } from './database-url.js';

/**
 * Every table offboard's migrations create, and the migrator's own two. A reset drops
 * these and nothing else: a PostgreSQL schema may hold other applications' tables. A test
 * checks the list against what the migrations really create.
 */
export const OWN_TABLES: readonly string[] = [
  'holders',
  'accounts',
  'assets',
  'balances',
  'transactions',
  'orders',
  'disputes',
  'authorizations',
  'credentials',
  'holds',
  'ledger_effects',
  'closures',
  'audit_log',
  'audit_head',
  'audit_chains',
  'audit_checkpoints',
  'outbox',
  'webhook_deliveries',
  'mailbox',
  'disable_links',
  'disablements',
  'settings',
  'api_keys',
  'idempotency_keys',
  'approvals',
  'holder_token_cutoffs',
  'agent_sign_in_links',
  'sign_in_links',
  'platform_idempotency_keys',
  'tickets',
  'ticket_messages',
  'data_keys',
  'erasures',
  'erasure_certificates',
  'erasure_journal',
  'offboard_migrations',
  'offboard_migrations_lock',
];

/**
 * Decides whether the database may be emptied; throws to refuse. Called only on a
 * database that has offboard's schema.
 */
export type ResetGuard = (database: Database) => Promise<void>;

/**
 * Empties the offboard database at `url`, so the next open migrates it from nothing.
 * SQLite: the file and its -wal and -shm are deleted. PostgreSQL: offboard's tables are
 * dropped, in one transaction, and other tables in the schema stay. A database with
 * tables but not offboard's schema, or an SQLite file that also holds other tables, is
 * refused whatever the guard says: it is not ours to empty.
 */
export async function resetDatabase(url: string, guard: ResetGuard): Promise<void> {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'sqlite') {
    if (location.path === ':memory:' || !existsSync(location.path)) return;
  }
  const database = await openDatabase(url);
  try {
    const { schema, tables } = await ownTables(database);
    if (tables.size === 0) return;
    if (!tables.has('offboard_migrations'))
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_ARGUMENT',
        `--reset refused: ${redactDatabaseUrl(url)} has tables but is not an offboard database; point --db at the demo's own database`,
      );
    const foreign = [...tables].filter((t) => !OWN_TABLES.includes(t));
    // Deleting the SQLite file would take another application's tables with it.
    if (location.dialect === 'sqlite' && foreign.length > 0)
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_ARGUMENT',
        `--reset refused: ${location.path} also holds tables that are not offboard's (${foreign.slice(0, 3).join(', ')}); point --db at the demo's own database`,
      );
    await guard(database);
    await database.store.dropTables(
      database.db,
      schema,
      OWN_TABLES.filter((t) => tables.has(t)),
    );
  } finally {
    await database.close();
  }
  if (location.dialect === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${location.path}${suffix}`, { force: true });
  }
}

/**
 * The tables of the database's own schema: on PostgreSQL only `current_schema()`, never a
 * table of the same name in another schema of the same database.
 */
export async function ownTables(
  database: Database,
): Promise<{ schema: string; tables: Set<string> }> {
  return database.store.ownTables(database.db);
}

/**
 * Where `offboard demo --platform-http` keeps its sandbox platform's database beside the
 * demo's own: `sqlite:./offboard.db` gives `sqlite:./offboard.platform.db`. Null when the
 * demo's database is not an SQLite file (PostgreSQL, or in memory): the caller then uses a
 * temporary file, since a platform's accounts must not share offboard's database.
 */
export function platformSiblingUrl(url: string): string | null {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'postgres' || location.path === ':memory:') return null;
  return `sqlite:${location.path.replace(/(\.db)?$/, '.platform.db')}`;
}

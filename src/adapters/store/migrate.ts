import { Migrator, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import { OffboardError } from '../../domain/errors.js';
import type { Database } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import { DEFAULT_AUDIT_CHAINS, MAX_AUDIT_CHAINS } from './migrations/types.js';
import type { MigrationOptions } from './migrations/types.js';

export interface MigrateResult {
  applied: string[];
  current: string[];
}

function migrator(database: Database, options: Partial<MigrationOptions> = {}): Migrator {
  const types = database.store.columnTypes;
  const chosen: MigrationOptions = {
    auditChains: options.auditChains ?? DEFAULT_AUDIT_CHAINS,
  };
  const provider: MigrationProvider = {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          MIGRATIONS.map((m): [string, Migration] => [
            m.name,
            { up: (db) => m.up(db, types, chosen) },
          ]),
        ),
      ),
  };
  return new Migrator({
    db: database.db,
    provider,
    migrationTableName: 'offboard_migrations',
    migrationLockTableName: 'offboard_migrations_lock',
  });
}

/** OFFBOARD_AUDIT_CHAINS: how many account chains a new audit log gets (read by migration 006 only). */
export function auditChainsFromEnv(env: NodeJS.ProcessEnv): Partial<MigrationOptions> {
  const text = env['OFFBOARD_AUDIT_CHAINS'];
  if (text === undefined || text === '') return {};
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > MAX_AUDIT_CHAINS) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `OFFBOARD_AUDIT_CHAINS must be a whole number from 1 to ${MAX_AUDIT_CHAINS}, not "${text}"`,
    );
  }
  return { auditChains: Number(text) };
}

/**
 * Brings the schema up to date. Idempotent: a current schema applies nothing. `options`
 * matter only to the migration that first needs them (`auditChains`: 006).
 */
export async function migrateToLatest(
  database: Database,
  options: Partial<MigrationOptions> = {},
): Promise<MigrateResult> {
  const { auditChains } = options;
  if (
    auditChains !== undefined &&
    (!Number.isInteger(auditChains) || auditChains < 1 || auditChains > MAX_AUDIT_CHAINS)
  ) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `the number of audit chains must be a whole number from 1 to ${MAX_AUDIT_CHAINS}, not ${auditChains}`,
    );
  }
  const { error, results } = await migrator(database, options).migrateToLatest();
  if (error) {
    throw new OffboardError(
      'OFFBOARD_ERR_INTERNAL',
      `migration failed: ${(error as Error).message}`,
    );
  }
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  return { applied, current: MIGRATIONS.map((m) => m.name) };
}

/** Whether every known migration has run (for readiness checks). */
export async function isSchemaCurrent(database: Database): Promise<boolean> {
  const migrations = await migrator(database).getMigrations();
  return migrations.every((m) => m.executedAt !== undefined);
}

/** Whether the database answers and its schema is current: what a readiness probe asks. */
export async function databaseReadiness(
  database: Database,
): Promise<{ database: string } | 'unreachable' | 'schema_behind'> {
  try {
    await sql`select 1`.execute(database.db);
  } catch {
    return 'unreachable';
  }
  if (!(await isSchemaCurrent(database))) return 'schema_behind';
  return { database: database.store.name };
}

import { Migrator, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import { OffboardError } from '../../domain/errors.js';
import type { Database } from './database.js';
import { MIGRATIONS } from './migrations/index.js';

export interface MigrateResult {
  applied: string[];
  current: string[];
}

function migrator(database: Database): Migrator {
  const types = database.store.columnTypes;
  const provider: MigrationProvider = {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          MIGRATIONS.map((m): [string, Migration] => [m.name, { up: (db) => m.up(db, types) }]),
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

/** Brings the schema up to date. Idempotent: a current schema applies nothing. */
export async function migrateToLatest(database: Database): Promise<MigrateResult> {
  const { error, results } = await migrator(database).migrateToLatest();
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

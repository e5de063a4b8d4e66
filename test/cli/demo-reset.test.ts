import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/store/database.js';
import { migrateToLatest } from '../../src/adapters/store/migrate.js';
import { OWN_TABLES, ownTables } from '../../src/adapters/store/reset.js';
import { cli } from '../support/cli.js';
import { DIALECTS, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

// Only a guard against a hang: four demo starts take ~20 s on a loaded 2-core machine.
const DEMO_RUNS_LIMIT = 240_000;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface DemoInfo {
  url: string;
  apiKey: string;
  reused: boolean;
  agents: { id: string; token: string }[];
}

interface RunningDemo {
  stdout: string;
  stop(): Promise<number | null>;
}

/**
 * Starts `offboard demo` as a user does and waits for its readiness: the JSON line with
 * --json, else the walkthrough's last line.
 */
async function startDemo(args: string[]): Promise<RunningDemo> {
  const json = args.includes('--json');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/main/cli.ts',
      'demo',
      '--port',
      '0',
      '--whale-transactions',
      '5',
      ...args,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code, signal) => {
      if (code !== 0) console.error(`demo ${args.join(' ')} ended`, code, signal, stderr);
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      if (json ? stdout.includes('\n') : stdout.includes('Ctrl-C stops.')) resolve();
    });
    void exited.then(() => reject(new Error(`demo exited early: ${stderr}`)));
  });
  return {
    stdout,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function withDemo<T>(args: string[], fn: (demo: RunningDemo) => Promise<T>): Promise<T> {
  const demo = await startDemo(args);
  try {
    return await fn(demo);
  } finally {
    expect(await demo.stop()).toBe(0);
  }
}

const info = (demo: RunningDemo) => JSON.parse(demo.stdout.split('\n')[0]!) as DemoInfo;

async function accountStatus(i: DemoInfo, account: string): Promise<string> {
  const answer = await fetch(`${i.url}/v1/agent/accounts/${account}`, {
    headers: { authorization: `Bearer ${i.agents[0]!.token}` },
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { facts: { status: string } }).facts.status;
}

// `offboard demo` run again on the same database, and `offboard demo --reset`.
describe.each(DIALECTS)('offboard demo --reset [%s]', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => db.dispose());

  it(
    'says when it reuses earlier demo state, and --reset starts from a fresh sandbox',
    async () => {
      await withDemo(['--json', '--db', db.url], async (demo) => {
        const first = info(demo);
        expect(first.reused).toBe(false);
        const disabled = await fetch(`${first.url}/v1/accounts/demo-clean/disable`, {
          method: 'POST',
          headers: { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'trying the demo' }),
        });
        expect(disabled.status).toBe(200);
      });

      await withDemo(['--db', db.url], async (demo) => {
        expect(demo.stdout).toContain('Reusing the demo accounts');
        expect(demo.stdout).toContain('offboard demo --reset');
      });

      await withDemo(['--reset', '--json', '--db', db.url], async (demo) => {
        const fresh = info(demo);
        expect(fresh.reused).toBe(false);
        expect(await accountStatus(fresh, 'demo-clean')).toBe('active');
      });

      await withDemo(['--db', db.url], async (demo) => {
        expect(demo.stdout).toContain('Reusing the demo accounts');
      });
    },
    DEMO_RUNS_LIMIT,
  );

  it('refuses --reset on a database with accounts that are not the demo’s, and leaves it whole', async () => {
    const other = await createTestDatabase(dialect);
    try {
      expect((await cli(['seed', '--accounts', '2', '--db', other.url])).code).toBe(0);
      const out = await cli(['demo', '--reset', '--port', '0', '--db', other.url]);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
      expect(out.stderr).toContain('--reset refused');
      const database = await openDatabase(other.url);
      try {
        const accounts = await database.db.selectFrom('accounts').select('id').execute();
        // The two synthetic accounts are still there, beside the platform's own.
        expect(accounts.filter((a) => a.id.startsWith('acct-'))).toHaveLength(2);
      } finally {
        await database.close();
      }
    } finally {
      await other.dispose();
    }
  });

  it('names in its reset list every table the migrations create', async () => {
    const fresh = await createTestDatabase(dialect);
    const database = await openDatabase(fresh.url);
    try {
      await migrateToLatest(database);
      const { tables } = await ownTables(database);
      expect([...tables].sort()).toEqual([...OWN_TABLES].sort());
    } finally {
      await database.close();
      await fresh.dispose();
    }
  });
});

describe('offboard demo --reset leaves what is not offboard’s', () => {
  it(
    'drops only offboard’s tables on PostgreSQL',
    async () => {
      const db = await createTestDatabase('postgres');
      try {
        expect(
          (await cli(['seed', '--scenarios', '--whale-transactions', '5', '--db', db.url])).code,
        ).toBe(0);
        const database = await openDatabase(db.url);
        try {
          await sql`create table other_app (id integer primary key)`.execute(database.db);
          await sql`insert into other_app values (42)`.execute(database.db);
        } finally {
          await database.close();
        }
        await withDemo(['--reset', '--json', '--db', db.url], async (demo) => {
          expect(info(demo).reused).toBe(false);
        });
        const after = await openDatabase(db.url);
        try {
          const rows = await sql<{ id: number }>`select id from other_app`.execute(after.db);
          expect(rows.rows).toEqual([{ id: 42 }]);
        } finally {
          await after.close();
        }
      } finally {
        await db.dispose();
      }
    },
    DEMO_RUNS_LIMIT,
  );

  it('refuses to delete an SQLite file that holds other tables too', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      expect(
        (await cli(['seed', '--scenarios', '--whale-transactions', '5', '--db', db.url])).code,
      ).toBe(0);
      const database = await openDatabase(db.url);
      try {
        await sql`create table other_app (id integer primary key)`.execute(database.db);
      } finally {
        await database.close();
      }
      const out = await cli(['demo', '--reset', '--port', '0', '--db', db.url]);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr).toContain('other_app');
    } finally {
      await db.dispose();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_IDS } from '../../src/adapters/ledger/scenarios.js';
import { openDatabase } from '../../src/adapters/store/database.js';
import { cli } from '../support/cli.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

describe.each(DIALECTS)('CLI: seed and ledger [%s]', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => db.dispose());

  const run = (...args: string[]) => cli([...args, '--db', db.url]);

  it('seeds every scenario account and lists them as JSON', async () => {
    const out = await run('seed', '--scenarios', '--whale-transactions', '500', '--json');
    expect(out.code).toBe(0);
    expect(out.json<{ accounts: string[] }>().accounts).toEqual([...SCENARIO_IDS]);
    // Twice is harmless: nothing is created again.
    const again = await run('seed', '--scenarios', '--whale-transactions', '500', '--json');
    expect(again.json<{ created: string[] }>().created).toEqual([]);
  });

  it('gives demo-whale its long history, ending at zero', async () => {
    const database = await openDatabase(db.url);
    try {
      const count = await database.db
        .selectFrom('transactions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', 'demo-whale')
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(500);
    } finally {
      await database.close();
    }
    const balances = (await run('ledger', 'balances', 'demo-whale', '--json')).json<{
      balances: { total: string }[];
    }>();
    expect(balances.balances.every((b) => /^0\.?0*$/.test(b.total))).toBe(true);
  });

  it('deposits and withdraws exact decimal amounts', async () => {
    expect((await run('ledger', 'deposit', 'demo-clean', 'USD', '10.25')).code).toBe(0);
    expect((await run('ledger', 'withdraw', 'demo-clean', 'USD', '0.05')).code).toBe(0);
    expect((await run('ledger', 'deposit', 'demo-clean', 'ETH', '0.000000000000000001')).code).toBe(
      0,
    );
    const out = await run('ledger', 'balances', 'demo-clean', '--json');
    const byAsset = Object.fromEntries(
      out
        .json<{ balances: { asset: string; available: string }[] }>()
        .balances.map((b) => [b.asset, b.available]),
    );
    expect(byAsset['USD']).toBe('10.20');
    expect(byAsset['ETH']).toBe('0.000000000000000001');
  });

  it('refuses an amount with more decimals than the asset has, and writes nothing', async () => {
    const before = (await run('ledger', 'balances', 'demo-dust', '--json')).stdout;
    const out = await run('ledger', 'deposit', 'demo-dust', 'USD', '10.255');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('OFFBOARD_ERR_INVALID_AMOUNT');
    expect(out.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect((await run('ledger', 'balances', 'demo-dust', '--json')).stdout).toBe(before);
  });

  it('names unknown accounts and assets with exit 2', async () => {
    const account = await run('ledger', 'deposit', 'nobody', 'USD', '1');
    expect(account.code).toBe(2);
    expect(account.stderr).toContain('OFFBOARD_ERR_UNKNOWN_ACCOUNT');
    const asset = await run('ledger', 'deposit', 'demo-clean', 'DOGE', '1');
    expect(asset.code).toBe(2);
    expect(asset.stderr).toContain('OFFBOARD_ERR_UNKNOWN_ASSET');
    const balances = await run('ledger', 'balances', 'nobody', '--json');
    expect(balances.code).toBe(2);
    expect(balances.json<{ error: { code: string } }>().error.code).toBe(
      'OFFBOARD_ERR_UNKNOWN_ACCOUNT',
    );
  });

  it('refuses to overdraw a crypto balance with exit 4', async () => {
    const out = await run('ledger', 'withdraw', 'demo-clean', 'BTC', '1');
    expect(out.code).toBe(4);
    expect(out.stderr).toContain('OFFBOARD_ERR_INSUFFICIENT_FUNDS');
  });

  it('rejects a negative or non-numeric --accounts with exit 2 and writes nothing', async () => {
    for (const bad of ['-5', 'abc', '1.5']) {
      const out = await run('seed', '--accounts', bad);
      expect(out.code, bad).toBe(2);
      expect(out.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    }
    const database = await openDatabase(db.url);
    try {
      const rows = await database.db
        .selectFrom('accounts')
        .select('id')
        .where('id', 'like', 'acct-%')
        .execute();
      expect(rows).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('seeds a deterministic population that keeps the ledger invariants', async () => {
    const out = await run(
      'seed',
      '--accounts',
      '300',
      '--transactions',
      '3000',
      '--random-seed',
      '7',
      '--id-prefix',
      'pop-',
      '--json',
    );
    expect(out.code).toBe(0);
    const summary = out.json<{
      accounts: number;
      transactions: number;
      rows: number;
      rowsPerSecond: number;
    }>();
    expect(summary.accounts).toBe(300);
    expect(summary.transactions).toBeGreaterThanOrEqual(3000);
    expect(summary.rowsPerSecond).toBeGreaterThan(0);
    const database = await openDatabase(db.url);
    try {
      const balances = await database.db
        .selectFrom('balances')
        .selectAll()
        .where('account_id', 'like', 'pop-%')
        .execute();
      const txs = await database.db
        .selectFrom('transactions')
        .select(['account_id', 'asset', 'amount', 'fee'])
        .where('account_id', 'like', 'pop-%')
        .where('status', '=', 'completed')
        .execute();
      const net = new Map<string, bigint>();
      for (const t of txs)
        net.set(
          `${t.account_id}/${t.asset}`,
          (net.get(`${t.account_id}/${t.asset}`) ?? 0n) + BigInt(t.amount) - BigInt(t.fee),
        );
      expect(balances).toHaveLength(300);
      for (const b of balances) {
        expect(BigInt(b.available) + BigInt(b.locked), b.account_id).toBe(
          net.get(`${b.account_id}/${b.asset}`) ?? 0n,
        );
        expect(BigInt(b.locked)).toBeGreaterThanOrEqual(0n);
      }
      const jurisdictions = await database.db
        .selectFrom('accounts')
        .select('jurisdiction')
        .distinct()
        .where('id', 'like', 'pop-%')
        .execute();
      expect(jurisdictions.length).toBeGreaterThan(3);
    } finally {
      await database.close();
    }
  });
});

describe('CLI: bad database URLs', () => {
  it('names the accepted forms for an unknown scheme', async () => {
    const out = await cli(['migrate', '--db', 'mysql://localhost/x']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('OFFBOARD_ERR_BAD_DATABASE_URL');
    expect(out.stderr).toContain('sqlite:PATH');
  });

  it('says an unreachable PostgreSQL is unreachable, exit 3', async () => {
    const out = await cli(['migrate', '--db', 'postgres://postgres@127.0.0.1:1/none']);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('OFFBOARD_ERR_DATABASE_UNREACHABLE');
  });

  it('takes the URL from OFFBOARD_DATABASE_URL when --db is absent', async () => {
    const out = await cli(['migrate', '--json'], { OFFBOARD_DATABASE_URL: 'sqlite::memory:' });
    expect(out.code).toBe(0);
    expect(out.json<{ database: string }>().database).toBe('sqlite::memory:');
  });

  it('reports usage errors with a code and exit 2', async () => {
    const out = await cli(['ledger', 'deposit', 'x']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('OFFBOARD_ERR_USAGE');
  });
});

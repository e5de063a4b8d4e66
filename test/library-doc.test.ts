import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/adapters/statements/signing-key.js';
import { createOffboard } from '../src/index.js';
import type { Offboard, PlatformPort } from '../src/index.js';
import { createTestDatabase, DIALECTS } from './support/databases.js';
import type { TestDatabase } from './support/databases.js';

// docs/library.md's adapter, run as written: its code block, with `from 'offboard'`
// pointed at src/index.ts, is the platform offboard checks, closes and exports through.
const root = new URL('..', import.meta.url).pathname;
const doc = readFileSync(join(root, 'docs', 'library.md'), 'utf8');
const adapterSource = /## A complete adapter[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)?.[1];

interface TinyWallet extends PlatformPort {
  accounts: Map<string, unknown>;
  deposit(id: string, asset: string, amount: bigint, from: string): void;
}

describe.each(DIALECTS)("docs/library.md's TinyWallet adapter [%s]", (dialect) => {
  let db: TestDatabase;
  let work: string;
  let offboard: Offboard;
  let wallet: TinyWallet;

  beforeAll(async () => {
    expect(adapterSource).toBeDefined();
    db = await createTestDatabase(dialect);
    work = mkdtempSync(join(tmpdir(), 'offboard-library-doc-'));
    const file = join(work, 'tiny-wallet.ts');
    writeFileSync(file, adapterSource!.replace(/from 'offboard'/g, `from '${root}src/index.js'`));
    const { TinyWalletPlatform } = (await import(file)) as {
      TinyWalletPlatform: new () => TinyWallet;
    };
    wallet = new TinyWalletPlatform();
    for (const id of ['tw-1', 'tw-2'])
      wallet.accounts.set(id, {
        holder: {
          name: `Holder ${id}`,
          email: `${id}@example.test`,
          phone: null,
          jurisdiction: 'NL',
        },
        status: 'active',
        openedAt: new Date('2025-01-01T00:00:00Z'),
        balances: new Map<string, bigint>(),
        credentials: new Map([
          [
            'cred-1',
            { kind: 'session', label: 'phone', createdAt: new Date('2025-01-01T00:00:00Z') },
          ],
        ]),
        holds: new Map(),
        transactions: [],
      });
    wallet.deposit('tw-1', 'USD', 42n, 'friend');
    wallet.deposit('tw-2', 'USD', 500_00n, 'employer');
    const keyFile = join(work, 'signing.pem');
    await generateSigningKey(keyFile);
    offboard = await createOffboard({
      db: db.url,
      platform: wallet,
      env: { OFFBOARD_SIGNING_KEY: keyFile },
    });
  });
  afterAll(async () => {
    await offboard?.close();
    await db?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('checks eligibility through it', async () => {
    expect((await offboard.checkEligibility('tw-1')).blockers.map((b) => b.code)).toEqual([
      'dust_remaining',
    ]);
    expect((await offboard.checkEligibility('tw-2')).blockers.map((b) => b.code)).toEqual([
      'balance_remaining',
    ]);
  });

  it('closes an account through it, sweeping the dust once', async () => {
    await offboard.requestClosure({
      accountId: 'tw-1',
      consent: { sweepDust: true, cancelOrders: false, revokeApps: false },
      confirmed: true,
      gracePeriodMs: 0,
    });
    await offboard.work();
    await offboard.work();
    expect((await offboard.closureStatus('tw-1')).closure?.state).toBe('closed');
    const facts = await wallet.facts('tw-1');
    expect(facts).toMatchObject({ status: 'closed', credentials: [] });
    expect(facts?.balances).toEqual([expect.objectContaining({ asset: 'USD', available: 0n })]);
  });

  it('exports statements through it', async () => {
    const out = join(work, 'statements');
    const result = await offboard.exportStatements('tw-1', { out, formats: ['jsonl'] });
    expect(result.manifest.rows).toBe(2);
    const rows = readFileSync(join(out, 'statement.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; amount: string; balance: string });
    expect(rows.map((r) => [r.type, r.amount, r.balance])).toEqual([
      ['deposit', '0.42', '0.42'],
      ['dust_sweep', '-0.42', '0.00'],
    ]);
    expect((await offboard.verifyExport(out)).ok).toBe(true);
  });
});

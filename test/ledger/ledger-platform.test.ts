import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerPlatform } from '../../src/adapters/ledger/ledger-platform.js';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import type { Database } from '../../src/adapters/store/database.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { TransactionTuple } from '../../src/ports/platform.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

// The builtin ledger behind the platform port, on real SQLite and real PostgreSQL: the
// parts of the port the statements, the composition root and the agents' holds rely on.
describe.each(DIALECTS)('builtin platform port [%s]', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  let ledger: BuiltinLedger;
  let platform: LedgerPlatform;
  const clock = new FixedClock(new Date('2026-01-01T00:00:00Z'));

  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
    ledger = new BuiltinLedger(database, clock);
    platform = new LedgerPlatform(database, ledger);
    await ledger.ensurePlatformAccounts();
    await ledger.defineAsset({ code: 'USD', decimals: 2, priceMinor: 100n, allowNegative: true });
    await ledger.defineAsset({ code: 'ETH', decimals: 18, priceMinor: 1n, allowNegative: false });
    for (const id of ['a', 'b']) {
      await ledger.createHolder({
        id: `h-${id}`,
        name: `Holder ${id}`,
        email: `${id}@example.test`,
      });
      await ledger.openAccount({ id: `acct-${id}`, holderId: `h-${id}`, jurisdiction: 'FR' });
    }
    // Interleaved with another account's rows, so the pages must pick the account's own.
    for (let i = 1; i <= 7; i++) {
      clock.advance(60_000);
      await ledger.deposit('acct-a', 'USD', BigInt(i), { reference: `a-${i}` });
      await ledger.deposit('acct-b', 'USD', BigInt(i), { reference: `b-${i}` });
    }
    await ledger.deposit('acct-a', 'ETH', 123456789012345678901234567n);
  });
  afterAll(async () => dispose());

  async function readAll(
    accountId: string,
    cursor: string,
    range: { from: number | null; to: number | null } = { from: null, to: null },
  ): Promise<TransactionTuple[]> {
    const rows: TransactionTuple[] = [];
    let next: string | null = cursor;
    while (next !== null) {
      const page = await platform.transactionPage(accountId, { cursor: next, ...range, limit: 3 });
      expect(page.transactions.length).toBeLessThanOrEqual(3);
      rows.push(...page.transactions);
      next = page.next;
    }
    return rows;
  }

  it('reads the jurisdiction, the assets and an unknown account as null', async () => {
    expect(await platform.jurisdiction('acct-a')).toBe('FR');
    expect(await platform.jurisdiction('nobody')).toBeNull();
    expect(await platform.openTransactions('nobody')).toBeNull();
    expect(Object.fromEntries(await platform.assetDecimals())).toMatchObject({ USD: 2, ETH: 18 });
  });

  it("pages through the account's transactions, oldest first, every one exactly once", async () => {
    const rows = await readAll('acct-a', (await platform.openTransactions('acct-a'))!);
    expect(rows.map((r) => r[8])).toEqual([
      ...Array.from({ length: 7 }, (_, i) => `a-${i + 1}`),
      null,
    ]);
    const ids = rows.map((r) => r[0]);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    // 18-decimal amounts past 64 bits come back exact, as decimal-integer strings.
    expect(rows.at(-1)?.[4]).toBe('123456789012345678901234567');
  });

  it('keeps a period: created at or after `from`, before `to`', async () => {
    const cursor = (await platform.openTransactions('acct-a'))!;
    const all = await readAll('acct-a', cursor);
    const from = all[2]![1];
    const to = all[5]![1];
    const period = await readAll('acct-a', cursor, { from, to });
    expect(period.map((r) => r[0])).toEqual(all.slice(2, 5).map((r) => r[0]));
  });

  it('is stable while transactions arrive: a cursor sees only what was recorded before it opened', async () => {
    const cursor = (await platform.openTransactions('acct-a'))!;
    const first = await platform.transactionPage('acct-a', {
      cursor,
      from: null,
      to: null,
      limit: 3,
    });
    await ledger.deposit('acct-a', 'USD', 99n, { reference: 'late' });
    const rest = await readAll('acct-a', first.next!);
    const seen = [...first.transactions, ...rest].map((r) => r[8]);
    expect(seen).not.toContain('late');
    expect(seen).toHaveLength(8);
    // The same cursor reads the same rows again; a new one sees the late deposit.
    expect((await readAll('acct-a', cursor)).map((r) => r[8])).toEqual(seen);
    expect(
      (await readAll('acct-a', (await platform.openTransactions('acct-a'))!)).at(-1)?.[8],
    ).toBe('late');
  });

  it('refuses a cursor it did not make', async () => {
    await expect(
      platform.transactionPage('acct-a', { cursor: 'x', from: null, to: null, limit: 3 }),
    ).rejects.toMatchObject({ code: 'OFFBOARD_ERR_INVALID_ARGUMENT' });
  });

  it('places a hold once per id and lifts it once', async () => {
    const hold = { id: 'hold-1', kind: 'compliance' as const, reason: 'case 1' };
    await platform.placeHold('acct-b', hold);
    await platform.placeHold('acct-b', hold);
    expect((await platform.facts('acct-b'))?.holds.map((h) => h.id)).toEqual(['hold-1']);
    await expect(platform.liftHold('acct-a', 'hold-1')).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_NOT_FOUND',
    });
    await platform.liftHold('acct-b', 'hold-1');
    await platform.liftHold('acct-b', 'hold-1');
    expect((await platform.facts('acct-b'))?.holds).toEqual([]);
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinLedger, DUST_ACCOUNT_ID } from '../../src/adapters/ledger/ledger.js';
import type { Database } from '../../src/adapters/store/database.js';
import { FixedClock } from '../../src/ports/clock.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

// Real SQLite and real PostgreSQL: the ledger's invariants are the database's to keep.
describe.each(DIALECTS)('builtin ledger [%s]', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  let ledger: BuiltinLedger;
  const clock = new FixedClock(new Date('2026-01-01T00:00:00Z'));
  let seq = 0;

  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
    ledger = new BuiltinLedger(database, clock);
    await ledger.ensurePlatformAccounts();
    await ledger.defineAsset({ code: 'USD', decimals: 2, priceMinor: 100n, allowNegative: true });
    await ledger.defineAsset({
      code: 'BTC',
      decimals: 8,
      priceMinor: 6_000_000n,
      allowNegative: false,
    });
    await ledger.defineAsset({
      code: 'ETH',
      decimals: 18,
      priceMinor: 300_000n,
      allowNegative: false,
    });
  });
  afterAll(async () => dispose());

  async function newAccount(): Promise<string> {
    seq += 1;
    const id = `acct-${seq}`;
    await ledger.createHolder({
      id: `holder-${seq}`,
      name: `Holder ${seq}`,
      email: `h${seq}@example.com`,
    });
    await ledger.openAccount({ id, holderId: `holder-${seq}`, jurisdiction: 'DE' });
    return id;
  }

  async function balance(accountId: string, asset: string) {
    const row = (await ledger.balances(accountId)).find((b) => b.asset === asset);
    return row ? { available: row.available, locked: row.locked } : { available: 0n, locked: 0n };
  }

  it('round-trips an 18-decimal amount beyond 64 bits exactly', async () => {
    const id = await newAccount();
    const amount = 123_456_789_012_345_678_901_234_567n; // 27 digits
    await ledger.deposit(id, 'ETH', amount);
    expect(await balance(id, 'ETH')).toEqual({ available: amount, locked: 0n });
    const [tx] = await ledger.transactions(id);
    expect(tx?.amount).toBe(amount);
  });

  it('locks a withdrawal, then completes or fails it', async () => {
    const id = await newAccount();
    await ledger.deposit(id, 'BTC', 1_000n);
    const w1 = await ledger.withdraw(id, 'BTC', 300n, { fee: 10n });
    expect(await balance(id, 'BTC')).toEqual({ available: 690n, locked: 310n });
    await ledger.completeWithdrawal(w1);
    expect(await balance(id, 'BTC')).toEqual({ available: 690n, locked: 0n });
    const w2 = await ledger.withdraw(id, 'BTC', 100n);
    await ledger.failWithdrawal(w2);
    expect(await balance(id, 'BTC')).toEqual({ available: 690n, locked: 0n });
    const statuses = (await ledger.transactions(id)).map((t) => `${t.type}:${t.status}`);
    expect(statuses).toEqual(['deposit:completed', 'withdrawal:completed', 'withdrawal:failed']);
  });

  it('refuses to take a non-negative asset below zero, and writes nothing', async () => {
    const id = await newAccount();
    await ledger.deposit(id, 'BTC', 50n);
    await expect(ledger.withdraw(id, 'BTC', 51n)).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_INSUFFICIENT_FUNDS',
    });
    expect(await balance(id, 'BTC')).toEqual({ available: 50n, locked: 0n });
    expect(await ledger.transactions(id)).toHaveLength(1);
  });

  it('lets an asset that allows it go negative', async () => {
    const id = await newAccount();
    await ledger.chargeFee(id, 'USD', 250n);
    expect(await balance(id, 'USD')).toEqual({ available: -250n, locked: 0n });
  });

  it('returns a deposit to a frozen or closed account instead of dropping it', async () => {
    const id = await newAccount();
    await ledger.deposit(id, 'USD', 1_000n);
    await ledger.freeze(id);
    const result = await ledger.deposit(id, 'USD', 500n, { counterparty: 'sender-bank' });
    expect(result.returned).toBe(true);
    expect(await balance(id, 'USD')).toEqual({ available: 1_000n, locked: 0n });
    const rows = await ledger.transactions(id);
    expect(rows.slice(-2).map((r) => [r.type, r.amount, r.counterparty])).toEqual([
      ['deposit', 500n, 'sender-bank'],
      ['return', -500n, 'sender-bank'],
    ]);
    await ledger.unfreeze(id);
    const pending = await ledger.deposit(id, 'USD', 70n, { pending: true });
    await ledger.close(id);
    expect((await ledger.completeDeposit(pending.transactionId)).returned).toBe(true);
    expect(await balance(id, 'USD')).toEqual({ available: 1_000n, locked: 0n });
  });

  it('restores the status a freeze covered: a disabled account stays disabled', async () => {
    const id = await newAccount();
    await ledger.setStatus(id, 'disabled');
    await ledger.freeze(id);
    expect((await ledger.account(id)).status).toBe('frozen');
    await ledger.unfreeze(id);
    expect((await ledger.account(id)).status).toBe('disabled');
    // Disabled while frozen (a holder's kill switch during finalization): still disabled after.
    await ledger.setStatus(id, 'active');
    await ledger.freeze(id);
    await ledger.setStatus(id, 'disabled');
    expect((await ledger.account(id)).status).toBe('frozen');
    await ledger.unfreeze(id);
    expect((await ledger.account(id)).status).toBe('disabled');
    // Unfreezing an account that is not frozen changes nothing.
    await ledger.unfreeze(id);
    expect((await ledger.account(id)).status).toBe('disabled');
  });

  it('locks funds for an order, releases them on cancel, trades them on fill', async () => {
    const id = await newAccount();
    await ledger.deposit(id, 'USD', 10_000n);
    await ledger.placeOrder(id, {
      id: `o-${id}-1`,
      side: 'buy',
      asset: 'USD',
      locked: 6_000n,
      counterAsset: 'BTC',
    });
    expect(await balance(id, 'USD')).toEqual({ available: 4_000n, locked: 6_000n });
    expect(await ledger.cancelOrder(`o-${id}-1`)).toBe(true);
    expect(await ledger.cancelOrder(`o-${id}-1`)).toBe(false);
    expect(await balance(id, 'USD')).toEqual({ available: 10_000n, locked: 0n });
    await ledger.placeOrder(id, {
      id: `o-${id}-2`,
      side: 'buy',
      asset: 'USD',
      locked: 6_000n,
      counterAsset: 'BTC',
    });
    await ledger.fillOrder(`o-${id}-2`, 100n, 1n);
    expect(await balance(id, 'USD')).toEqual({ available: 4_000n, locked: 0n });
    expect(await balance(id, 'BTC')).toEqual({ available: 99n, locked: 0n });
    expect((await ledger.account(id)).last_trade_at).toBe(clock.now().getTime());
  });

  it('sweeps dust to the platform dust account once per idempotency key', async () => {
    const id = await newAccount();
    await ledger.deposit(id, 'USD', 37n);
    const before = await balance(DUST_ACCOUNT_ID, 'USD');
    expect(await ledger.sweepDust(id, 'USD', { idempotencyKey: `sweep-${id}` })).toBe(37n);
    await ledger.deposit(id, 'USD', 5n);
    // A repeated step (after a crash) must not sweep again.
    expect(await ledger.sweepDust(id, 'USD', { idempotencyKey: `sweep-${id}` })).toBe(37n);
    expect(await balance(id, 'USD')).toEqual({ available: 5n, locked: 0n });
    expect((await balance(DUST_ACCOUNT_ID, 'USD')).available - before.available).toBe(37n);
  });

  it('answers a repeated action from its key even when the account has moved on', async () => {
    const id = await newAccount();
    expect(await ledger.freeze(id, { idempotencyKey: `freeze-${id}` })).toBe('active');
    await ledger.close(id, { idempotencyKey: `close-${id}` });
    // Freezing a closed account is refused, but this freeze was done before the close: its
    // repeat (a worker killed after the freeze) gets the first answer and changes nothing.
    await expect(ledger.freeze(id, { idempotencyKey: 'freeze-of-nobody-yet' })).rejects.toThrow(
      /closed for good/,
    );
    expect(await ledger.freeze(id, { idempotencyKey: `freeze-${id}` })).toBe('active');
    expect((await ledger.account(id)).status).toBe('closed');
  });

  it('sweeps once when two runs of one key race', async () => {
    const id = await newAccount();
    await ledger.deposit(id, 'USD', 21n);
    const before = await balance(DUST_ACCOUNT_ID, 'USD');
    const key = `sweep-race-${id}`;
    const results = await Promise.all([
      ledger.sweepDust(id, 'USD', { idempotencyKey: key }),
      ledger.sweepDust(id, 'USD', { idempotencyKey: key }),
    ]);
    expect(results).toEqual([21n, 21n]);
    expect((await balance(DUST_ACCOUNT_ID, 'USD')).available - before.available).toBe(21n);
  });

  it('refuses to revoke a credential of another account', async () => {
    const owner = await newAccount();
    const other = await newAccount();
    await ledger.addCredential(owner, { id: `c-${owner}`, kind: 'session', label: 'laptop' });
    await expect(ledger.revokeCredential(`c-${owner}`, other)).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_NOT_FOUND',
    });
    await ledger.revokeCredential(`c-${owner}`, owner);
    const row = await database.db
      .selectFrom('credentials')
      .select('status')
      .where('id', '=', `c-${owner}`)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('revoked');
  });

  it('records security changes and never restores a revoked credential', async () => {
    const id = await newAccount();
    clock.advance(1000);
    await ledger.addCredential(id, { id: `c-${id}`, kind: 'totp', label: 'phone' });
    expect((await ledger.account(id)).last_security_change_at).toBe(clock.now().getTime());
    await ledger.revokeCredential(`c-${id}`);
    await ledger.revokeCredential(`c-${id}`);
    const rows = await database.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', `c-${id}`)
      .execute();
    expect(rows[0]?.status).toBe('revoked');
  });

  it('names unknown accounts and assets', async () => {
    await expect(ledger.deposit('nobody', 'USD', 1n)).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_UNKNOWN_ACCOUNT',
    });
    const id = await newAccount();
    await expect(ledger.deposit(id, 'XYZ', 1n)).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_UNKNOWN_ASSET',
    });
  });

  // Money is conserved: after any sequence of operations, for every account and asset,
  // available + locked equals the net of its completed transactions, and no asset that
  // forbids it is negative.
  it('conserves money over random operation sequences', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('deposit' as const),
        asset: fc.constantFrom('USD', 'BTC'),
        amount: fc.bigInt(1n, 10_000n),
      }),
      fc.record({
        kind: fc.constant('withdraw' as const),
        asset: fc.constantFrom('USD', 'BTC'),
        amount: fc.bigInt(1n, 10_000n),
        outcome: fc.constantFrom('complete', 'fail', 'pending'),
      }),
      fc.record({
        kind: fc.constant('order' as const),
        asset: fc.constantFrom('USD', 'BTC'),
        amount: fc.bigInt(1n, 5_000n),
        outcome: fc.constantFrom('cancel', 'fill', 'open'),
      }),
      fc.record({
        kind: fc.constant('fee' as const),
        asset: fc.constantFrom('USD', 'BTC'),
        amount: fc.bigInt(1n, 500n),
      }),
      fc.record({
        kind: fc.constant('status' as const),
        to: fc.constantFrom('frozen' as const, 'active' as const),
      }),
      fc.record({ kind: fc.constant('sweep' as const), asset: fc.constantFrom('USD', 'BTC') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const id = await newAccount();
        let n = 0;
        for (const o of ops) {
          n += 1;
          try {
            switch (o.kind) {
              case 'deposit':
                await ledger.deposit(id, o.asset, o.amount);
                break;
              case 'withdraw': {
                const w = await ledger.withdraw(id, o.asset, o.amount);
                if (o.outcome === 'complete') await ledger.completeWithdrawal(w);
                if (o.outcome === 'fail') await ledger.failWithdrawal(w);
                break;
              }
              case 'order': {
                const orderId = `p-${id}-${n}`;
                await ledger.placeOrder(id, {
                  id: orderId,
                  side: 'sell',
                  asset: o.asset,
                  locked: o.amount,
                  counterAsset: o.asset === 'USD' ? 'BTC' : 'USD',
                });
                if (o.outcome === 'cancel') await ledger.cancelOrder(orderId);
                if (o.outcome === 'fill') await ledger.fillOrder(orderId, 3n);
                break;
              }
              case 'fee':
                await ledger.chargeFee(id, o.asset, o.amount);
                break;
              case 'status':
                await ledger.setStatus(id, o.to);
                break;
              case 'sweep':
                await ledger.sweepDust(id, o.asset);
                break;
            }
          } catch (error) {
            // Refusals (insufficient funds, a frozen account) are fine; they must write nothing.
            expect((error as { code?: string }).code).toMatch(
              /^OFFBOARD_ERR_(INSUFFICIENT_FUNDS|ACCOUNT_NOT_ACTIVE)$/,
            );
          }
        }
        const txs = await ledger.transactions(id);
        for (const b of await ledger.balances(id)) {
          const net = txs
            .filter((t) => t.asset === b.asset && t.status === 'completed')
            .reduce((sum, t) => sum + t.amount - t.fee, 0n);
          expect(b.available + b.locked).toBe(net);
          if (b.asset === 'BTC') expect(b.available).toBeGreaterThanOrEqual(0n);
          expect(b.locked).toBeGreaterThanOrEqual(0n);
        }
      }),
      { numRuns: 25 },
    );
  });
});

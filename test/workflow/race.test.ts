import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestClosure, closureStatus } from '../../src/app/closures.js';
import type { AppContext } from '../../src/app/context.js';
import { workOnce } from '../../src/app/worker.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { openPlatformWorld, platformMatrix } from '../support/platforms.js';
import type { PlatformWorld } from '../support/platforms.js';
import { accountOpener } from '../support/workflow-context.js';

type RaceOp =
  | { kind: 'deposit'; amount: bigint }
  | { kind: 'pending-deposit'; amount: bigint }
  | { kind: 'complete-deposits' }
  | { kind: 'withdraw'; amount: bigint }
  | { kind: 'order'; amount: bigint }
  | { kind: 'nothing' };

const raceOp: fc.Arbitrary<RaceOp> = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), amount: fc.bigInt(1n, 50_000n) }),
  fc.record({ kind: fc.constant('pending-deposit' as const), amount: fc.bigInt(1n, 50_000n) }),
  fc.record({ kind: fc.constant('complete-deposits' as const) }),
  fc.record({ kind: fc.constant('withdraw' as const), amount: fc.bigInt(1n, 50_000n) }),
  fc.record({ kind: fc.constant('order' as const), amount: fc.bigInt(1n, 50_000n) }),
  fc.constant({ kind: 'nothing' as const }),
);

/**
 * The platform as the worker sees it, with the outside world moving money before each of
 * the worker's reads and actions: every closure step is raced by the next operation.
 */
function racing(inner: PlatformPort, before: () => Promise<void>): PlatformPort {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await before();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Random races tried per database. */
const RUNS = 50;
/**
 * A guard against hangs only, never a performance claim: it scales with the runs, each a
 * few worker passes that take well under a second alone and seconds on a loaded machine.
 */
const TIMEOUT_MS = 60_000 + RUNS * 6_000;

// On http the worker reaches the sandbox only over HTTP, and a racing deposit arrives through
// the sandbox's deposit endpoint; the other movements go to the sandbox's own ledger. Its http
// cells run on both databases: the races are small.
describe.each(platformMatrix())('money racing a closure [%s, %s]', (dialect, platform) => {
  let world: PlatformWorld;
  let ctx: Context;
  let openAccount: () => Promise<string>;
  const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));

  beforeAll(async () => {
    world = await openPlatformWorld(dialect, platform, clock);
    ctx = world.ctx;
    openAccount = accountOpener(world, 'race');
  });
  afterAll(async () => world.dispose());

  async function applyOp(accountId: string, op: RaceOp): Promise<void> {
    const ledger = world.ledger;
    try {
      switch (op.kind) {
        case 'deposit':
          await world.deposit(accountId, 'USD', op.amount, 'racer');
          break;
        case 'pending-deposit':
          await ledger.deposit(accountId, 'USD', op.amount, {
            pending: true,
            counterparty: 'racer',
          });
          break;
        case 'complete-deposits': {
          const pending = (await ledger.transactions(accountId)).filter(
            (t) => t.status === 'pending' && t.type === 'deposit',
          );
          for (const t of pending) await ledger.completeDeposit(t.id);
          break;
        }
        case 'withdraw': {
          const id = await ledger.withdraw(accountId, 'USD', op.amount);
          await ledger.completeWithdrawal(id);
          break;
        }
        case 'order':
          await ledger.placeOrder(accountId, {
            id: `${accountId}-o-${op.amount}-${Math.random()}`,
            side: 'buy',
            asset: 'USD',
            locked: op.amount,
            counterAsset: 'BTC',
          });
          break;
        case 'nothing':
          break;
      }
    } catch (error) {
      // The ledger refusing (not enough money, a frozen or closed account) is part of the race.
      expect((error as { code?: string }).code).toMatch(
        /^OFFBOARD_ERR_(INSUFFICIENT_FUNDS|ACCOUNT_NOT_ACTIVE)$/,
      );
    }
  }

  it(
    'ends closed with nothing on it, or blocked with the money credited; never loses money',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(raceOp, { minLength: 1, maxLength: 16 }), async (ops) => {
          const accountId = await openAccount();
          await requestClosure(ctx.app, ctx.rules, {
            accountId,
            consent: { sweepDust: true, cancelOrders: true, revokeApps: true },
            confirmed: true,
            gracePeriodMs: 0,
            actor: { kind: 'holder', id: accountId },
          });
          const queue = [...ops];
          const app: AppContext = {
            ...ctx.app,
            platform: racing(ctx.app.platform, async () =>
              applyOp(accountId, queue.shift() ?? { kind: 'nothing' }),
            ),
          };
          for (let pass = 0; pass < 4; pass++)
            await workOnce(app, ctx.rules, { owner: 'race', leaseMs: 60_000, concurrency: 1 });

          const state = (await closureStatus(ctx.app, accountId)).closure?.state;
          expect(['closed', 'blocked']).toContain(state);
          const account = await world.ledger.account(accountId);
          const balances = await world.ledger.balances(accountId);
          const txs = await world.ledger.transactions(accountId);
          // Money conserved: what the account holds is exactly the net of its completed movements.
          for (const b of balances) {
            const net = txs
              .filter((t) => t.asset === b.asset && t.status === 'completed')
              .reduce((s, t) => s + t.amount - t.fee, 0n);
            expect(b.available + b.locked).toBe(net);
          }
          if (state === 'closed') {
            expect(account.status).toBe('closed');
            expect(balances.every((b) => b.available === 0n && b.locked === 0n)).toBe(true);
          } else {
            expect(account.status).toBe('active');
          }
          // Late money was returned, never dropped: every deposit is credited or has its return.
          const deposits = txs.filter((t) => t.type === 'deposit' && t.status === 'completed');
          const returns = txs.filter((t) => t.type === 'return');
          expect(returns.length).toBeLessThanOrEqual(deposits.length);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});

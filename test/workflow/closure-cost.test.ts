import { sandboxKeyring } from '../../src/adapters/crypto/keyring.js';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closureStatus, requestClosure } from '../../src/app/closures.js';
import { FactsBatcher } from '../../src/app/facts-batcher.js';
import { workOnce } from '../../src/app/worker.js';
import { seedReferenceData } from '../../src/adapters/ledger/scenarios.js';
import { openDatabase } from '../../src/adapters/store/database.js';
import { migrateToLatest } from '../../src/adapters/store/migrate.js';
import { storeOf } from '../../src/adapters/store/repositories.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { DIALECTS, createTestDatabase } from '../support/databases.js';
import { accountOpener } from '../support/workflow-context.js';

// What one finalization costs, counted on real databases: every SQL statement (through
// Kysely's log hook), every transaction, every platform call. docs/operations.md
// ("Per-closure cost") states the ceilings; this test reads them from the doc, so the doc
// and the code cannot drift apart, and a change that makes finalization dearer fails here.

const HOUR = 3_600_000;

interface Cost {
  /** offboard's own statements (claim, transitions, audit, outbox, notices), transaction control included. */
  statements: number;
  /** offboard's transactions: explicit ones plus statements run on their own. */
  transactions: number;
  /** Calls through the platform port. */
  platformCalls: number;
  /** Facts reads through the port (`facts` and `factsBatch` calls). */
  factsReads: number;
  /** Contact reads through the port. */
  contactReads: number;
}

/** Parses the doc's table: `| scenario | database | statements | transactions | platform calls | facts reads | contact reads |`. */
function documentedCosts(): Map<string, Cost> {
  const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const section = doc.split('## Per-closure cost')[1]?.split('\n## ')[0];
  if (!section) throw new Error('docs/operations.md has no "Per-closure cost" section');
  const costs = new Map<string, Cost>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const figures = cells.slice(3, 8).map(Number);
    if (cells.length < 9 || figures.some((n) => !Number.isInteger(n))) continue;
    const [statements, transactions, platformCalls, factsReads, contactReads] = figures as [
      number,
      number,
      number,
      number,
      number,
    ];
    costs.set(`${cells[1]!.replace(/`/g, '')} on ${cells[2]!}`, {
      statements,
      transactions,
      platformCalls,
      factsReads,
      contactReads,
    });
  }
  return costs;
}

/** Counts SQL while recording; statements run during a platform call are the platform's. */
class Meter {
  recording = false;
  private platformDepth = 0;
  private transactionDepth = 0;
  cost: Cost = blank();
  readonly log: string[] = [];

  onQuery = (text: string): void => {
    if (!this.recording || this.platformDepth > 0) return;
    const sql = text.trim().toLowerCase();
    this.cost.statements += 1;
    this.log.push(sql);
    if (sql.startsWith('begin')) {
      this.transactionDepth += 1;
      this.cost.transactions += 1;
    } else if (sql.startsWith('commit') || sql.startsWith('rollback')) {
      this.transactionDepth -= 1;
    } else if (this.transactionDepth === 0) {
      this.cost.transactions += 1;
    }
  };

  /** The port, each call counted and its SQL (the builtin ledger's) set apart. */
  wrap(platform: PlatformPort): PlatformPort {
    return new Proxy(platform, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (this.recording) {
            this.cost.platformCalls += 1;
            if (name === 'facts' || name === 'factsBatch') this.cost.factsReads += 1;
            if (name === 'contact') this.cost.contactReads += 1;
          }
          this.platformDepth += 1;
          try {
            return (await (value as (...a: unknown[]) => Promise<unknown>).apply(
              target,
              args,
            )) as unknown;
          } finally {
            this.platformDepth -= 1;
          }
        };
      },
    });
  }

  async measure(fn: () => Promise<void>): Promise<Cost> {
    this.cost = blank();
    this.log.length = 0;
    this.recording = true;
    try {
      await fn();
    } finally {
      this.recording = false;
    }
    return this.cost;
  }
}

const blank = (): Cost => ({
  statements: 0,
  transactions: 0,
  platformCalls: 0,
  factsReads: 0,
  contactReads: 0,
});

describe.each(DIALECTS)('what one finalization costs [%s]', (dialect) => {
  let ctx: Context;
  let dispose: () => Promise<void>;
  let account: () => Promise<string>;
  const meter = new Meter();
  const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));
  const documented = documentedCosts();

  beforeAll(async () => {
    const test = await createTestDatabase(dialect);
    ctx = await openContext({ db: test.url, clock, env: {}, onQuery: meter.onQuery });
    ctx.app.platform = meter.wrap(ctx.app.platform);
    await seedReferenceData(ctx.database, clock);
    account = accountOpener(ctx, 'cost');
    dispose = async () => {
      await ctx.close();
      await test.dispose();
    };
  });
  afterAll(async () => dispose());

  /** A closure whose grace has just ended, then the one worker pass that finalizes it. */
  async function finalizationCost(prepare: (accountId: string) => Promise<void>) {
    const accountId = await account();
    await prepare(accountId);
    await requestClosure(ctx.app, ctx.rules, {
      accountId,
      consent: { sweepDust: true, cancelOrders: true, revokeApps: true },
      confirmed: true,
      gracePeriodMs: HOUR,
      actor: { kind: 'holder', id: accountId },
    });
    clock.advance(HOUR);
    const cost = await meter.measure(async () => {
      const outcomes = await workOnce(ctx.app, ctx.rules, {
        owner: 'cost',
        leaseMs: 60_000,
        concurrency: 4,
      });
      expect(outcomes).toEqual([expect.objectContaining({ from: 'grace', to: 'closed' })]);
    });
    expect((await closureStatus(ctx.app, accountId)).closure?.state).toBe('closed');
    return cost;
  }

  const within = (scenario: string, measured: Cost) => {
    const ceiling = documented.get(
      `${scenario} on ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    );
    expect(ceiling, `docs/operations.md documents "${scenario}" on ${dialect}`).toBeDefined();
    for (const [figure, value] of Object.entries(measured) as [keyof Cost, number][])
      expect(
        value,
        `${scenario}: ${figure} measured ${value}, documented ${ceiling![figure]}\n${meter.log.join('\n')}`,
      ).toBeLessThanOrEqual(ceiling![figure]);
  };

  it('closes a plain account within the documented cost, reading facts and contact once', async () => {
    const cost = await finalizationCost(async () => undefined);
    within('no consented action', cost);
    expect(cost.factsReads).toBe(1);
    expect(cost.contactReads).toBe(1);
  });

  it('reads the facts asked for in one turn of the event loop in one factsBatch call', async () => {
    const ids = [await account(), await account(), await account()];
    const batcher = new FactsBatcher(ctx.app.platform);
    const cost = await meter.measure(async () => {
      const read = await Promise.all(ids.map((id) => batcher.facts(id)));
      expect(read.map((f) => f?.accountId)).toEqual(ids);
      // Asked for later: a batch of its own, and an unknown account is null.
      expect(await batcher.facts('cost-nobody')).toBeNull();
    });
    expect(cost.factsReads).toBe(2);
  });

  it('re-reads facts only after a consented dust sweep changed them', async () => {
    const cost = await finalizationCost(async (accountId) => {
      await ctx.ledger.deposit(accountId, 'ETH', 100_000_000_000_000n); // dust
    });
    within('consented dust sweep', cost);
    expect(cost.factsReads).toBe(2);
    expect(cost.contactReads).toBe(1);
  });
});

describe('the claim commits without waiting for the WAL flush, and only the claim [postgres]', () => {
  it('leaves synchronous_commit on for the next statement on the same connection', async () => {
    const test = await createTestDatabase('postgres');
    const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));
    const database = await openDatabase(test.url, { poolSize: 1 });
    try {
      await migrateToLatest(database);
      const store = storeOf(database, await sandboxKeyring(database));
      expect(
        await store.repos.closures.claimDue({ owner: 'w', now: clock.now(), leaseMs: 1, limit: 4 }),
      ).toEqual([]);
      // One connection in the pool: the claim ran on it, and its setting ended with it.
      const shown = await sql<{
        synchronous_commit: string;
      }>`show synchronous_commit`.execute(database.db);
      expect(shown.rows[0]?.synchronous_commit).toBe('on');
    } finally {
      await database.close();
      await test.dispose();
    }
  });
});

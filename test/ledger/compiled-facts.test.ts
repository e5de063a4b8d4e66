import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPILED_FACTS_MAX,
  CompiledFactsReader,
  readLedgerFacts,
} from '../../src/adapters/ledger/ledger-facts.js';
import { LedgerPlatform } from '../../src/adapters/ledger/ledger-platform.js';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { SCENARIO_IDS, seedScenarios } from '../../src/adapters/ledger/scenarios.js';
import { openDatabase } from '../../src/adapters/store/database.js';
import type { Database } from '../../src/adapters/store/database.js';
import { migrateToLatest } from '../../src/adapters/store/migrate.js';
import type { AccountFacts } from '../../src/domain/facts.js';
import { FixedClock } from '../../src/ports/clock.js';
import { DIALECTS, createTestDatabase } from '../support/databases.js';

// The compiled read path: one statement for an account's facts, on real SQLite and real
// PostgreSQL, answering exactly what the table-by-table read answers (exact 18-decimal
// money included), and fresh on every call.

/** Lists in a fixed order: neither read promises the order of rows within an account. */
function normalized(facts: AccountFacts | undefined): unknown {
  if (!facts) return facts;
  const byId = <T extends { id: string }>(list: readonly T[]) =>
    [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    ...facts,
    openOrders: byId(facts.openOrders),
    pendingTransfers: byId(facts.pendingTransfers),
    disputes: byId(facts.disputes),
    authorizations: byId(facts.authorizations),
    credentials: byId(facts.credentials),
    holds: byId(facts.holds),
  };
}

describe.each(DIALECTS)('compiled facts read [%s]', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  const statements: string[] = [];
  let counting = false;
  const clock = new FixedClock(new Date('2026-04-01T00:00:00Z'));

  beforeAll(async () => {
    const test = await createTestDatabase(dialect);
    database = await openDatabase(test.url, {
      onQuery: (text) => {
        if (counting) statements.push(text);
      },
    });
    await migrateToLatest(database);
    await seedScenarios(database, clock, { whaleTransactions: 50 });
    dispose = async () => {
      await database.close();
      await test.dispose();
    };
  });
  afterAll(async () => dispose());

  it('answers what the table-by-table read answers, for every scenario account', async () => {
    const reader = new CompiledFactsReader(database);
    const ids = [...SCENARIO_IDS, 'no-such-account'];
    const expected = await readLedgerFacts(database, ids);
    expect(expected.size).toBe(SCENARIO_IDS.length);
    const together = await reader.read(ids);
    expect(together.size).toBe(expected.size);
    for (const id of ids) {
      expect(normalized(together.get(id)), id).toEqual(normalized(expected.get(id)));
      const alone = await reader.read([id]);
      expect(normalized(alone.get(id)), id).toEqual(normalized(expected.get(id)));
    }
  });

  it('reads one account in one statement, and sees a change made a moment before', async () => {
    const ledger = new BuiltinLedger(database, clock);
    const platform = new LedgerPlatform(database, ledger);
    await platform.facts('demo-clean'); // compiled on first use
    statements.length = 0;
    counting = true;
    const before = await platform.facts('demo-clean');
    counting = false;
    expect(statements).toHaveLength(1);
    // An 18-decimal amount past 64 bits survives the JSON exactly.
    const huge = 123_456_789_012_345_678_901_234_567n;
    await ledger.deposit('demo-clean', 'ETH', huge);
    const after = await platform.facts('demo-clean');
    const eth = (f: AccountFacts | null) => f?.balances.find((b) => b.asset === 'ETH')?.available;
    expect(eth(after)).toBe((eth(before) ?? 0n) + huge);
  });

  it('reads for eligibility the same facts less the credentials, whatever the batch size', async () => {
    const reader = new CompiledFactsReader(database);
    const ids = Array.from({ length: COMPILED_FACTS_MAX + 1 }, (_, i) =>
      i < SCENARIO_IDS.length ? SCENARIO_IDS[i]! : `absent-${i}`,
    );
    const full = await readLedgerFacts(database, ids);
    const withoutCredentials = (facts: AccountFacts | undefined) => {
      const normal = normalized(facts) as Record<string, unknown> | undefined;
      if (normal) delete normal['credentials'];
      return normal;
    };
    for (const batch of [ids, SCENARIO_IDS.slice(0, 3)]) {
      const lean = await reader.readForEligibility(batch);
      expect(lean.size).toBe(batch.filter((id) => full.has(id)).length);
      for (const id of batch)
        if (full.has(id))
          expect(withoutCredentials(lean.get(id) as AccountFacts), id).toEqual(
            withoutCredentials(full.get(id)),
          );
    }
  });

  it('reads a batch larger than one statement takes table by table, with the same answer', async () => {
    const reader = new CompiledFactsReader(database);
    const ids = Array.from({ length: COMPILED_FACTS_MAX + 1 }, (_, i) =>
      i < SCENARIO_IDS.length ? SCENARIO_IDS[i]! : `absent-${i}`,
    );
    const expected = await readLedgerFacts(database, ids);
    // Twice: the second read runs the queries compiled for the first with other ids.
    for (const batch of [ids, [...ids].reverse()]) {
      const read = await reader.read(batch);
      expect([...read.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const id of SCENARIO_IDS)
        expect(normalized(read.get(id)), id).toEqual(normalized(expected.get(id)));
    }
  });
});

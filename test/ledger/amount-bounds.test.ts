import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

// NUMERIC(78,0) holds 78 digits: the largest amount is 78 nines of minor units.
const LARGEST_USD = `${'9'.repeat(76)}.99`;

describe.each(DIALECTS)('amounts beyond what storage holds [%s]', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    expect(
      (await cli(['seed', '--scenarios', '--whale-transactions', '10', '--db', db.url])).code,
    ).toBe(0);
  });
  afterAll(async () => db.dispose());

  const run = (...args: string[]) => cli([...args, '--db', db.url]);

  it('refuses 80 digits as bad input, the same on both databases', async () => {
    const out = await run('ledger', 'deposit', 'demo-negative', 'USD', '9'.repeat(80));
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^offboard: OFFBOARD_ERR_INVALID_AMOUNT: .*78 digits/);
  });

  it('accepts the largest amount, and refuses a deposit that would push a balance past it', async () => {
    const first = await run('ledger', 'deposit', 'demo-negative', 'USD', LARGEST_USD, '--json');
    expect(first.code).toBe(0);
    const again = await run('ledger', 'deposit', 'demo-negative', 'USD', LARGEST_USD);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^offboard: OFFBOARD_ERR_INVALID_AMOUNT: .*largest amount/);
    // Nothing half-written: the refused deposit left no transaction behind.
    const txs = (await run('ledger', 'transactions', 'demo-negative', '--json')).json<{
      transactions: { amount: string }[];
    }>();
    expect(txs.transactions.filter((t) => t.amount.replace(/\D/g, '').length >= 78)).toHaveLength(
      1,
    );
  });
});

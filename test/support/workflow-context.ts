import type { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import type { Dialect } from '../../src/adapters/store/database.js';
import { seedReferenceData } from '../../src/adapters/ledger/scenarios.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import type { FixedClock } from '../../src/ports/clock.js';
import { createTestDatabase } from './databases.js';

/**
 * The composition root in this process, on a fresh database of `dialect` with the ledger's
 * reference data (assets, the platform's accounts), at a clock the test moves.
 */
export async function openWorkflowContext(
  dialect: Dialect,
  clock: FixedClock,
): Promise<{ ctx: Context; dispose(): Promise<void> }> {
  const db = await createTestDatabase(dialect);
  const ctx = await openContext({ db: db.url, clock, env: {} });
  await seedReferenceData(ctx.database, clock);
  return {
    ctx,
    dispose: async () => {
      await ctx.close();
      await db.dispose();
    },
  };
}

/**
 * Opens `prefix-1`, `prefix-2`, ...: each a new holder (email and phone on file) with an
 * empty account in DE, in the ledger that holds the accounts (a context's, or a platform
 * world's: the sandbox's on http).
 */
export function accountOpener(
  ctx: { readonly ledger: BuiltinLedger },
  prefix: string,
): () => Promise<string> {
  let n = 0;
  return async () => {
    n += 1;
    const accountId = `${prefix}-${n}`;
    await ctx.ledger.createHolder({
      id: `holder-${accountId}`,
      name: 'Test Holder',
      email: `${accountId}@example.test`,
      phone: '+49 30 1234567',
    });
    await ctx.ledger.openAccount({
      id: accountId,
      holderId: `holder-${accountId}`,
      jurisdiction: 'DE',
    });
    return accountId;
  };
}

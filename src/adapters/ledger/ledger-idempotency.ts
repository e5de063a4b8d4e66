import type { Tx } from '../store/database.js';
import type { LedgerCore } from './ledger-core.js';

/**
 * Runs `fn` once per idempotency key: the first run's result is stored in the same
 * transaction as its effect, and a repeat returns it without acting again.
 */
export async function idempotent<T>(
  core: LedgerCore,
  key: string | undefined,
  action: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (key === undefined) return core.tx(fn);
  return core.tx(async (tx) => {
    const done = await tx
      .selectFrom('ledger_effects')
      .select('result')
      .where('key', '=', key)
      .executeTakeFirst();
    if (done) return JSON.parse(done.result) as T;
    const result = await fn(tx);
    await tx
      .insertInto('ledger_effects')
      .values({ key, action, result: JSON.stringify(result ?? null), created_at: core.now() })
      .execute();
    return result;
  });
}

import type { Tx } from '../store/database.js';
import type { LedgerCore } from './ledger-core.js';

/** Thrown inside the transaction to undo a repeat's effects: its key was stored first by another run. */
class AlreadyDone extends Error {
  constructor(key: string) {
    super(`the effect of idempotency key "${key}" was stored by another run`);
  }
}

/**
 * Runs `fn` once per idempotency key: the first run's result is stored in the same
 * transaction as its effect, and a repeat returns it without keeping any effect of its own.
 *
 * The effect runs first and its key is stored after it in one statement (`ON CONFLICT DO
 * NOTHING`), one round trip fewer than looking the key up beforehand. A repeat therefore
 * runs `fn` again, inside a transaction it then rolls back: when the key turns out to be
 * stored (the insert stores nothing, or `fn` refused the state the first run left), the
 * stored result is returned and the repeat changed nothing. Two runs of one key side by
 * side: the second insert waits for the first transaction and finds its key.
 */
export async function idempotent<T>(
  core: LedgerCore,
  key: string | undefined,
  action: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (key === undefined) return core.tx(fn);
  try {
    return await core.tx(async (tx) => {
      const result = await fn(tx);
      const stored = await tx
        .insertInto('ledger_effects')
        .values({ key, action, result: JSON.stringify(result ?? null), created_at: core.now() })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!stored) throw new AlreadyDone(key);
      return result;
    });
  } catch (error) {
    const done = await core.database.db
      .selectFrom('ledger_effects')
      .select('result')
      .where('key', '=', key)
      .executeTakeFirst();
    if (done) return JSON.parse(done.result) as T;
    throw error;
  }
}

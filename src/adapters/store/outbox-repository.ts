import type { Tx } from './database.js';

/** Writes an event inside the caller's transaction: it exists exactly when the change does. */
export async function emitEvent(tx: Tx, event: string, accountId: string | null, payload: Record<string, unknown>, now: Date): Promise<void> {
  await tx.insertInto('outbox').values({ event, account_id: accountId, payload: JSON.stringify(payload), created_at: now.getTime(), dispatched: 0 }).execute();
}

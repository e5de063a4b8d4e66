import type { OutboxRepository } from '../../ports/outbox.js';
import type { Db } from './database.js';

/** Writes an event inside the caller's transaction: it exists exactly when the change does. */
export async function emitEvent(
  tx: Db,
  event: string,
  accountId: string | null,
  payload: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await tx
    .insertInto('outbox')
    .values({
      event,
      account_id: accountId,
      payload: JSON.stringify(payload),
      created_at: now.getTime(),
      dispatched: 0,
    })
    .execute();
}

/** The outbox, bound to `db` (the pool or one transaction). */
export class KyselyOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Db) {}

  emit(
    event: string,
    accountId: string | null,
    payload: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    return emitEvent(this.db, event, accountId, payload, now);
  }
}

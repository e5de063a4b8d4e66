import type { Db } from '../database.js';
import { IS_OPEN } from '../open-states.js';

/** The ids of due open closures nobody holds a live lease on, longest waiting first. */
export function dueClosureIds(db: Db, now: number, limit: number) {
  return db
    .selectFrom('closures')
    .select('id')
    .where(IS_OPEN)
    .where('due_at', 'is not', null)
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
    .orderBy('due_at')
    .limit(limit);
}

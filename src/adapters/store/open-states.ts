import { sql } from 'kysely';
import type { ClosureState } from '../../domain/closure.js';

/** The states of a closure still in progress: the one list every query about open closures uses. */
export const OPEN_STATES: readonly ClosureState[] = ['requested', 'grace', 'finalizing', 'escalated'];

/**
 * `state in ('requested', ...)` written out, not bound: the partial indexes on open
 * closures apply only when the query states the same literal condition (a bound parameter
 * cannot prove it).
 */
export const IS_OPEN = sql<boolean>`state in (${sql.join(OPEN_STATES.map((state) => sql.lit(state)))})`;

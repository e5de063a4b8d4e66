import { sql } from 'kysely';
import { CLOSURE_STATES, isTerminal } from '../../domain/closure.js';
import type { OpenClosureState } from '../../domain/closure.js';

/** The states of a closure still in progress, from the domain: the one list every query about open closures uses. */
export const OPEN_STATES: readonly OpenClosureState[] = CLOSURE_STATES.filter(
  (state): state is OpenClosureState => !isTerminal(state),
);

/**
 * `state in ('requested', ...)` written out, not bound: the partial indexes on open
 * closures apply only when the query states the same literal condition (a bound parameter
 * cannot prove it).
 */
export const IS_OPEN = sql<boolean>`state in (${sql.join(OPEN_STATES.map((state) => sql.lit(state)))})`;

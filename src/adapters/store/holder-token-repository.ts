import { sql } from 'kysely';
import type { Db, Tx } from './database.js';

/** All SQL about which holder tokens an account still honours. */

/**
 * Kills every holder token of the account issued at or before `at`. Only ever moves the
 * cutoff forward: a late or repeated call cannot revive tokens an earlier one killed.
 */
export async function raiseHolderTokenCutoff(
  db: Db | Tx,
  accountId: string,
  at: number,
): Promise<void> {
  await db
    .insertInto('holder_token_cutoffs')
    .values({ account_id: accountId, not_before: at })
    .onConflict((oc) =>
      oc
        .column('account_id')
        .doUpdateSet({ not_before: sql<number>`excluded.not_before` })
        .where('holder_token_cutoffs.not_before', '<', sql<number>`excluded.not_before`),
    )
    .execute();
}

/** What decides whether an account's holder token is honoured, read in one query. */
export interface HolderTokenGate {
  /** Tokens issued at or before this instant (epoch ms) are dead; null when none are. */
  notBefore: number | null;
  /** Whether offboard closed the account. */
  closed: boolean;
}

export async function holderTokenGate(db: Db, accountId: string): Promise<HolderTokenGate> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('holder_token_cutoffs')
        .select('not_before')
        .where('account_id', '=', accountId)
        .as('not_before'),
      eb
        .selectFrom('closures')
        .select('id')
        .where('account_id', '=', accountId)
        .where('state', '=', sql.lit('closed'))
        .limit(1)
        .as('closed_by'),
    ])
    .executeTakeFirstOrThrow();
  const ms = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    notBefore: ms(row.not_before),
    closed: row.closed_by !== null && row.closed_by !== undefined,
  };
}

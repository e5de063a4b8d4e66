import { sql } from 'kysely';
import type { CompiledQuery } from 'kysely';
import type { HolderTokenGate, HolderTokenRepository } from '../../ports/holder-tokens.js';
import type { Db } from './database.js';

export type { HolderTokenGate } from '../../ports/holder-tokens.js';

/** All SQL about which holder tokens an account still honours. */

/**
 * Kills every holder token of the account issued at or before `at`. Only ever moves the
 * cutoff forward: a late or repeated call cannot revive tokens an earlier one killed.
 */
export async function raiseHolderTokenCutoff(db: Db, accountId: string, at: number): Promise<void> {
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

/** Stands for the account id while the gate's query is compiled; ids never hold a NUL. */
const ACCOUNT_SLOT = '\u0000offboard-gate-account';

function gateQuery(db: Db, accountId: string) {
  return db.selectNoFrom((eb) => [
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
  ]);
}

type GateRow = { not_before: unknown; closed_by: unknown };

// Every request with a holder token reads its gate: the query is compiled once per
// connection pool and run again with the new id, instead of built on every request.
const compiledGates = new WeakMap<Db, CompiledQuery<GateRow>>();

/** What decides whether an account's holder token is honoured, read in one query. */
export async function holderTokenGate(db: Db, accountId: string): Promise<HolderTokenGate> {
  let compiled = compiledGates.get(db);
  if (!compiled) {
    compiled = gateQuery(db, ACCOUNT_SLOT).compile() as CompiledQuery<GateRow>;
    compiledGates.set(db, compiled);
  }
  const parameters = compiled.parameters.map((p) => (p === ACCOUNT_SLOT ? accountId : p));
  const { rows } = await db.executeQuery<GateRow>({ ...compiled, parameters });
  const row = rows[0];
  if (!row) throw new Error('the holder-token gate query returned no row');
  const ms = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    notBefore: ms(row.not_before),
    closed: row.closed_by !== null && row.closed_by !== undefined,
  };
}

/** The holder-token cutoffs, bound to `db` (the pool or one transaction). */
export class KyselyHolderTokenRepository implements HolderTokenRepository {
  constructor(private readonly db: Db) {}

  raiseCutoff(accountId: string, at: number): Promise<void> {
    return raiseHolderTokenCutoff(this.db, accountId, at);
  }

  gate(accountId: string): Promise<HolderTokenGate> {
    return holderTokenGate(this.db, accountId);
  }
}

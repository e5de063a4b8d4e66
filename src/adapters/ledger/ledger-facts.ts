import { sql } from 'kysely';
import type { CompiledQuery } from 'kysely';
import type {
  AccountFacts,
  AuthorizationFact,
  BalanceFact,
  CredentialFact,
  DisputeFact,
  EligibilityFacts,
  HoldFact,
  OrderFact,
  TransferFact,
} from '../../domain/facts.js';
import { blankFacts } from '../../domain/facts.js';
import type { Database } from '../store/database.js';
import type { AccountTable } from '../store/ledger.table.js';
import { OPEN_STATES } from '../store/open-states.js';

/*
 * Status filters are literals, not bound parameters: SQLite uses a partial index
 * (`where status = 'open'`) only when the query's condition is the same literal.
 */

/**
 * The eight queries of the table-by-table read, for any number of accounts (accounts,
 * balances, open orders, pending transfers, open disputes, active authorizations,
 * credentials and holds), never one per order or per asset.
 */
function tableQueries(database: Database, ids: readonly string[]) {
  const { db } = database;
  const list = [...ids];
  return {
    accounts: db.selectFrom('accounts').selectAll().where('id', 'in', list),
    balances: db
      .selectFrom('balances')
      .innerJoin('assets', 'assets.code', 'balances.asset')
      .select([
        'balances.account_id',
        'balances.asset',
        'balances.available',
        'balances.locked',
        'assets.decimals',
        'assets.price_minor',
        'assets.allow_negative',
      ])
      .where('balances.account_id', 'in', list),
    orders: db
      .selectFrom('orders')
      .innerJoin('assets', 'assets.code', 'orders.asset')
      .select([
        'orders.id',
        'orders.account_id',
        'orders.asset',
        'orders.side',
        'orders.locked',
        'orders.created_at',
        'assets.decimals',
      ])
      .where('orders.account_id', 'in', list)
      .where('orders.status', '=', sql.lit('open')),
    transfers: db
      .selectFrom('transactions')
      .innerJoin('assets', 'assets.code', 'transactions.asset')
      .select([
        'transactions.id',
        'transactions.account_id',
        'transactions.asset',
        'transactions.type',
        'transactions.amount',
        'transactions.created_at',
        'transactions.cancellable',
        'assets.decimals',
      ])
      .where('transactions.account_id', 'in', list)
      .where('transactions.status', '=', sql.lit('pending')),
    disputes: db
      .selectFrom('disputes')
      .innerJoin('assets', 'assets.code', 'disputes.asset')
      .select([
        'disputes.id',
        'disputes.account_id',
        'disputes.kind',
        'disputes.asset',
        'disputes.amount',
        'disputes.opened_at',
        'assets.decimals',
      ])
      .where('disputes.account_id', 'in', list)
      .where('disputes.status', '=', sql.lit('open')),
    authorizations: db
      .selectFrom('authorizations')
      .select(['id', 'account_id', 'kind', 'name', 'granted_at'])
      .where('account_id', 'in', list)
      .where('status', '=', sql.lit('active')),
    credentials: db
      .selectFrom('credentials')
      .select(['id', 'account_id', 'kind', 'label', 'created_at'])
      .where('account_id', 'in', list)
      .where('status', '=', sql.lit('active')),
    holds: db
      .selectFrom('holds')
      .select(['id', 'account_id', 'kind', 'reason', 'placed_at'])
      .where('account_id', 'in', list)
      .where('status', '=', sql.lit('active')),
  };
}

/** Reads eligibility facts from the builtin ledger, table by table, building each query anew. */
export async function readLedgerFacts(
  database: Database,
  accountIds: readonly string[],
): Promise<Map<string, AccountFacts>> {
  if (accountIds.length === 0) return new Map();
  const queries = tableQueries(database, [...new Set(accountIds)]);
  const [accounts, balances, orders, transfers, disputes, authorizations, credentials, holds] =
    await Promise.all([
      queries.accounts.execute(),
      queries.balances.execute(),
      queries.orders.execute(),
      queries.transfers.execute(),
      queries.disputes.execute(),
      queries.authorizations.execute(),
      queries.credentials.execute(),
      queries.holds.execute(),
    ]);
  return assembleFacts({
    accounts,
    balances,
    orders,
    transfers,
    disputes,
    authorizations,
    credentials,
    holds,
  });
}

/** The most accounts one compiled read takes; a larger batch is read table by table. */
export const COMPILED_FACTS_MAX = 32;

/** Stands for the i-th account id while a query is compiled; ids never hold a NUL. */
const ID_SLOT = '\u0000offboard-facts-account:';

/**
 * The facts query: the accounts' rows, each with its balances, open orders, pending
 * transfers, open disputes, active authorizations, credentials and holds as JSON array
 * columns, so a few accounts cost one statement. Money is cast to text inside the JSON,
 * where a number would lose digits.
 *
 * With `openClosure`, each row also carries offboard's open closure of the account (its id
 * and state, null when none): the builtin ledger lives in offboard's own database, so an
 * eligibility check needs no second statement for it. At most one closure per account is
 * open (the unique index closures_one_open), so the join never repeats an account. The
 * states are literals so the join can use that partial index.
 */
function factsQuery(database: Database, ids: readonly string[], openClosure: boolean) {
  const { db } = database;
  const json = database.store.jsonArrayFrom;
  return db
    .selectFrom('accounts')
    .selectAll('accounts')
    .select((eb) => [
      json(
        eb
          .selectFrom('balances')
          .innerJoin('assets', 'assets.code', 'balances.asset')
          .select((e) => [
            'balances.account_id',
            'balances.asset',
            e.cast<string>('balances.available', 'text').as('available'),
            e.cast<string>('balances.locked', 'text').as('locked'),
            'assets.decimals',
            e.cast<string | null>('assets.price_minor', 'text').as('price_minor'),
            'assets.allow_negative',
          ])
          .whereRef('balances.account_id', '=', 'accounts.id'),
      ).as('balances'),
      json(
        eb
          .selectFrom('orders')
          .innerJoin('assets', 'assets.code', 'orders.asset')
          .select((e) => [
            'orders.id',
            'orders.account_id',
            'orders.asset',
            'orders.side',
            e.cast<string>('orders.locked', 'text').as('locked'),
            'orders.created_at',
            'assets.decimals',
          ])
          .whereRef('orders.account_id', '=', 'accounts.id')
          .where('orders.status', '=', sql.lit('open')),
      ).as('orders'),
      json(
        eb
          .selectFrom('transactions')
          .innerJoin('assets', 'assets.code', 'transactions.asset')
          .select((e) => [
            'transactions.id',
            'transactions.account_id',
            'transactions.asset',
            'transactions.type',
            e.cast<string>('transactions.amount', 'text').as('amount'),
            'transactions.created_at',
            'transactions.cancellable',
            'assets.decimals',
          ])
          .whereRef('transactions.account_id', '=', 'accounts.id')
          .where('transactions.status', '=', sql.lit('pending')),
      ).as('transfers'),
      json(
        eb
          .selectFrom('disputes')
          .innerJoin('assets', 'assets.code', 'disputes.asset')
          .select((e) => [
            'disputes.id',
            'disputes.account_id',
            'disputes.kind',
            'disputes.asset',
            e.cast<string>('disputes.amount', 'text').as('amount'),
            'disputes.opened_at',
            'assets.decimals',
          ])
          .whereRef('disputes.account_id', '=', 'accounts.id')
          .where('disputes.status', '=', sql.lit('open')),
      ).as('disputes'),
      json(
        eb
          .selectFrom('authorizations')
          .select([
            'authorizations.id',
            'authorizations.account_id',
            'authorizations.kind',
            'authorizations.name',
            'authorizations.granted_at',
          ])
          .whereRef('authorizations.account_id', '=', 'accounts.id')
          .where('authorizations.status', '=', sql.lit('active')),
      ).as('authorizations'),
      json(
        eb
          .selectFrom('credentials')
          .select([
            'credentials.id',
            'credentials.account_id',
            'credentials.kind',
            'credentials.label',
            'credentials.created_at',
          ])
          .whereRef('credentials.account_id', '=', 'accounts.id')
          .where('credentials.status', '=', sql.lit('active')),
      ).as('credentials'),
      json(
        eb
          .selectFrom('holds')
          .select(['holds.id', 'holds.account_id', 'holds.kind', 'holds.reason', 'holds.placed_at'])
          .whereRef('holds.account_id', '=', 'accounts.id')
          .where('holds.status', '=', sql.lit('active')),
      ).as('holds'),
    ])
    .where('accounts.id', 'in', [...ids])
    .$if(openClosure, (query) =>
      query
        .leftJoin('closures', (join) =>
          join.onRef('closures.account_id', '=', 'accounts.id').on(
            'closures.state',
            'in',
            OPEN_STATES.map((state) => sql.lit(state)),
          ),
        )
        .select(['closures.id as open_closure_id', 'closures.state as open_closure_state']),
    );
}

type FactsRow = AccountTable & {
  [K in Exclude<keyof FactRows, 'accounts'>]: FactRows[K] | string;
} & {
  /** Only in the query with `openClosure`: offboard's open closure of the account, or null. */
  open_closure_id?: string | null;
  open_closure_state?: string | null;
};

const NO_ROWS: readonly never[] = [];

/** PostgreSQL's driver parses JSON columns; SQLite hands them over as text. */
function jsonList<T>(value: readonly T[] | string): readonly T[] {
  if (typeof value !== 'string') return value;
  // Most accounts have no orders, transfers, disputes or holds: nothing to parse.
  return value === '[]' ? NO_ROWS : (JSON.parse(value) as T[]);
}

/** A query compiled once for a number of accounts, and which id each of its parameters takes. */
interface IdQuery<R> {
  readonly query: CompiledQuery<R>;
  /** Per parameter: the index of the account id it stands for, or -1 for a fixed value. */
  readonly slots: readonly number[];
}

/** Stand-ins for `size` account ids: a query built over them is compiled once, run with real ids. */
function idSlots(size: number): string[] {
  return Array.from({ length: size }, (_, i) => `${ID_SLOT}${i}`);
}

/** Compiles a query built over idSlots, noting which id each of its parameters takes. */
function compileForIds<R>(query: { compile(): CompiledQuery<R> }): IdQuery<R> {
  const compiled = query.compile();
  const slots = compiled.parameters.map((p) =>
    typeof p === 'string' && p.startsWith(ID_SLOT) ? Number(p.slice(ID_SLOT.length)) : -1,
  );
  return { query: compiled, slots };
}

/** The compiled query with these accounts' ids in its slots. */
function withIds<R>({ query, slots }: IdQuery<R>, ids: readonly string[]): CompiledQuery<R> {
  const parameters = slots.map((slot, i) => (slot < 0 ? query.parameters[i] : ids[slot]));
  return { ...query, parameters };
}

type CompiledTables = { readonly [K in keyof FactRows]: IdQuery<FactRows[K][number]> };

/** Batch sizes whose table-by-table queries stay compiled (a scan uses two: full and last). */
const COMPILED_TABLE_SIZES = 8;

/**
 * Reads facts through queries compiled once per batch size and run again with new ids: no
 * query is built on the hot path, and SQLite reuses its prepared statements. A few
 * accounts (at most COMPILED_FACTS_MAX) cost one statement; a larger batch, a scan's
 * thousand, one statement per table. Nothing is cached but the SQL: facts are read fresh
 * every time.
 */
export class CompiledFactsReader {
  private readonly compiled = new Map<number, IdQuery<FactsRow>>();
  private readonly tables = new Map<number, CompiledTables>();
  private withOpenClosure: IdQuery<FactsRow> | null = null;

  constructor(private readonly database: Database) {}

  async read(accountIds: readonly string[]): Promise<Map<string, AccountFacts>> {
    const ids = [...new Set(accountIds)];
    if (ids.length === 0) return new Map();
    if (ids.length > COMPILED_FACTS_MAX) return this.readByTable(ids, { credentials: true });
    return factsOf(await this.run(this.compiledFor(ids.length), ids));
  }

  /**
   * One account's facts with offboard's open closure of it in `closure`, in one statement
   * (see factsQuery); null for an unknown account.
   */
  async readWithOpenClosure(accountId: string): Promise<AccountFacts | null> {
    this.withOpenClosure ??= this.compile(1, true);
    const rows = await this.run(this.withOpenClosure, [accountId]);
    const facts = factsOf(rows).get(accountId) ?? null;
    const row = rows[0];
    if (facts && row?.open_closure_id && row.open_closure_state)
      facts.closure = { id: row.open_closure_id, state: row.open_closure_state };
    return facts;
  }

  private async run(query: IdQuery<FactsRow>, ids: readonly string[]): Promise<FactsRow[]> {
    return (await this.database.db.executeQuery(withIds(query, ids))).rows;
  }

  /**
   * The facts eligibility decides on: as `read`, but a batch larger than one statement
   * takes leaves the credentials unread (a scan's largest table, and no blocker's concern).
   */
  async readForEligibility(accountIds: readonly string[]): Promise<Map<string, EligibilityFacts>> {
    const ids = [...new Set(accountIds)];
    if (ids.length <= COMPILED_FACTS_MAX) return this.read(ids);
    return this.readByTable(ids, { credentials: false });
  }

  private async readByTable(
    ids: readonly string[],
    options: { credentials: boolean },
  ): Promise<Map<string, AccountFacts>> {
    const tables = this.tablesFor(ids.length);
    const run = <K extends keyof FactRows>(table: K) =>
      this.database.db.executeQuery(withIds(tables[table], ids)).then((r) => r.rows);
    const [accounts, balances, orders, transfers, disputes, authorizations, credentials, holds] =
      await Promise.all([
        run('accounts'),
        run('balances'),
        run('orders'),
        run('transfers'),
        run('disputes'),
        run('authorizations'),
        options.credentials ? run('credentials') : [],
        run('holds'),
      ]);
    return assembleFacts({
      accounts,
      balances,
      orders,
      transfers,
      disputes,
      authorizations,
      credentials,
      holds,
    });
  }

  private compiledFor(size: number): IdQuery<FactsRow> {
    let query = this.compiled.get(size);
    if (!query) {
      query = this.compile(size, false);
      this.compiled.set(size, query);
    }
    return query;
  }

  private tablesFor(size: number): CompiledTables {
    let tables = this.tables.get(size);
    if (!tables) {
      const queries = tableQueries(this.database, idSlots(size));
      tables = {
        accounts: compileForIds(queries.accounts),
        balances: compileForIds(queries.balances),
        orders: compileForIds(queries.orders),
        transfers: compileForIds(queries.transfers),
        disputes: compileForIds(queries.disputes),
        authorizations: compileForIds(queries.authorizations),
        credentials: compileForIds(queries.credentials),
        holds: compileForIds(queries.holds),
      };
      // Sizes other than a scan's are rare (a worker's claim batch): forget the oldest.
      if (this.tables.size >= COMPILED_TABLE_SIZES)
        this.tables.delete(this.tables.keys().next().value!);
      this.tables.set(size, tables);
    }
    return tables;
  }

  private compile(size: number, openClosure: boolean): IdQuery<FactsRow> {
    return compileForIds(
      factsQuery(this.database, idSlots(size), openClosure),
    ) as IdQuery<FactsRow>;
  }
}

/** The rows of the compiled query, each account's tables as JSON columns, to facts. */
function factsOf(rows: readonly FactsRow[]): Map<string, AccountFacts> {
  const all: { -readonly [K in keyof FactRows]: FactRows[K][number][] } = {
    accounts: [],
    balances: [],
    orders: [],
    transfers: [],
    disputes: [],
    authorizations: [],
    credentials: [],
    holds: [],
  };
  for (const row of rows) {
    // The row itself stands for the account (emptyFacts reads the account's columns by
    // name): copying it without the JSON columns would cost more than the rest of the read.
    all.accounts.push(row);
    all.balances.push(...jsonList(row.balances));
    all.orders.push(...jsonList(row.orders));
    all.transfers.push(...jsonList(row.transfers));
    all.disputes.push(...jsonList(row.disputes));
    all.authorizations.push(...jsonList(row.authorizations));
    all.credentials.push(...jsonList(row.credentials));
    all.holds.push(...jsonList(row.holds));
  }
  return assembleFacts(all);
}

/** What the facts are made of: the rows of the eight tables, of any number of accounts. */
export interface FactRows {
  accounts: readonly AccountTable[];
  balances: readonly {
    account_id: string;
    asset: string;
    available: string;
    locked: string;
    decimals: number;
    price_minor: string | null;
    allow_negative: number;
  }[];
  orders: readonly {
    id: string;
    account_id: string;
    asset: string;
    side: 'buy' | 'sell';
    locked: string;
    created_at: number;
    decimals: number;
  }[];
  transfers: readonly {
    id: number;
    account_id: string;
    asset: string;
    type: string;
    amount: string;
    created_at: number;
    cancellable: number;
    decimals: number;
  }[];
  disputes: readonly {
    id: string;
    account_id: string;
    kind: 'dispute' | 'chargeback';
    asset: string;
    amount: string;
    opened_at: number;
    decimals: number;
  }[];
  authorizations: readonly {
    id: string;
    account_id: string;
    kind: AuthorizationFact['kind'];
    name: string;
    granted_at: number;
  }[];
  credentials: readonly {
    id: string;
    account_id: string;
    kind: CredentialFact['kind'];
    label: string;
    created_at: number;
  }[];
  holds: readonly {
    id: string;
    account_id: string;
    kind: HoldFact['kind'];
    reason: string;
    placed_at: number;
  }[];
}

/** Rows to facts, whichever way they were read. */
function assembleFacts(rows: FactRows): Map<string, AccountFacts> {
  const { accounts, balances, orders, transfers, disputes, authorizations, credentials, holds } =
    rows;
  const result = new Map<string, AccountFacts>();
  for (const account of accounts) result.set(account.id, emptyFacts(account));
  const facts = (id: string) => result.get(id);
  for (const b of balances) {
    const fact: BalanceFact = {
      asset: b.asset,
      decimals: b.decimals,
      available: BigInt(b.available),
      locked: BigInt(b.locked),
      allowNegative: b.allow_negative === 1,
      priceMinorPerUnit: b.price_minor === null ? null : BigInt(b.price_minor),
    };
    facts(b.account_id)?.balances.push(fact);
  }
  for (const o of orders) {
    const fact: OrderFact = {
      id: o.id,
      asset: o.asset,
      side: o.side,
      locked: BigInt(o.locked),
      decimals: o.decimals,
      createdAt: new Date(o.created_at),
    };
    facts(o.account_id)?.openOrders.push(fact);
  }
  for (const t of transfers) {
    if (t.type !== 'deposit' && t.type !== 'withdrawal') continue;
    const amount = BigInt(t.amount);
    const fact: TransferFact = {
      id: String(t.id),
      direction: t.type,
      asset: t.asset,
      amount: amount < 0n ? -amount : amount,
      decimals: t.decimals,
      createdAt: new Date(t.created_at),
      cancellable: t.cancellable === 1,
    };
    facts(t.account_id)?.pendingTransfers.push(fact);
  }
  for (const d of disputes) {
    const fact: DisputeFact = {
      id: d.id,
      kind: d.kind,
      asset: d.asset,
      amount: BigInt(d.amount),
      decimals: d.decimals,
      openedAt: new Date(d.opened_at),
    };
    facts(d.account_id)?.disputes.push(fact);
  }
  for (const a of authorizations) {
    const fact: AuthorizationFact = {
      id: a.id,
      kind: a.kind,
      name: a.name,
      grantedAt: new Date(a.granted_at),
    };
    facts(a.account_id)?.authorizations.push(fact);
  }
  for (const c of credentials) {
    const fact: CredentialFact = {
      id: c.id,
      kind: c.kind,
      label: c.label,
      createdAt: new Date(c.created_at),
    };
    facts(c.account_id)?.credentials.push(fact);
  }
  for (const h of holds) {
    const fact: HoldFact = {
      id: h.id,
      kind: h.kind,
      reason: h.reason,
      placedAt: new Date(h.placed_at),
    };
    facts(h.account_id)?.holds.push(fact);
  }
  // Queries return rows in no promised order; verdicts list subjects in a stable one.
  for (const f of result.values()) {
    f.balances.sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
  }
  return result;
}

function emptyFacts(account: AccountTable): AccountFacts {
  const instant = (ms: number | null) => (ms === null ? null : new Date(ms));
  return blankFacts(
    {
      accountId: account.id,
      status: account.status,
      jurisdiction: account.jurisdiction,
      openedAt: new Date(account.opened_at),
    },
    {
      trade: instant(account.last_trade_at),
      withdrawal: instant(account.last_withdrawal_at),
      deposit: instant(account.last_deposit_at),
      securityChange: instant(account.last_security_change_at),
    },
  );
}

import { sql } from 'kysely';
import type {
  AccountFacts,
  AuthorizationFact,
  BalanceFact,
  CredentialFact,
  DisputeFact,
  HoldFact,
  OrderFact,
  TransferFact,
} from '../../domain/facts.js';
import { blankFacts } from '../../domain/facts.js';
import type { Database } from '../store/database.js';
import type { AccountTable } from '../store/ledger.table.js';

/*
 * Status filters are literals, not bound parameters: SQLite uses a partial index
 * (`where status = 'open'`) only when the query's condition is the same literal.
 */

/**
 * Reads eligibility facts from the builtin ledger: eight queries for any number of
 * accounts (accounts, balances, open orders, pending transfers, open disputes, active
 * authorizations, credentials and holds), never one per order or per asset.
 */
export async function readLedgerFacts(
  database: Database,
  accountIds: readonly string[],
): Promise<Map<string, AccountFacts>> {
  const result = new Map<string, AccountFacts>();
  if (accountIds.length === 0) return result;
  const ids = [...new Set(accountIds)];
  const { db } = database;
  const [accounts, balances, orders, transfers, disputes, authorizations, credentials, holds] =
    await Promise.all([
      db.selectFrom('accounts').selectAll().where('id', 'in', ids).execute(),
      db
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
        .where('balances.account_id', 'in', ids)
        .execute(),
      db
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
        .where('orders.account_id', 'in', ids)
        .where('orders.status', '=', sql.lit('open'))
        .execute(),
      db
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
        .where('transactions.account_id', 'in', ids)
        .where('transactions.status', '=', sql.lit('pending'))
        .execute(),
      db
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
        .where('disputes.account_id', 'in', ids)
        .where('disputes.status', '=', sql.lit('open'))
        .execute(),
      db
        .selectFrom('authorizations')
        .select(['id', 'account_id', 'kind', 'name', 'granted_at'])
        .where('account_id', 'in', ids)
        .where('status', '=', sql.lit('active'))
        .execute(),
      db
        .selectFrom('credentials')
        .select(['id', 'account_id', 'kind', 'label', 'created_at'])
        .where('account_id', 'in', ids)
        .where('status', '=', sql.lit('active'))
        .execute(),
      db
        .selectFrom('holds')
        .select(['id', 'account_id', 'kind', 'reason', 'placed_at'])
        .where('account_id', 'in', ids)
        .where('status', '=', sql.lit('active'))
        .execute(),
    ]);
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
  return {
    ...blankFacts({
      accountId: account.id,
      status: account.status,
      jurisdiction: account.jurisdiction,
      openedAt: new Date(account.opened_at),
    }),
    lastActivity: {
      trade: instant(account.last_trade_at),
      withdrawal: instant(account.last_withdrawal_at),
      deposit: instant(account.last_deposit_at),
      securityChange: instant(account.last_security_change_at),
    },
  };
}

import { account } from './store.js';
import type { AccountRow, Db } from './store.js';

/*
 * What offboard reads: facts, account lists, contacts and transaction pages, shaped exactly
 * as docs/platform-contract.md shows them. Lists hold only what is live (open orders,
 * transfers in flight, unresolved disputes, active grants, credentials and holds).
 */

export function facts(db: Db, accountId: string) {
  const a = account(db, accountId);
  if (!a) return null;
  const all = (sql: string) => db.prepare(sql).all(accountId) as Record<string, string>[];
  return {
    accountId: a.id,
    status: a.status,
    jurisdiction: a.jurisdiction,
    openedAt: a.opened_at,
    balances: (
      db
        .prepare(
          `SELECT b.asset, s.decimals, b.available, b.locked, s.allow_negative, s.price_minor
           FROM balances b JOIN assets s ON s.code = b.asset WHERE b.account_id = ? ORDER BY b.asset`,
        )
        .all(accountId) as {
        asset: string;
        decimals: number;
        available: string;
        locked: string;
        allow_negative: number;
        price_minor: string | null;
      }[]
    ).map((b) => ({
      asset: b.asset,
      decimals: b.decimals,
      available: b.available,
      locked: b.locked,
      allowNegative: b.allow_negative === 1,
      priceMinorPerUnit: b.price_minor,
    })),
    openOrders: all(
      `SELECT o.id, o.asset, o.side, o.locked, s.decimals, o.created_at AS createdAt
       FROM orders o JOIN assets s ON s.code = o.asset
       WHERE o.account_id = ? AND o.status = 'open' ORDER BY o.id`,
    ),
    // A pending transaction is a transfer in flight; its id is what /withdrawals/{id}/cancel takes.
    pendingTransfers: (
      db
        .prepare(
          `SELECT t.id, t.type, t.asset, t.amount, s.decimals, t.created_at, t.cancellable
           FROM transactions t JOIN assets s ON s.code = t.asset
           WHERE t.account_id = ? AND t.status = 'pending' ORDER BY t.id`,
        )
        .all(accountId) as {
        id: number;
        type: string;
        asset: string;
        amount: string;
        decimals: number;
        created_at: string;
        cancellable: number;
      }[]
    ).map((t) => ({
      id: String(t.id),
      direction: t.type,
      asset: t.asset,
      amount: t.amount.replace(/^-/, ''), // withdrawals are recorded negative
      decimals: t.decimals,
      createdAt: t.created_at,
      cancellable: t.cancellable === 1,
    })),
    disputes: all(
      `SELECT d.id, d.kind, d.asset, d.amount, s.decimals, d.opened_at AS openedAt
       FROM disputes d JOIN assets s ON s.code = d.asset
       WHERE d.account_id = ? AND d.status = 'open' ORDER BY d.id`,
    ),
    authorizations: all(
      `SELECT id, kind, name, granted_at AS grantedAt FROM authorizations
       WHERE account_id = ? AND status = 'active' ORDER BY id`,
    ),
    credentials: all(
      `SELECT id, kind, label, created_at AS createdAt FROM credentials
       WHERE account_id = ? AND status = 'active' ORDER BY id`,
    ),
    // Kind and reason are for offboard's agents: offboard never shows them to the holder.
    holds: all(
      `SELECT id, kind, reason, placed_at AS placedAt FROM holds
       WHERE account_id = ? AND status = 'active' ORDER BY id`,
    ),
    lastActivity: {
      trade: a.last_trade_at,
      withdrawal: a.last_withdrawal_at,
      deposit: a.last_deposit_at,
      securityChange: a.last_security_change_at,
    },
  };
}

/** Account ids in id order after `after`; `next` is null when the page was not full. */
export function listAccounts(
  db: Db,
  q: { after?: string; limit: number; jurisdiction?: string },
): { accountIds: string[]; next: string | null } {
  const rows = db
    .prepare(
      `SELECT id FROM accounts WHERE id > ? AND (? IS NULL OR jurisdiction = ?)
       ORDER BY id LIMIT ?`,
    )
    .all(q.after ?? '', q.jurisdiction ?? null, q.jurisdiction ?? null, q.limit) as {
    id: string;
  }[];
  const accountIds = rows.map((r) => r.id);
  return { accountIds, next: accountIds.length === q.limit ? accountIds.at(-1)! : null };
}

export function countAccounts(db: Db, jurisdiction: string | undefined): { count: number } {
  const row = db
    .prepare('SELECT count(*) AS n FROM accounts WHERE ? IS NULL OR jurisdiction = ?')
    .get(jurisdiction ?? null, jurisdiction ?? null) as { n: number };
  return { count: row.n };
}

export function contact(a: AccountRow) {
  return { name: a.name, email: a.email, phone: a.phone, jurisdiction: a.jurisdiction };
}

/**
 * A page of the account's transactions, oldest first, cut by id: ids only grow, so a
 * transaction recorded while offboard reads lands after every page already read.
 */
export function transactions(db: Db, accountId: string, after: number, limit: number) {
  const rows = db
    .prepare(
      `SELECT t.*, s.decimals FROM transactions t JOIN assets s ON s.code = t.asset
       WHERE t.account_id = ? AND t.id > ? ORDER BY t.id LIMIT ?`,
    )
    .all(accountId, after, limit) as {
    id: number;
    asset: string;
    decimals: number;
    type: string;
    amount: string;
    fee: string;
    status: string;
    counterparty: string | null;
    reference: string | null;
    created_at: string;
    completed_at: string | null;
  }[];
  return {
    transactions: rows.map((t) => ({
      id: String(t.id),
      asset: t.asset,
      decimals: t.decimals,
      type: t.type,
      amount: t.amount,
      fee: t.fee,
      status: t.status,
      counterparty: t.counterparty,
      reference: t.reference,
      createdAt: t.created_at,
      completedAt: t.completed_at,
    })),
    next: rows.length === limit ? String(rows.at(-1)!.id) : null,
  };
}

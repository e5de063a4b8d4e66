import { account, adjustBalance, asset, deposit, record } from './store.js';
import type { AccountRow, Db } from './store.js';

/*
 * What offboard does to accounts. Each function runs inside the one SQLite transaction the
 * server opens for a write (together with remembering its Idempotency-Key), so an effect
 * and its key are stored together or not at all. Doing any of them to a record already in
 * its end state changes nothing and answers as if it had just been done.
 */

/** A refusal: the HTTP status and the contract's stable error code. */
export class ContractError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function requireAccount(db: Db, id: string): AccountRow {
  const row = account(db, id);
  if (!row) throw new ContractError(404, 'OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${id}"`);
  return row;
}

const notActive = (id: string) =>
  new ContractError(409, 'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE', `account "${id}" is closed for good`);

function setStatus(db: Db, id: string, status: AccountRow['status'], before: string | null) {
  db.prepare('UPDATE accounts SET status = ?, status_before_freeze = ? WHERE id = ?').run(
    status,
    before,
    id,
  );
  return { accountId: id, status };
}

/** A freeze remembers what it covers, so an unfreeze of a disabled account leaves it disabled. */
export function freeze(db: Db, id: string) {
  const a = requireAccount(db, id);
  if (a.status === 'closed') throw notActive(id);
  if (a.status === 'frozen') return { accountId: id, status: a.status };
  return setStatus(db, id, 'frozen', a.status);
}

export function unfreeze(db: Db, id: string) {
  const a = requireAccount(db, id);
  if (a.status === 'closed') throw notActive(id);
  if (a.status !== 'frozen') return { accountId: id, status: a.status };
  return setStatus(db, id, a.status_before_freeze ?? 'active', null);
}

/** Final: a closed account takes no money and no logins, and nothing reopens it. */
export function close(db: Db, id: string) {
  requireAccount(db, id);
  return setStatus(db, id, 'closed', null);
}

export function setDisabled(db: Db, id: string, disabled: boolean) {
  const a = requireAccount(db, id);
  const to = disabled ? 'disabled' : 'active';
  if (a.status === 'closed') throw notActive(id);
  // While frozen, the change is what the unfreeze will restore.
  if (a.status === 'frozen') return setStatus(db, id, 'frozen', to);
  return setStatus(db, id, to, null);
}

/** Moves the asset's whole available balance to the platform's own books. */
export function sweepDust(db: Db, id: string, code: string, now: string) {
  requireAccount(db, id);
  if (!asset(db, code))
    throw new ContractError(404, 'OFFBOARD_ERR_UNKNOWN_ASSET', `no asset "${code}"`);
  const row = db
    .prepare('SELECT available FROM balances WHERE account_id = ? AND asset = ?')
    .get(id, code) as { available: string } | undefined;
  const amount = BigInt(row?.available ?? '0');
  if (amount > 0n) {
    adjustBalance(db, id, code, -amount, 0n);
    const platform = db
      .prepare('SELECT amount FROM platform_balances WHERE asset = ?')
      .get(code) as { amount: string } | undefined;
    db.prepare('INSERT OR REPLACE INTO platform_balances VALUES (?, ?)').run(
      code,
      (BigInt(platform?.amount ?? '0') + amount).toString(),
    );
    record(db, {
      accountId: id,
      asset: code,
      type: 'dust_sweep',
      amount: -amount,
      counterparty: 'platform',
      reference: 'dust sweep at closure',
      at: now,
    });
  }
  return { accountId: id, asset: code, amount: amount.toString() };
}

type RecordTable = 'orders' | 'authorizations' | 'credentials' | 'holds';

/** The record, when it is the account's; else 404 (never another account's record). */
function owned<T>(db: Db, table: RecordTable, accountId: string, id: string): T {
  requireAccount(db, accountId);
  const row = db
    .prepare(`SELECT * FROM ${table} WHERE id = ? AND account_id = ?`)
    .get(id, accountId);
  if (!row)
    throw new ContractError(
      404,
      'OFFBOARD_ERR_NOT_FOUND',
      `no ${table.slice(0, -1)} "${id}" on ${accountId}`,
    );
  return row as T;
}

/** Cancelling an open order releases the funds it locked. */
export function cancelOrder(db: Db, accountId: string, id: string) {
  const order = owned<{ asset: string; locked: string; status: string }>(
    db,
    'orders',
    accountId,
    id,
  );
  if (order.status === 'open') {
    adjustBalance(db, accountId, order.asset, BigInt(order.locked), -BigInt(order.locked));
    db.prepare(`UPDATE orders SET status = 'cancelled' WHERE id = ?`).run(id);
  }
  return { accountId, id };
}

/** The credential kinds whose change is a security change. */
export const SECURITY_KINDS = ['totp', 'sms', 'webauthn', 'withdrawal_address'];

/** Revoking an authorization or a credential, or lifting a hold: for good. */
export function endRecord(
  db: Db,
  table: Exclude<RecordTable, 'orders'>,
  accountId: string,
  id: string,
  now: string,
) {
  const row = owned<{ status: string; kind: string }>(db, table, accountId, id);
  if (row.status !== 'active') return { accountId, id };
  db.prepare(`UPDATE ${table} SET status = ? WHERE id = ?`).run(
    table === 'holds' ? 'lifted' : 'revoked',
    id,
  );
  // Losing a second factor or a withdrawal address is a security change: it starts a cooling-off.
  if (table === 'credentials' && SECURITY_KINDS.includes(row.kind))
    db.prepare('UPDATE accounts SET last_security_change_at = ? WHERE id = ?').run(now, accountId);
  return { accountId, id };
}

/** Stopping a withdrawal returns its amount and fee to the available balance. */
export function cancelWithdrawal(db: Db, accountId: string, id: string, now: string) {
  requireAccount(db, accountId);
  const t = db
    .prepare(`SELECT * FROM transactions WHERE id = ? AND account_id = ? AND type = 'withdrawal'`)
    .get(/^\d{1,15}$/.test(id) ? Number(id) : -1, accountId) as
    { asset: string; amount: string; fee: string; status: string; cancellable: number } | undefined;
  if (!t)
    throw new ContractError(404, 'OFFBOARD_ERR_NOT_FOUND', `no withdrawal "${id}" on ${accountId}`);
  if (t.status !== 'pending') return { accountId, id }; // already settled: nothing to stop
  if (!t.cancellable)
    throw new ContractError(
      409,
      'OFFBOARD_ERR_INVALID_STATE',
      `withdrawal "${id}" can no longer be stopped`,
    );
  const total = -BigInt(t.amount) + BigInt(t.fee);
  adjustBalance(db, accountId, t.asset, total, -total);
  db.prepare(
    `UPDATE transactions SET status = 'failed', cancellable = 0, completed_at = ? WHERE id = ?`,
  ).run(now, Number(id));
  return { accountId, id };
}

export function placeHold(
  db: Db,
  accountId: string,
  hold: { id: string; kind: string; reason: string },
  now: string,
) {
  requireAccount(db, accountId);
  const existing = db.prepare('SELECT account_id FROM holds WHERE id = ?').get(hold.id) as
    { account_id: string } | undefined;
  if (existing && existing.account_id !== accountId)
    throw new ContractError(
      409,
      'OFFBOARD_ERR_INVALID_STATE',
      `hold id "${hold.id}" is taken; choose another`,
    );
  if (!existing)
    db.prepare(`INSERT INTO holds VALUES (?, ?, ?, ?, 'active', ?)`).run(
      hold.id,
      accountId,
      hold.kind,
      hold.reason,
      now,
    );
  return { accountId, id: hold.id };
}

/** Test mode: money arrives for the account, as from outside. */
export function testDeposit(
  db: Db,
  accountId: string,
  body: { asset: string; amount: bigint; counterparty: string | null },
  now: string,
) {
  requireAccount(db, accountId);
  if (!asset(db, body.asset))
    throw new ContractError(404, 'OFFBOARD_ERR_UNKNOWN_ASSET', `no asset "${body.asset}"`);
  if (body.amount <= 0n)
    throw new ContractError(
      400,
      'OFFBOARD_ERR_INVALID_AMOUNT',
      'a deposit amount must be positive',
    );
  const result = deposit(db, accountId, body.asset, body.amount, now, body.counterparty);
  return { transactionId: String(result.transactionId), returned: result.returned };
}

/** The record classes offboard may ask a platform to erase (docs/platform-contract.md). */
export const RECORD_CLASSES = [
  'identity',
  'transactions',
  'communications',
  'security',
  'preferences',
];

/**
 * Erase the personal data of some record classes of an account, keeping what the books
 * need under the account id only: the name and contact (`identity`), counterparties and
 * references (`transactions`), credentials (`security`), linked apps (`preferences`).
 * This platform keeps no messages, so `communications` has nothing to erase.
 */
export function erase(db: Db, id: string, classes: string[]) {
  requireAccount(db, id);
  if (classes.includes('identity'))
    db.prepare("UPDATE accounts SET name = 'erased', email = NULL, phone = NULL WHERE id = ?").run(
      id,
    );
  if (classes.includes('transactions'))
    db.prepare(
      'UPDATE transactions SET counterparty = NULL, reference = NULL WHERE account_id = ?',
    ).run(id);
  if (classes.includes('security'))
    db.prepare("UPDATE credentials SET label = 'erased' WHERE account_id = ?").run(id);
  if (classes.includes('preferences'))
    db.prepare("UPDATE authorizations SET name = 'erased' WHERE account_id = ?").run(id);
  return {
    accountId: id,
    erased: classes,
    retained: classes.includes('transactions')
      ? [
          {
            what: 'transaction amounts, fees, assets and instants, under the account id only',
            why: 'the books must balance',
          },
        ]
      : [],
  };
}

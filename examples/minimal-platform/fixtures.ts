import { account as findAccount, adjustBalance, deposit, record } from './store.js';
import type { Db } from './store.js';

/*
 * Test mode's scenario accounts: the ids and shapes docs/platform-contract.md lists, so
 * offboard's checks against this platform are deterministic. Histories are dated back from
 * `now`; only the scenarios meant to trip a cooling-off have recent activity. Every name
 * and address is synthetic.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The scenarios, by name: `demo-<name>` is each one's demo account. */
export const SCENARIOS = [
  'clean',
  'dust',
  'balance',
  'negative',
  'open-order',
  'pending-withdrawal',
  'pending-deposit',
  'dispute',
  'linked-app',
  'cooling-off',
  'hold-legal',
  'hold-compliance',
  'everything',
  'whale',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** One scenario to copy under a new account id; none means every demo account. */
export interface FreshCopy {
  scenario: Scenario;
  accountId: string;
}

/**
 * Creates every demo scenario account that does not exist yet, or with `copy` one account
 * shaped like a scenario under a new id (unless that id exists); answers the ids.
 */
export function createFixtures(db: Db, nowMs: number, copy?: FreshCopy): { accountIds: string[] } {
  let clock = nowMs;
  const at = (ago: number) => void (clock = nowMs - ago);
  const t = () => new Date(clock).toISOString();

  const insert = (table: string, ...values: unknown[]) =>
    db.prepare(`INSERT INTO ${table} VALUES (${values.map(() => '?').join(', ')})`).run(...values);
  /** A holder and their account, opened at the seeder's clock. */
  const account = (id: string, name: string, phone: string | null, jurisdiction: string) =>
    db
      .prepare(
        `INSERT INTO accounts (id, name, email, phone, jurisdiction, opened_at, status)
         VALUES (?, ?, ?, ?, ?, ?, 'active')`,
      )
      .run(id, name, `${id}@example.test`, phone, jurisdiction, t());
  const securityChange = (id: string) =>
    db.prepare('UPDATE accounts SET last_security_change_at = ? WHERE id = ?').run(t(), id);
  const fee = (id: string, asset: string, amount: bigint) => {
    adjustBalance(db, id, asset, -amount, 0n);
    record(db, {
      accountId: id,
      asset,
      type: 'fee',
      amount: -amount,
      counterparty: 'platform',
      reference: 'chargeback fee',
      at: t(),
    });
  };
  /** A withdrawal starts: its amount is locked until it leaves (or is stopped). */
  const withdraw = (id: string, asset: string, amount: bigint, counterparty: string | null) => {
    adjustBalance(db, id, asset, -amount, amount);
    return record(db, {
      accountId: id,
      asset,
      type: 'withdrawal',
      amount: -amount,
      status: 'pending',
      cancellable: true,
      counterparty,
      at: t(),
    });
  };
  /** The withdrawal left the platform: its locked funds are gone. */
  const completeWithdrawal = (id: string, asset: string, transactionId: number, amount: bigint) => {
    adjustBalance(db, id, asset, 0n, -amount);
    db.prepare(
      `UPDATE transactions SET status = 'completed', cancellable = 0, completed_at = ? WHERE id = ?`,
    ).run(t(), transactionId);
    db.prepare('UPDATE accounts SET last_withdrawal_at = ? WHERE id = ?').run(t(), id);
  };
  const pendingDeposit = (id: string, asset: string, amount: bigint, counterparty: string | null) =>
    record(db, {
      accountId: id,
      asset,
      type: 'deposit',
      amount,
      status: 'pending',
      counterparty,
      at: t(),
    });
  const order = (id: string, orderId: string, side: string, asset: string, locked: bigint) => {
    adjustBalance(db, id, asset, -locked, locked);
    insert('orders', orderId, id, asset, side, locked.toString(), 'open', t());
  };
  const hold = (id: string, holdId: string, kind: string, reason: string) =>
    insert('holds', holdId, id, kind, reason, 'active', t());

  /** A holder of a year's ordinary use, ending four months ago, with nothing left. */
  const open = (id: string, name: string, jurisdiction = 'DE') => {
    at(400 * DAY);
    account(id, name, '+49 30 0000000', jurisdiction);
    insert('credentials', `${id}-session`, id, 'session', 'web session', 'active', t());
    insert('credentials', `${id}-totp`, id, 'totp', 'authenticator app', 'active', t());
    securityChange(id); // setting up a second factor is a security change
    at(200 * DAY);
    deposit(db, id, 'USD', 50_000n, t(), 'bank-transfer');
    at(150 * DAY);
    completeWithdrawal(id, 'USD', withdraw(id, 'USD', 50_000n, 'bank-transfer'), 50_000n);
    at(120 * DAY);
  };

  const builders: Record<Scenario, (id: string) => void> = {
    clean: (id) => open(id, 'Clara Clean'),
    dust: (id) => {
      open(id, 'Dusty Miller');
      deposit(db, id, 'USD', 37n, t()); // 0.37 USD, below a 1.00 dust threshold
    },
    balance: (id) => {
      open(id, 'Bal Anders', 'GB');
      deposit(db, id, 'EUR', 25_000n, t()); // 250.00 EUR
    },
    negative: (id) => {
      open(id, 'Nora Negative', 'US');
      fee(id, 'USD', 1_250n); // -12.50 USD: the holder owes money
    },
    'open-order': (id) => {
      open(id, 'Otto Order');
      deposit(db, id, 'USD', 10_000n, t());
      order(id, `${id}-1`, 'buy', 'USD', 10_000n);
    },
    'pending-withdrawal': (id) => {
      open(id, 'Paula Pending');
      deposit(db, id, 'BTC', 5_000_000n, t()); // 0.05 BTC
      at(2 * HOUR);
      withdraw(id, 'BTC', 5_000_000n, 'external-wallet');
    },
    'pending-deposit': (id) => {
      open(id, 'Dee Posit');
      at(3 * HOUR);
      pendingDeposit(id, 'EUR', 2_000n, 'SEPA transfer');
    },
    dispute: (id) => {
      open(id, 'Dirk Dispute', 'FR');
      insert('disputes', `${id}-1`, id, 'chargeback', 'USD', '4999', 'open', t());
    },
    'linked-app': (id) => {
      open(id, 'Linda Linked');
      insert(
        'authorizations',
        `${id}-1`,
        id,
        'direct_debit',
        'City Utilities direct debit',
        'active',
        t(),
      );
    },
    'cooling-off': (id) => {
      open(id, 'Colin Cooling');
      at(2 * HOUR);
      securityChange(id); // a password reset two hours ago
    },
    'hold-legal': (id) => {
      open(id, 'Lex Legal');
      hold(id, `${id}-1`, 'legal', 'garnishment order 2026/0042 (synthetic)');
    },
    'hold-compliance': (id) => {
      open(id, 'Cora Compliance', 'GB');
      hold(id, `${id}-1`, 'compliance', 'suspicious activity review SAR-7781 (synthetic)');
    },
    everything: (id) => {
      open(id, 'Evelyn Everything 李雪');
      deposit(db, id, 'EUR', 50_000n, t()); // balance_remaining
      deposit(db, id, 'ETH', 100_000_000_000_000n, t()); // 0.0001 ETH, about 0.30 USD: dust
      fee(id, 'USD', 500n); // negative_balance
      deposit(db, id, 'BTC', 100_000_000n, t()); // 1 BTC
      order(id, `${id}-order-1`, 'sell', 'BTC', 10_000_000n);
      adjustBalance(db, id, 'BTC', -5_000_000n, 5_000_000n); // a margin lock no order explains
      insert('disputes', `${id}-dispute-1`, id, 'dispute', 'EUR', '1000', 'open', t());
      insert(
        'authorizations',
        `${id}-auth-1`,
        id,
        'subscription',
        'Streamly subscription',
        'active',
        t(),
      );
      hold(id, `${id}-hold-1`, 'legal', 'court order 2026/0099 (synthetic)');
      hold(id, `${id}-hold-2`, 'compliance', 'enhanced due diligence EDD-512 (synthetic)');
      at(3 * HOUR);
      pendingDeposit(id, 'USDC', 1_000_000n, null);
      withdraw(id, 'BTC', 10_000_000n, null);
      securityChange(id);
    },
    whale: (id) => {
      // An eligible account with a longer history: 60 deposits and withdrawals, settled.
      at(1500 * DAY);
      account(id, 'Walter Whale 鲸鱼 🐋', null, 'US');
      insert('credentials', `${id}-session`, id, 'session', 'web session', 'active', t());
      for (let i = 0; i < 30; i++) {
        at((1400 - i * 40) * DAY);
        const amount = BigInt(1_000 + i * 137);
        deposit(db, id, 'USD', amount, t(), 'bank-transfer');
        at((1390 - i * 40) * DAY);
        completeWithdrawal(id, 'USD', withdraw(id, 'USD', amount, 'bank-transfer'), amount);
      }
    },
  };

  if (copy) {
    if (!findAccount(db, copy.accountId)) builders[copy.scenario](copy.accountId);
    return { accountIds: [copy.accountId] };
  }
  for (const name of SCENARIOS)
    if (!findAccount(db, `demo-${name}`)) builders[name](`demo-${name}`);
  return { accountIds: SCENARIOS.map((name) => `demo-${name}`) };
}

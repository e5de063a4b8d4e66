import type { BulkSink } from '../store/bulk-loader.js';
import type { TransactionTable } from '../store/ledger.table.js';
import type { AssetInfo } from './ledger.js';
import { SANDBOX_ASSETS } from './assets.js';

/*
 * A deterministic synthetic population for the demo and the benchmarks. The same seed
 * gives the same rows. Shapes follow what a wallet sees: most accounts are small and
 * quiet, a few have very long histories (a Pareto tail), and every blocker condition is
 * present in some share of accounts. Every row respects the ledger's invariants: balances
 * equal the net of completed transactions, locked funds are explained except where the
 * `funds_locked` condition is generated on purpose.
 */

const DAY = 86_400_000;

/** A small, fast, seedable generator (mulberry32): reproducible across runs and machines. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }
}

export type Condition =
  | 'clean'
  | 'balance'
  | 'dust'
  | 'negative'
  | 'open_order'
  | 'pending_withdrawal'
  | 'pending_deposit'
  | 'dispute'
  | 'linked_app'
  | 'cooling_off'
  | 'hold_legal'
  | 'hold_compliance'
  | 'funds_locked';

/** Share of accounts per condition, in parts per thousand. */
const CONDITIONS: readonly (readonly [Condition, number])[] = [
  ['clean', 420],
  ['balance', 250],
  ['dust', 100],
  ['negative', 20],
  ['open_order', 50],
  ['pending_withdrawal', 30],
  ['pending_deposit', 20],
  ['dispute', 10],
  ['linked_app', 50],
  ['cooling_off', 40],
  ['hold_legal', 4],
  ['hold_compliance', 4],
  ['funds_locked', 2],
];

const JURISDICTIONS: readonly (readonly [string, number])[] = [
  ['DE', 20],
  ['FR', 12],
  ['GB', 18],
  ['US', 25],
  ['SG', 8],
  ['JP', 7],
  ['BR', 6],
  ['NG', 4],
];

const ASSET_SHARE: readonly (readonly [string, number])[] = [
  ['USD', 40],
  ['EUR', 20],
  ['GBP', 10],
  ['BTC', 15],
  ['ETH', 10],
  ['USDC', 5],
];

const assetByCode = new Map(SANDBOX_ASSETS.map((a) => [a.code, a]));

/** One typical movement of the asset: about 10 USD worth, as minor units. */
function step(asset: AssetInfo): bigint {
  const unit = 10n ** BigInt(asset.decimals);
  // ~10 reference units (1000 minor units of USD) in this asset's minor units.
  return (1000n * unit) / (asset.priceMinor ?? 100n);
}

/** The largest balance still below the dust threshold (1.00 in the reference currency). */
function dustCeiling(asset: AssetInfo): bigint {
  return (100n * 10n ** BigInt(asset.decimals)) / (asset.priceMinor ?? 100n) - 1n;
}

export interface AccountPlan {
  id: string;
  holderId: string;
  jurisdiction: string;
  condition: Condition;
  transactions: number;
}

export interface GenerateOptions {
  now: Date;
  random: Random;
}

type TxRow = Omit<TransactionTable, 'id'>;

/**
 * Emits one account with `plan.transactions` transactions ending in its condition. Timestamps spread from the opening to a month ago, so only the
 * conditions that ask for recent activity have any.
 */
export async function emitAccount(
  sink: BulkSink,
  plan: AccountPlan,
  options: GenerateOptions,
): Promise<number> {
  const { random } = options;
  const now = options.now.getTime();
  const openedAt = now - random.int(60, 1500) * DAY;
  const historyEnd = now - random.int(31, 50) * DAY;
  const fiatOnly = plan.condition === 'negative';
  const assetCode = fiatOnly ? random.pick(['USD', 'EUR', 'GBP']) : random.weighted(ASSET_SHARE);
  const asset = assetByCode.get(assetCode)!;
  const unit = step(asset);

  const last = {
    trade: null as number | null,
    withdrawal: null as number | null,
    deposit: null as number | null,
  };
  let running = 0n;
  const extraRows =
    plan.condition === 'pending_withdrawal' || plan.condition === 'pending_deposit' ? 1 : 0;
  let regular = Math.max(plan.transactions - extraRows, 0);
  const span = Math.max(historyEnd - openedAt, 1);
  const at = (j: number) => openedAt + Math.floor((span * (j + 1)) / (regular + 1));

  let target = 0n;
  switch (plan.condition) {
    case 'balance':
    case 'open_order':
    case 'pending_withdrawal':
    case 'funds_locked':
      target = unit * BigInt(random.int(1, 300));
      break;
    case 'dust':
      target = (BigInt(random.int(1, 1_000_000)) % dustCeiling(asset)) + 1n;
      break;
    case 'negative':
      target = -BigInt(random.int(1, 5000));
      break;
    case 'clean':
    case 'pending_deposit':
    case 'dispute':
    case 'linked_app':
    case 'cooling_off':
    case 'hold_legal':
    case 'hold_compliance':
      target = 0n;
      break;
  }

  // A balance needs a transaction that made it: a target other than zero takes one row even
  // when the distribution gave the account none.
  if (regular === 0 && target !== 0n) regular = 1;
  const base = { account_id: plan.id, asset: assetCode, cancellable: 0 as const };

  // The hot loop counts in quanta (a hundredth of a typical movement) as plain integers and
  // takes amount strings from a cache: bigint arithmetic and string conversion per row made
  // the generator, not the database, the bottleneck of a bulk load. Quanta stay far below
  // 2^53 (50 × 100 per row), and every amount is still an exact integer of minor units.
  const quantum = unit / 100n;
  const text = amountText(assetCode, quantum);
  const id = plan.id;
  let runningQ = 0;
  const emit = (
    type: TxRow['type'],
    amount: string,
    fee: string,
    status: TxRow['status'],
    counterparty: string,
    reference: string | null,
    t: number,
  ) =>
    sink.transaction({
      account_id: id,
      asset: assetCode,
      type,
      amount,
      fee,
      status,
      counterparty,
      reference,
      cancellable: 0,
      created_at: t,
      completed_at: t,
    });
  for (let j = 0; j < regular; j++) {
    // Long histories (the whale) must not sit in memory whole.
    if ((j & 8191) === 8191) await sink.maybeFlush();
    const t = at(j);
    if (j === regular - 1) {
      // The last row lands the balance on the condition's target.
      running = BigInt(runningQ) * quantum;
      const diff = running - target;
      if (target < 0n) {
        emit('fee', (-diff).toString(), '0', 'completed', 'platform', 'overdraft fee', t);
      } else if (diff > 0n) {
        emit('withdrawal', (-diff).toString(), '0', 'completed', 'external-wallet', null, t);
        last.withdrawal = t;
      } else if (diff < 0n) {
        emit('deposit', (-diff).toString(), '0', 'completed', 'bank-transfer', null, t);
        last.deposit = t;
      } else {
        emit(
          'withdrawal',
          text(-100),
          '0',
          'failed',
          'external-wallet',
          'rejected by the network',
          t,
        );
      }
      running = target;
      runningQ = Number.NaN; // settled: `running` is the balance now
      continue;
    }
    const amountQ = 100 * random.int(1, 50);
    const r = random.next();
    if (runningQ < amountQ || r < 0.45) {
      runningQ += amountQ;
      last.deposit = t;
      emit('deposit', text(amountQ), '0', 'completed', random.pick(COUNTERPARTIES), null, t);
    } else if (r < 0.75) {
      // A withdrawal of the amount, one quantum of it kept as the fee.
      runningQ -= amountQ;
      last.withdrawal = t;
      emit('withdrawal', text(-(amountQ - 1)), text(1), 'completed', 'external-wallet', null, t);
    } else if (r < 0.95 && j + 1 < regular - 1) {
      // A trade out and back in again: two legs, the second returns the same value.
      last.trade = t;
      emit('trade', text(-amountQ), '0', 'completed', 'market', null, t);
      j += 1;
      emit('trade', text(amountQ), '0', 'completed', 'market', null, at(j));
    } else {
      runningQ -= 10;
      emit('fee', text(-10), '0', 'completed', 'platform', 'monthly fee', t);
    }
  }
  let available = running;
  let locked = 0n;
  let securityChange: number | null = openedAt + DAY;
  const recent = now - random.int(1, 48) * 3_600_000;
  switch (plan.condition) {
    case 'open_order': {
      available = 0n;
      locked = running;
      const counter = assetCode === 'USD' ? 'BTC' : 'USD';
      sink.order({
        id: `${plan.id}-order-1`,
        account_id: plan.id,
        side: 'sell',
        asset: assetCode,
        locked: running.toString(),
        counter_asset: counter,
        status: 'open',
        created_at: recent,
        closed_at: null,
      });
      break;
    }
    case 'pending_withdrawal':
      available = 0n;
      locked = running;
      sink.transaction({
        ...base,
        type: 'withdrawal',
        amount: (-running).toString(),
        fee: '0',
        status: 'pending',
        counterparty: 'external-wallet',
        reference: null,
        cancellable: 1,
        created_at: recent,
        completed_at: null,
      });
      break;
    case 'pending_deposit':
      sink.transaction({
        ...base,
        type: 'deposit',
        amount: (unit * 3n).toString(),
        fee: '0',
        status: 'pending',
        counterparty: 'bank-transfer',
        reference: null,
        created_at: recent,
        completed_at: null,
      });
      break;
    case 'funds_locked':
      available = 0n;
      locked = running;
      break;
    case 'dispute':
      sink.dispute({
        id: `${plan.id}-dispute-1`,
        account_id: plan.id,
        kind: random.pick(['dispute', 'chargeback'] as const),
        asset: assetCode,
        amount: unit.toString(),
        status: 'open',
        opened_at: recent,
        resolved_at: null,
      });
      break;
    case 'linked_app':
      sink.authorization({
        id: `${plan.id}-auth-1`,
        account_id: plan.id,
        kind: random.pick(['oauth', 'linked_platform', 'subscription', 'direct_debit'] as const),
        name: random.pick(APPS),
        status: 'active',
        granted_at: openedAt + DAY,
        revoked_at: null,
      });
      break;
    case 'cooling_off':
      securityChange = recent;
      break;
    case 'hold_legal':
      sink.hold({
        id: `${plan.id}-hold-1`,
        account_id: plan.id,
        kind: 'legal',
        reason: 'court order (synthetic)',
        status: 'active',
        placed_at: historyEnd,
        lifted_at: null,
      });
      break;
    case 'hold_compliance':
      sink.hold({
        id: `${plan.id}-hold-1`,
        account_id: plan.id,
        kind: random.pick(['compliance', 'fraud'] as const),
        reason: 'transaction monitoring alert (synthetic)',
        status: 'active',
        placed_at: historyEnd,
        lifted_at: null,
      });
      break;
    case 'clean':
    case 'balance':
    case 'dust':
    case 'negative':
      break;
  }
  sink.balance({
    account_id: plan.id,
    asset: assetCode,
    available: available.toString(),
    locked: locked.toString(),
  });
  sink.credential({
    id: `${plan.id}-cred-1`,
    account_id: plan.id,
    kind: 'session',
    label: 'web session',
    status: 'active',
    created_at: historyEnd,
    revoked_at: null,
  });
  if (random.next() < 0.5) {
    sink.credential({
      id: `${plan.id}-cred-2`,
      account_id: plan.id,
      kind: 'totp',
      label: 'authenticator app',
      status: 'active',
      created_at: openedAt + DAY,
      revoked_at: null,
    });
  }
  sink.account({
    id: plan.id,
    holder_id: plan.holderId,
    status: 'active',
    jurisdiction: plan.jurisdiction,
    opened_at: openedAt,
    status_changed_at: openedAt,
    status_before_freeze: null,
    last_trade_at: last.trade,
    last_withdrawal_at: last.withdrawal,
    last_deposit_at: last.deposit,
    last_security_change_at: securityChange,
  });
  return regular + extraRows;
}

const amountCaches = new Map<string, Map<number, string>>();

/** Exact minor-unit strings for whole numbers of quanta, cached per asset. */
function amountText(asset: string, quantum: bigint): (quanta: number) => string {
  let cache = amountCaches.get(asset);
  if (!cache) {
    cache = new Map();
    amountCaches.set(asset, cache);
  }
  const known = cache;
  return (quanta) => {
    let value = known.get(quanta);
    if (value === undefined) {
      value = (BigInt(quanta) * quantum).toString();
      known.set(quanta, value);
    }
    return value;
  };
}

const COUNTERPARTIES = [
  'bank-transfer',
  'card-topup',
  'external-wallet',
  'payroll',
  'friend-transfer',
];
const APPS = [
  'TaxHelper',
  'BudgetBoard',
  'Streamly subscription',
  'Utility direct debit',
  'TradeSync',
];

export interface PopulationOptions {
  accounts: number;
  transactions: number;
  randomSeed: number;
  now: Date;
  idPrefix?: string;
  onProgress?: (accountsDone: number, rows: number) => void;
}

export interface PopulationSummary {
  accounts: number;
  transactions: number;
  rows: number;
  conditions: Record<Condition, number>;
}

/**
 * Splits `total` transactions over `accounts` with a heavy tail: weights u^(-1/α) with
 * α = 1.16 (the 80/20 shape), capped so no account takes more than a tenth of the total.
 */
export function distributeTransactions(
  accounts: number,
  total: number,
  random: Random,
): Uint32Array {
  const weights = new Float64Array(accounts);
  let sum = 0;
  for (let i = 0; i < accounts; i++) {
    const w = Math.pow(1 - random.next(), -1 / 1.16);
    weights[i] = w;
    sum += w;
  }
  const cap = Math.max(total / 10, 1);
  const counts = new Uint32Array(accounts);
  let assigned = 0;
  for (let i = 0; i < accounts; i++) {
    const c = Math.min(Math.floor((total * weights[i]!) / sum), cap);
    counts[i] = c;
    assigned += c;
  }
  // Hand out what flooring and the cap left over, one each, in order: deterministic.
  for (let i = 0; assigned < total; i = (i + 1) % accounts) {
    counts[i]! += 1;
    assigned += 1;
  }
  return counts;
}

/** Emits a whole population into the sink and tells what it made. */
export async function emitPopulation(
  sink: BulkSink,
  options: PopulationOptions,
): Promise<PopulationSummary> {
  const random = new Random(options.randomSeed);
  const prefix = options.idPrefix ?? 'acct-';
  const counts = distributeTransactions(options.accounts, options.transactions, random);
  const conditions = Object.fromEntries(CONDITIONS.map(([c]) => [c, 0])) as Record<
    Condition,
    number
  >;
  const width = Math.max(7, String(options.accounts).length);
  let transactions = 0;
  for (let i = 0; i < options.accounts; i++) {
    const number = String(i + 1).padStart(width, '0');
    const id = `${prefix}${number}`;
    const holderId = `holder-${prefix}${number}`;
    const condition = random.weighted(CONDITIONS);
    conditions[condition] += 1;
    sink.holder({
      id: holderId,
      name: `Synthetic Holder ${number}`,
      email: `holder${number}@example.test`,
      phone: null,
      created_at: options.now.getTime(),
    });
    transactions += await emitAccount(
      sink,
      {
        id,
        holderId,
        jurisdiction: random.weighted(JURISDICTIONS),
        condition,
        transactions: counts[i]!,
      },
      { now: options.now, random },
    );
    if ((i & 1023) === 1023) {
      await sink.maybeFlush();
      options.onProgress?.(i + 1, sink.rows);
    }
  }
  options.onProgress?.(options.accounts, sink.rows);
  return { accounts: options.accounts, transactions, rows: sink.rows, conditions };
}

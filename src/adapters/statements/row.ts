import { formatAmount } from '../../domain/money.js';
import type { TransactionTuple } from '../../ports/platform.js';
import { InstantFormatter } from './instant.js';

/** One ledger row as the statement source reads it, in column order (see the platform port). */
export type LedgerTuple = TransactionTuple;

/** The statement's columns, in file order (CSV header, JSON Lines keys); see docs/statements.md. */
export const STATEMENT_COLUMNS = [
  'id',
  'instant',
  'type',
  'asset',
  'amount',
  'fee',
  'status',
  'counterparty',
  'reference',
  'balance',
] as const;

/** One statement row: every amount an exact decimal string in the asset's decimals. */
export interface StatementRow {
  id: number;
  /** The id in decimal, as every format writes it (see `integerText`). */
  idText: string;
  /** ISO 8601 UTC: when the transaction was created. */
  instant: string;
  type: string;
  asset: string;
  /** Signed: what the row does to the balance, before its fee. */
  amount: string;
  fee: string;
  status: string;
  counterparty: string | null;
  reference: string | null;
  /** The asset's balance after this row (unchanged by pending and failed rows). */
  balance: string;
}

/**
 * A map that forgets everything when full: bounded memory, and hits on repeated values.
 *
 * Not lru-cache, on purpose: this sits on the export's per-cell path, where unique values
 * (references, amounts of real histories) make most lookups misses, and lru-cache's
 * recency bookkeeping made a miss three to four times dearer (2M misses: ~150 ms here,
 * ~500 ms there; hits cost the same). What LRU would keep — types, statuses, assets — is
 * back in the map within a few rows of a clear.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(
    private readonly compute: (key: string) => V,
    private readonly limit = 4096,
  ) {}

  get(key: string): V {
    let value = this.map.get(key);
    if (value === undefined) {
      if (this.map.size >= this.limit) this.map.clear();
      value = this.compute(key);
      this.map.set(key, value);
    }
    return value;
  }
}

const NUMBERS = Array.from({ length: 1000 }, (_, i) => String(i));
const THREE_DIGITS = NUMBERS.map((text) => text.padStart(3, '0'));

/**
 * `String(n)` for a whole number, put together from a table of three-digit groups. Why not
 * `String(n)`: V8 remembers the text of every number it converts in a cache the collector
 * treats as long-lived, so a million fresh ids each outlived their row, were promoted, and
 * grew the old generation by ~15 MB between collections (the export's peak memory).
 */
export function integerText(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 1e12) return String(n);
  if (n < 1000) return NUMBERS[n]!;
  const ones = n % 1000;
  let rest = (n - ones) / 1000;
  if (rest < 1000) return NUMBERS[rest]! + THREE_DIGITS[ones]!;
  const thousands = rest % 1000;
  rest = (rest - thousands) / 1000;
  if (rest < 1000) return NUMBERS[rest]! + THREE_DIGITS[thousands]! + THREE_DIGITS[ones]!;
  const millions = rest % 1000;
  rest = (rest - millions) / 1000;
  return NUMBERS[rest]! + THREE_DIGITS[millions]! + THREE_DIGITS[thousands]! + THREE_DIGITS[ones]!;
}

interface AssetState {
  readonly decimals: number;
  balance: bigint;
  /** Minor-unit text → its exact decimal text and value (histories repeat amounts a lot). */
  readonly amounts: BoundedCache<{ text: string; value: bigint }>;
}

/**
 * Turns ledger rows, in id order, into statement rows with running balances. Each asset's
 * balance starts at its opening balance (the net of its completed rows before the period)
 * and moves by amount − fee on completed rows only.
 */
export class RunningStatement {
  private readonly states = new Map<string, AssetState>();
  private readonly instants = new InstantFormatter();
  private lastAsset = '';
  private lastState: AssetState | null = null;
  private rowCount = 0;
  /**
   * The row `next` returns, reused: writers take what they need from it before the next
   * call, and a million exports of a fresh object each would only feed the collector.
   */
  private readonly row: StatementRow = {
    id: 0,
    idText: '0',
    instant: '',
    type: '',
    asset: '',
    amount: '',
    fee: '',
    status: '',
    counterparty: null,
    reference: null,
    balance: '',
  };

  constructor(
    private readonly decimals: ReadonlyMap<string, number>,
    opening: ReadonlyMap<string, bigint>,
  ) {
    for (const [asset, balance] of opening) this.state(asset).balance = balance;
  }

  private state(asset: string): AssetState {
    let state = this.states.get(asset);
    if (!state) {
      const decimals = this.decimals.get(asset);
      // The assets table is the source's to read whole; a row naming another is a bug there.
      if (decimals === undefined) throw new Error(`asset ${asset} has no decimals`);
      state = {
        decimals,
        balance: 0n,
        amounts: new BoundedCache((minor) => {
          const value = BigInt(minor);
          return { text: formatAmount(value, decimals), value };
        }),
      };
      this.states.set(asset, state);
    }
    return state;
  }

  /** The statement row of the next ledger row. Valid until the next call. */
  next(tuple: LedgerTuple): StatementRow {
    const [id, createdAt, type, asset, amountMinor, feeMinor, status, counterparty, reference] =
      tuple;
    let state = this.lastState;
    if (state === null || asset !== this.lastAsset) {
      state = this.state(asset);
      this.lastState = state;
      this.lastAsset = asset;
    }
    const amount = state.amounts.get(amountMinor);
    const fee = state.amounts.get(feeMinor);
    if (status === 'completed') state.balance += amount.value - fee.value;
    const row = this.row;
    row.id = id;
    row.idText = integerText(id);
    row.instant = this.instants.format(createdAt);
    row.type = type;
    row.asset = asset;
    row.amount = amount.text;
    row.fee = fee.text;
    row.status = status;
    row.counterparty = counterparty;
    row.reference = reference;
    row.balance = formatAmount(state.balance, state.decimals);
    this.rowCount += 1;
    return row;
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Every asset's balance now: the opening balances moved by the rows seen so far. */
  balances(): Map<string, bigint> {
    return new Map([...this.states].map(([asset, state]) => [asset, state.balance]));
  }
}

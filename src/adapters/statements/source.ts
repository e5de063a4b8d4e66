import { OffboardError } from '../../domain/errors.js';
import type { PlatformPort, TransactionTuple } from '../../ports/platform.js';

/** Instants in epoch milliseconds: `from` inclusive, `to` exclusive; null leaves that side open. */
export interface Range {
  from: number | null;
  to: number | null;
}

export interface RangeSummary {
  rows: number;
  /** Net of (amount − fee) over completed rows, for every asset with any row in the range. */
  net: Map<string, bigint>;
}

/**
 * One account's history as the platform recorded it when the snapshot was opened: every
 * read pages through the same transaction cursor, so transactions that arrive while the
 * export runs are in none of them, and the opening balance, the row count and the rows
 * agree.
 */
export interface StatementSnapshot {
  readonly accountId: string;
  readonly holderName: string;
  /** Decimals of every asset the platform knows. */
  readonly decimals: ReadonlyMap<string, number>;
  summarize(range: Range): Promise<RangeSummary>;
  count(range: Range): Promise<number>;
  /**
   * The rows of the range in id order, a page at a time: constant memory whatever the
   * history. Consume each page before asking for the next.
   */
  batches(range: Range): AsyncIterable<Iterable<TransactionTuple>>;
  close(): Promise<void>;
}

// Rows per page read from the platform. A page is awaited as a whole (file writes happen
// between pages) and sits in memory whole: 1,000 rows kept the export's peak low.
export const PAGE_ROWS = 1000;

/** Opens a statement snapshot of `accountId` over the platform port. */
export async function openStatementSnapshot(
  platform: PlatformPort,
  accountId: string,
): Promise<StatementSnapshot> {
  const contact = await platform.contact(accountId);
  const start = contact ? await platform.openTransactions(accountId) : null;
  if (!contact || start === null) throw unknownAccount(accountId);
  const decimals = await platform.assetDecimals();
  async function* pages(range: Range): AsyncGenerator<TransactionTuple[]> {
    let cursor: string | null = start;
    while (cursor !== null) {
      const page = await platform.transactionPage(accountId, {
        cursor,
        from: range.from,
        to: range.to,
        limit: PAGE_ROWS,
      });
      if (page.transactions.length > 0) yield page.transactions;
      cursor = page.next;
    }
  }
  return {
    accountId,
    holderName: contact.name,
    decimals,
    summarize: async (range) => {
      const net = new Map<string, bigint>();
      let rows = 0;
      for await (const page of pages(range)) {
        for (const [, , , asset, amount, fee, status] of page)
          addNet(net, asset, status, amount, fee);
        rows += page.length;
      }
      return { rows, net };
    },
    count: async (range) => {
      let rows = 0;
      for await (const page of pages(range)) rows += page.length;
      return rows;
    },
    batches: pages,
    // Nothing is held open: the cursor is a value.
    close: async () => undefined,
  };
}

export function unknownAccount(accountId: string): OffboardError {
  return new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${accountId}"`);
}

export function addNet(
  net: Map<string, bigint>,
  asset: string,
  status: string,
  amount: string,
  fee: string,
): void {
  const delta = status === 'completed' ? BigInt(amount) - BigInt(fee) : 0n;
  net.set(asset, (net.get(asset) ?? 0n) + delta);
}

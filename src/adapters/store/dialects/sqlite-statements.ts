import BetterSqlite3 from 'better-sqlite3';
import {
  BATCH,
  BEGINNING,
  END,
  COLUMNS,
  PERIOD,
  unknownAccount,
  addNet,
} from '../../statements/source.js';
import type { RangeSummary, StatementSnapshot } from '../../statements/source.js';
import type { LedgerTuple } from '../../statements/row.js';
import type { Database } from '../database.js';

/**
 * A database file gets a connection of its own, read-only, inside one read transaction:
 * WAL gives it a snapshot, writers go on unblocked, and the shared connection stays free
 * for the rest of the process while the export awaits its file writes. An in-memory
 * database has only the one connection, which the export then shares.
 */
export function openSqliteSnapshot(database: Database, accountId: string): StatementSnapshot {
  const shared = database.sqlite;
  if (!shared) throw new Error('an SQLite database without its connection');
  const own = !shared.memory && shared.name !== '';
  const raw = own
    ? new BetterSqlite3(shared.name, { readonly: true, fileMustExist: true })
    : shared;
  if (own) {
    raw.pragma('busy_timeout = 5000');
    // One pass in id order rereads no page: a 2 MB page cache does, where the 16 MB default
    // would only fill up and stay resident.
    raw.pragma('cache_size = -2000');
    raw.exec('begin');
  }
  const close = async (): Promise<void> => {
    if (!own) return;
    raw.exec('commit');
    raw.close();
  };
  try {
    const holder = raw
      .prepare(
        'select h.name as name from accounts a join holders h on h.id = a.holder_id where a.id = ?',
      )
      .get(accountId) as { name: string } | undefined;
    if (!holder) throw unknownAccount(accountId);
    const assets = raw.prepare('select code, decimals from assets').all() as {
      code: string;
      decimals: number;
    }[];
    const sums = raw.prepare(
      `select asset, count(*) as n, max(max(length(amount)), max(length(fee))) as digits,
         sum(case when status = 'completed' then cast(amount as integer) - cast(fee as integer) else 0 end) as net
       from transactions where ${PERIOD} group by asset`,
    );
    const scan = raw
      .prepare(`select asset, amount, fee, status from transactions where ${PERIOD}`)
      .raw(true);
    const everyRow = raw
      .prepare(`select ${COLUMNS} from transactions where ${PERIOD} order by id`)
      .raw(true);
    const rowsAfter = raw
      .prepare(`select ${COLUMNS} from transactions where ${PERIOD} and id > ? order by id limit ?`)
      .raw(true);
    return {
      accountId,
      holderName: holder.name,
      decimals: new Map(assets.map((a) => [a.code, a.decimals])),
      summarize: async (range) => {
        const bounds = [accountId, range.from ?? BEGINNING, range.to ?? END] as const;
        return sumInSql(sums, bounds) ?? sumInJs(scan, bounds);
      },
      count: async (range) =>
        (
          raw
            .prepare(`select count(*) as n from transactions where ${PERIOD}`)
            .get(accountId, range.from ?? BEGINNING, range.to ?? END) as { n: number }
        ).n,
      batches: async function* (range) {
        const bounds = [accountId, range.from ?? BEGINNING, range.to ?? END] as const;
        if (!own) {
          // The shared connection must be free between batches: a page per query, by id.
          let last = 0;
          for (;;) {
            const batch = rowsAfter.all(...bounds, last, BATCH) as LedgerTuple[];
            if (batch.length === 0) return;
            last = batch[batch.length - 1]![0];
            yield batch;
          }
        }
        // The export's own connection keeps one cursor open instead, and each batch reads
        // from it lazily: rows die young, where a page of 5000 held at once was promoted
        // to the old generation and doubled the export's memory.
        const cursor = everyRow.iterate(...bounds) as IterableIterator<LedgerTuple>;
        let exhausted = false;
        function* batch(): Generator<LedgerTuple> {
          for (let i = 0; i < BATCH; i++) {
            const next = cursor.next();
            if (next.done) {
              exhausted = true;
              return;
            }
            yield next.value;
          }
        }
        try {
          while (!exhausted) yield batch();
        } finally {
          cursor.return?.();
        }
      },
      close,
    };
  } catch (error) {
    void close();
    throw error;
  }
}

type Bounds = readonly [accountId: string, from: number, to: number];

/**
 * Amounts are TEXT on SQLite and may pass 64 bits. When every amount of the range has at
 * most 18 characters, SQL's integer sum is exact, and SQLite raises an overflow error
 * rather than round: then, or with longer amounts, the caller sums in JavaScript.
 */
function sumInSql(sums: BetterSqlite3.Statement, bounds: Bounds): RangeSummary | null {
  let rows: { asset: string; n: number; digits: number; net: number | bigint }[];
  try {
    rows = sums.safeIntegers(true).all(...bounds) as typeof rows;
  } catch (error) {
    if (/integer overflow/i.test((error as Error).message)) return null;
    throw error;
  }
  if (rows.some((r) => Number(r.digits) > 18)) return null;
  return {
    rows: rows.reduce((total, r) => total + Number(r.n), 0),
    net: new Map(rows.map((r) => [r.asset, BigInt(r.net)])),
  };
}

function sumInJs(scan: BetterSqlite3.Statement, bounds: Bounds): RangeSummary {
  const net = new Map<string, bigint>();
  let count = 0;
  for (const row of scan.iterate(...bounds)) {
    const [asset, amount, fee, status] = row as [string, string, string, string];
    addNet(net, asset, status, amount, fee);
    count += 1;
  }
  return { rows: count, net };
}

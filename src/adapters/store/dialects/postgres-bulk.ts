import { TABLES, KINDS } from '../bulk-loader.js';
import type { Kind, TableSpec, BulkSink } from '../bulk-loader.js';
import type { Database } from '../database.js';

const PG_BATCH = 5000;

/** Batches of rows sent as arrays and expanded with unnest(): one round trip per table per batch. */
export async function loadPostgres<T>(
  database: Database,
  fn: (sink: BulkSink) => Promise<T>,
): Promise<T> {
  const client = await database.pool!.connect();
  const buffers = Object.fromEntries(
    KINDS.map((k) => [k, TABLES[k].columns.map(() => [] as unknown[])]),
  ) as Record<Kind, unknown[][]>;
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  let rows = 0;
  // Parents before children: foreign keys are checked per statement.
  const flushAll = async () => {
    for (const kind of KINDS) await flushKind(kind);
  };
  const flushKind = async (kind: Kind) => {
    if (counts[kind] === 0) return;
    const spec: TableSpec = TABLES[kind];
    const params = buffers[kind];
    const unnest = spec.pgTypes.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
    await client.query(
      `insert into ${spec.table} (${spec.columns.join(', ')}) select * from unnest(${unnest})`,
      params,
    );
    buffers[kind] = spec.columns.map(() => []);
    counts[kind] = 0;
  };
  let buffered = 0;
  const put = (kind: Kind) => {
    const columns: readonly string[] = TABLES[kind].columns;
    return (row: object) => {
      const record = row as Record<string, unknown>;
      const buffer = buffers[kind];
      for (let i = 0; i < columns.length; i++) buffer[i]!.push(record[columns[i]!] ?? null);
      counts[kind] += 1;
      rows += 1;
      buffered += 1;
    };
  };
  const sink: BulkSink = {
    holder: put('holder'),
    account: put('account'),
    balance: put('balance'),
    transaction: put('transaction'),
    order: put('order'),
    dispute: put('dispute'),
    authorization: put('authorization'),
    credential: put('credential'),
    hold: put('hold'),
    maybeFlush: async () => {
      if (buffered < PG_BATCH) return;
      buffered = 0;
      await flushAll();
    },
    get rows() {
      return rows;
    },
  };
  try {
    await client.query('begin');
    // Constraints are checked at commit where they can be deferred; flushes go parents first.
    await client.query('set constraints all deferred');
    const result = await fn(sink);
    await flushAll();
    await client.query('commit');
    // Fresh statistics: a planner that still thinks the tables are empty picks sorts
    // over index scans for every query after a bulk load.
    await client.query('analyze');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

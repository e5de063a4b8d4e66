import type pg from 'pg';
import { BATCH_PG, BEGINNING, END, unknownAccount } from '../../statements/source.js';
import type { StatementSnapshot } from '../../statements/source.js';
import type { LedgerTuple } from '../../statements/row.js';
import type { Database } from '../database.js';

const COLUMNS_PG =
  'id, created_at, type, asset, amount::text, fee::text, status, counterparty, reference';
const PERIOD_PG = 'account_id = $1 and created_at >= $2 and created_at < $3';

/** One pooled client in a REPEATABLE READ, READ ONLY transaction: one snapshot throughout. */
export async function openPostgresSnapshot(
  database: Database,
  accountId: string,
): Promise<StatementSnapshot> {
  if (!database.pool) throw new Error('a PostgreSQL database without its pool');
  let cursors = 0;
  const client = await database.pool.connect();
  let open = true;
  const close = async (): Promise<void> => {
    if (!open) return;
    open = false;
    try {
      await client.query('commit');
      client.release();
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  };
  try {
    await client.query('begin isolation level repeatable read, read only');
    const holder = await client.query<{ name: string }>(
      'select h.name from accounts a join holders h on h.id = a.holder_id where a.id = $1',
      [accountId],
    );
    if (holder.rows.length === 0) throw unknownAccount(accountId);
    const assets = await client.query<{ code: string; decimals: number }>(
      'select code, decimals from assets',
    );
    return {
      accountId,
      holderName: holder.rows[0]!.name,
      decimals: new Map(assets.rows.map((a) => [a.code, a.decimals])),
      summarize: async (range) => {
        const result = await client.query<{ asset: string; n: number; net: string }>(
          `select asset, count(*)::int as n,
             coalesce(sum(case when status = 'completed' then amount - fee else 0 end), 0)::text as net
           from transactions where ${PERIOD_PG} group by asset`,
          [accountId, range.from ?? BEGINNING, range.to ?? END],
        );
        return {
          rows: result.rows.reduce((sum, r) => sum + r.n, 0),
          net: new Map(result.rows.map((r) => [r.asset, BigInt(r.net)])),
        };
      },
      count: async (range) => {
        const result = await client.query<{ n: number }>(
          `select count(*)::int as n from transactions where ${PERIOD_PG}`,
          [accountId, range.from ?? BEGINNING, range.to ?? END],
        );
        return result.rows[0]!.n;
      },
      batches: async function* (range) {
        // A server-side cursor: the query is planned and run once, for a fast start in id
        // order, and rows come a batch at a time. (Pages by `id > last` were planned anew
        // each page and, with a bulk-loaded table's stale statistics, sorted the rest of the
        // history every time: quadratic.)
        const cursor = `statement_rows_${++cursors}`;
        await client.query(
          `declare ${cursor} no scroll cursor for select ${COLUMNS_PG} from transactions where ${PERIOD_PG} order by id`,
          [accountId, range.from ?? BEGINNING, range.to ?? END],
        );
        try {
          for (;;) {
            const query: pg.QueryArrayConfig = {
              text: `fetch ${BATCH_PG} from ${cursor}`,
              rowMode: 'array',
            };
            const batch = (await client.query(query)).rows as unknown as LedgerTuple[];
            if (batch.length === 0) return;
            yield batch;
          }
        } finally {
          await client.query(`close ${cursor}`);
        }
      },
      close,
    };
  } catch (error) {
    open = false;
    await client.query('rollback').catch(() => undefined);
    client.release();
    throw error;
  }
}

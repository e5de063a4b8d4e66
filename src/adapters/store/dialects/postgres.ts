import { sql } from 'kysely';
import type { CompiledQuery } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database, Db, Tx } from '../database.js';
import type { ClosureTable } from '../workflow.table.js';
import { dueClosureIds } from './claim.js';
import { loadPostgres } from './postgres-bulk.js';
import type { StoreDialect } from './dialect.js';

/** The PostgreSQL channel on which due work is announced to idle workers. */
export const WORK_CHANNEL = 'offboard_work_due';

/** PostgreSQL: many processes over one database, so rows are locked and work is announced. */
export const postgresDialect: StoreDialect = {
  name: 'postgres',
  columnTypes: {
    money: 'numeric(78, 0)',
    serial: 'bigserial',
    serialPrimaryKey: (c) => c.primaryKey(),
  },
  transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.transaction().execute(fn);
  },
  // Dead row versions stay in the table files until (auto)vacuum reclaims them; a VACUUM
  // here would contend with every worker. docs/retention.md says so.
  compactAfterErasure: async () => undefined,
  forUpdate: (query) => query.forUpdate(),
  forUpdateSkipLocked: (query) => query.forUpdate().skipLocked(),
  async announceWorkDue(tx, closureId) {
    await sql`select pg_notify(${WORK_CHANNEL}, ${closureId})`.execute(tx);
  },
  async listenForWork(database, onNotice) {
    if (!database.pool) return null;
    const client = await database.pool.connect();
    client.on('notification', onNotice);
    await client.query(`listen ${WORK_CHANNEL}`);
    return {
      close: async () => {
        await client.query(`unlisten ${WORK_CHANNEL}`).catch(() => undefined);
        client.release();
      },
    };
  },
  /**
   * One statement: the claim skips rows other workers hold, so any number of workers share
   * the work. It commits without waiting for its WAL flush (`synchronous_commit` off for
   * this statement's own transaction only; the scalar subquery runs once): a claim is only
   * a lease, and a lease lost with a server crash makes the closure due again, which a
   * lapsed lease does anyway. Every transition after it still waits for the flush, and
   * flushing it flushes the claim too (the WAL is written in order). On a disk where a
   * flush takes milliseconds this saves one flush per closure.
   */
  async claimDueClosures(database: Database, options): Promise<ClosureTable[]> {
    const due = dueClosureIds(database.db, options.now, options.limit).forUpdate().skipLocked();
    const rows = await database.db
      .updateTable('closures')
      .set({ lease_owner: options.owner, lease_expires_at: options.until })
      .where('id', 'in', due)
      .where(sql<string>`(select set_config('synchronous_commit', 'off', true))`, '=', 'off')
      .returningAll()
      .execute();
    return rows;
  },
  async insertAuditEntry(tx, entry) {
    const row = await tx
      .with('entry', (db) => db.insertInto('audit_log').values(entry).returning('seq'))
      .updateTable('audit_chains')
      .set({ hash: entry.hash })
      .where('chain', '=', entry.chain)
      .returning((eb) => eb.selectFrom('entry').select('entry.seq').as('seq'))
      .executeTakeFirstOrThrow();
    return Number(row.seq);
  },
  async dropTables(db, schema, tables) {
    await db.transaction().execute(async (tx) => {
      for (const table of tables)
        await sql`drop table ${sql.table(`${schema}.${table}`)} cascade`.execute(tx);
    });
  },
  async selectArrays<Row extends readonly unknown[]>(database: Database, query: CompiledQuery) {
    const result = await database.pool!.query({
      text: query.sql,
      values: [...query.parameters],
      rowMode: 'array',
    });
    return result.rows as unknown as Row[];
  },
  jsonArrayFrom,
  bulkLoad: loadPostgres,
  async ownTables(db) {
    const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const schema = current.rows[0]?.schema ?? 'public';
    const rows = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = ${schema} and table_type = 'BASE TABLE'`.execute(db);
    return { schema, tables: new Set(rows.rows.map((r) => r.table_name)) };
  },
};

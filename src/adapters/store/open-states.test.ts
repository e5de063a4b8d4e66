import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_OPEN, OPEN_STATES } from './open-states.js';

describe('open closure states', () => {
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
  });
  afterAll(() => db.destroy());

  it('are the states a closure can still leave', () => {
    expect(OPEN_STATES).toEqual(['requested', 'grace', 'finalizing', 'escalated']);
  });

  it('are written out as the partial indexes state them (002-workflow), so those indexes apply', () => {
    const indexPredicate = sql`state in ('requested', 'grace', 'finalizing', 'escalated')`;
    expect(IS_OPEN.compile(db).sql).toBe(indexPredicate.compile(db).sql);
    expect(IS_OPEN.compile(db).parameters).toEqual([]);
  });
});

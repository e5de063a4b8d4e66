import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** Column types that differ between the dialects; everything else is shared. */
export interface ColumnTypes {
  /** Minor units: TEXT on SQLite, NUMERIC(78,0) on PostgreSQL. */
  money: 'text' | 'numeric(78, 0)';
  /** An auto-incrementing 64-bit key. */
  serial: 'integer' | 'bigserial';
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  return dialect === 'sqlite'
    ? { money: 'text', serial: 'integer' }
    : { money: 'numeric(78, 0)', serial: 'bigserial' };
}

export interface OffboardMigration {
  name: string;
  // Migrations see the schema as it was when they were written, not today's types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, types: ColumnTypes, dialect: Dialect): Promise<void>;
}

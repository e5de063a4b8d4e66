import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialects/dialect.js';

export type { ColumnTypes } from '../dialects/dialect.js';

export interface OffboardMigration {
  name: string;
  // Migrations see the schema as it was when they were written, not today's types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, types: ColumnTypes): Promise<void>;
}

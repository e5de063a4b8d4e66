import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialects/dialect.js';

export type { ColumnTypes } from '../dialects/dialect.js';

/** Choices a database makes once, when the migration that needs them first runs. */
export interface MigrationOptions {
  /** How many account audit chains (P) a new audit log gets; fixed from then on. */
  auditChains: number;
}

export const DEFAULT_AUDIT_CHAINS = 16;
export const MAX_AUDIT_CHAINS = 1024;

export interface OffboardMigration {
  name: string;
  // Migrations see the schema as it was when they were written, not today's types.
  up(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    types: ColumnTypes,
    options: MigrationOptions,
  ): Promise<void>;
}

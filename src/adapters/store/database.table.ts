import type { ConsoleTables } from './console.table.js';
import type { HttpTables } from './http.table.js';
import type { LedgerTables } from './ledger.table.js';
import type { PlatformTables } from './platform.table.js';
import type { TicketTables } from './ticket.table.js';
import type { RetentionTables } from './retention.table.js';
import type { TokenTables } from './token.table.js';
import type { WorkflowTables } from './workflow.table.js';

/** Every table offboard keeps, for Kysely's typing. */
export type OffboardTables = LedgerTables &
  WorkflowTables &
  HttpTables &
  TokenTables &
  PlatformTables &
  TicketTables &
  ConsoleTables &
  RetentionTables;

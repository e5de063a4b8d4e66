import type { Generated } from 'kysely';
import type { EpochMs } from './ledger.table.js';

/** A support ticket (docs/support.md). */
export interface TicketTable {
  id: string;
  account_id: string;
  subject: string;
  category: string;
  priority: string;
  state: string;
  assignee: string | null;
  closure_id: string | null;
  blocker_code: string | null;
  /** The agents' verdict (JSON) when opened from a blocker; the holder sees it re-rendered. */
  verdict: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
  first_responded_at: EpochMs | null;
  resolved_at: EpochMs | null;
  closed_at: EpochMs | null;
  paused_ms: EpochMs;
  paused_since: EpochMs | null;
  /** JSON list of the SLA signals already sent (`first_response:warning`, ...). */
  sla_signals: string;
  /** When the worker must look at the ticket next; null when no SLA timer runs. */
  next_sla_at: EpochMs | null;
  version: number;
}

/** One message of a ticket. The body was redacted before it was written. */
export interface TicketMessageTable {
  /** Insertion order. */
  seq: Generated<number>;
  id: string;
  ticket_id: string;
  /** `reply` (the holder sees it) or `note` (agents only). */
  kind: string;
  author_kind: string;
  author_id: string;
  body: string;
  /** JSON list of the secret kinds replaced. */
  redacted: string;
  /** JSON list of phishing reasons (agents only). */
  phishing: string;
  created_at: EpochMs;
}

export interface TicketTables {
  tickets: TicketTable;
  ticket_messages: TicketMessageTable;
}

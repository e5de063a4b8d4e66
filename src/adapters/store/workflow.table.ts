import type { Generated } from 'kysely';
import type { EpochMs } from './ledger.table.js';

/** A closure: a durable state machine row the worker claims with a lease. */
export interface ClosureTable {
  id: string;
  account_id: string;
  state: string;
  requested_at: EpochMs;
  confirmed_at: EpochMs | null;
  confirmation_expires_at: EpochMs;
  /** When the worker should act next; null when only a person can move it. */
  due_at: EpochMs | null;
  grace_ends_at: EpochMs | null;
  earliest_eligible_at: EpochMs | null;
  ended_at: EpochMs | null;
  /** JSON: the consent to automatic actions. */
  consent: string;
  reason: string | null;
  /** JSON: the last verdict (agent audience), for `status`. */
  verdict: string | null;
  /**
   * The final check's outcome ('close' | 'block'), stored before acting on it: a worker
   * that dies half-way repeats the decision instead of checking again on a half-changed
   * account.
   */
  decision: string | null;
  /** SHA-256 of the one-time confirmation code; the code itself is never stored. */
  code_hash: string | null;
  code_attempts: number;
  version: number;
  lease_owner: string | null;
  lease_expires_at: EpochMs | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** The hash-chained audit log: each entry carries the hash of the one before. */
export interface AuditLogTable {
  seq: Generated<number>;
  at: EpochMs;
  actor_kind: string;
  actor_id: string;
  action: string;
  account_id: string | null;
  /** JSON without personal data. */
  data: string;
  prev_hash: string;
  hash: string;
  /** The entry's chain; null for the legacy single chain written before migration 006. */
  chain: number | null;
  /** The entry's position in its chain (the legacy chain: its `seq`). */
  chain_seq: number | null;
}

/** The legacy chain's head: removing its newest entries is detectable. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** One head per chain, advanced by every append to it: its row is the chain's lock. */
export interface AuditChainTable {
  chain: number;
  seq: number;
  hash: string;
}

/** Signed checkpoints: every chain's head at one instant, and a signature over them. */
export interface AuditCheckpointTable {
  id: Generated<number>;
  at: EpochMs;
  /** JSON: [{ chain, seq, hash }]. */
  heads: string;
  root: string;
  key_id: string;
  signature: string;
}

/** Events written in the same transaction as the state change they announce. */
export interface OutboxTable {
  id: Generated<number>;
  event: string;
  account_id: string | null;
  /** JSON. */
  payload: string;
  created_at: EpochMs;
  /** 0 until the dispatcher has fanned it out to the webhook endpoints. */
  dispatched: 0 | 1;
}

export interface WebhookDeliveryTable {
  id: Generated<number>;
  outbox_id: number;
  endpoint: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: EpochMs;
  last_error: string | null;
  delivered_at: EpochMs | null;
  lease_owner: string | null;
  lease_expires_at: EpochMs | null;
}

/** The sandbox notifier: messages to holders land here instead of an SMTP server. */
export interface MailboxTable {
  id: Generated<number>;
  account_id: string;
  channel: 'email' | 'sms';
  address: string;
  template: string;
  subject: string;
  body: string;
  created_at: EpochMs;
  /** Dedupes a message re-sent by a repeated step. */
  dedupe_key: string;
}

/** Signed, single-use, expiring disable links: only their hash is stored. */
export interface DisableLinkTable {
  token_hash: string;
  account_id: string;
  created_at: EpochMs;
  expires_at: EpochMs;
  used_at: EpochMs | null;
}

export interface DisablementTable {
  id: Generated<number>;
  account_id: string;
  disabled_at: EpochMs;
  reason: string;
  actor_kind: string;
  actor_id: string;
  enable_not_before: EpochMs;
  enabled_at: EpochMs | null;
}

export interface SettingTable {
  key: string;
  value: string;
}

export interface WorkflowTables {
  settings: SettingTable;
  closures: ClosureTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_chains: AuditChainTable;
  audit_checkpoints: AuditCheckpointTable;
  outbox: OutboxTable;
  webhook_deliveries: WebhookDeliveryTable;
  mailbox: MailboxTable;
  disable_links: DisableLinkTable;
  disablements: DisablementTable;
}

import type { EpochMs } from './ledger.table.js';

/** An API key of the platform: only a hash of its secret is kept, so a database reader cannot use it. */
export interface ApiKeyTable {
  /** The public part of the key (`obk_<id>_<secret>`), for lookup. */
  id: string;
  name: string;
  /** SHA-256 (hex) of the secret part. */
  secret_hash: string;
  /** Comma-separated: read, write, admin. */
  scopes: string;
  created_at: EpochMs;
  revoked_at: EpochMs | null;
}

/**
 * One Idempotency-Key as used by one caller: reserved before the request runs (status
 * null), completed with the response it got, so a repeat returns that response.
 */
export interface IdempotencyKeyTable {
  /** Who sent it (`key:<id>`, `holder:<account>`, `agent:<id>`, `anonymous`): keys of different callers never collide. */
  identity: string;
  key: string;
  method: string;
  /** The route pattern with its parameters, e.g. `POST /v1/me/closure`. */
  route: string;
  /** SHA-256 of the route, parameters and body: the same key with another request is refused. */
  request_hash: string;
  /** Null while the first request runs. */
  status: number | null;
  response: string | null;
  created_at: EpochMs;
}

/** An override one agent asked for and a second agent must approve (four eyes). */
export interface ApprovalTable {
  id: string;
  /** `closure.approve` or `hold.lift`. */
  action: string;
  account_id: string;
  /** The closure id or hold id the action concerns. */
  subject: string;
  /** Why the first agent asks for it (kept for agents; never shown to the holder). */
  note: string;
  requested_by: string;
  requested_at: EpochMs;
  status: 'pending' | 'approved' | 'declined';
  decided_by: string | null;
  decided_at: EpochMs | null;
}

export interface HttpTables {
  api_keys: ApiKeyTable;
  idempotency_keys: IdempotencyKeyTable;
  approvals: ApprovalTable;
}

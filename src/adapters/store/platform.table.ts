import type { EpochMs } from './ledger.table.js';

/**
 * One Idempotency-Key the sandbox platform server has answered: a repeat of the same
 * request gets `response` again, another request with the key is refused.
 */
export interface PlatformIdempotencyKeyTable {
  key: string;
  /** SHA-256 (hex) of the method, path and body the key was first used with. */
  request_hash: string;
  status: number;
  /** The JSON body of the first answer. */
  response: string;
  created_at: EpochMs;
}

export interface PlatformTables {
  platform_idempotency_keys: PlatformIdempotencyKeyTable;
}

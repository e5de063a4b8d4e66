import type { Generated } from 'kysely';
import type { EpochMs } from './ledger.table.js';

/** A subject's data key, wrapped by a KEK (never stored in the clear). */
export interface DataKeyTable {
  subject: string;
  kek_id: string;
  wrapped: string;
  created_at: EpochMs;
}

/** The erasure job of one closed account. */
export interface ErasureTable {
  account_id: string;
  jurisdiction: string;
  closed_at: EpochMs;
  /** `scheduled` (a class is still kept), `held` (a hold suspends it), `erased` (nothing left to erase). */
  state: 'scheduled' | 'held' | 'erased';
  /** When the worker should look at it next; null once erased. */
  due_at: EpochMs | null;
  /** JSON array of the record classes already erased. */
  erased_classes: string;
  held_since: EpochMs | null;
  attempts: number;
  last_error: string | null;
  version: number;
  lease_owner: string | null;
  lease_expires_at: EpochMs | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface ErasureCertificateTable {
  id: string;
  account_id: string;
  issued_at: EpochMs;
  /** JSON: the signed certificate. */
  document: string;
}

export interface ErasureJournalTable {
  seq: Generated<number>;
  account_id: string;
  erased_at: EpochMs;
  /** JSON array of record classes. */
  classes: string;
  /** 1 once appended to the journal file. */
  copied: 0 | 1;
}

export interface RetentionTables {
  data_keys: DataKeyTable;
  erasures: ErasureTable;
  erasure_certificates: ErasureCertificateTable;
  erasure_journal: ErasureJournalTable;
}

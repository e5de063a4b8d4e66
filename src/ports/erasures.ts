import type { RecordClass } from '../domain/retention.js';

export type ErasureState = 'scheduled' | 'held' | 'erased';

/** The erasure job of one closed account. */
export interface Erasure {
  accountId: string;
  jurisdiction: string;
  closedAt: Date;
  state: ErasureState;
  /** When the worker looks at it next; null once everything is erased. */
  dueAt: Date | null;
  erasedClasses: RecordClass[];
  /** Since when a hold has suspended it; null when none does. */
  heldSince: Date | null;
  attempts: number;
  lastError: string | null;
  version: number;
}

/** A signed erasure certificate, as stored. */
export interface StoredCertificate {
  id: string;
  accountId: string;
  issuedAt: Date;
  /** The signed JSON document. */
  document: string;
}

/** One line of the erasure journal: an account id and an instant, no personal data. */
export interface JournalEntry {
  seq: number;
  accountId: string;
  erasedAt: Date;
  classes: RecordClass[];
}

/** The erasure jobs, their certificates and journal, and the erasure of offboard's own records. */
export interface ErasureRepository {
  /** Schedules the erasure of a closed account; a repeat (same account) changes nothing. */
  schedule(input: {
    accountId: string;
    jurisdiction: string;
    closedAt: Date;
    dueAt: Date | null;
    erasedClasses: readonly RecordClass[];
    now: Date;
  }): Promise<void>;
  get(accountId: string): Promise<Erasure | null>;
  /** Erasures due at `now` (not erased), soonest first, after `after` in that order. */
  listDue(options: { now: Date; limit: number }): Promise<Erasure[]>;
  /** How many erasures are in each state, and how many are due at `now`. */
  counts(now: Date): Promise<{ scheduled: number; held: number; erased: number; due: number }>;
  /** Claims up to `limit` due erasures nobody holds a live lease on, for `owner` until `until`. */
  claimDue(options: { now: Date; owner: string; until: Date; limit: number }): Promise<Erasure[]>;
  /** Claims one erasure whatever its due time (a journal replay), unless another owner holds it. */
  claim(
    accountId: string,
    options: { now: Date; owner: string; until: Date },
  ): Promise<Erasure | null>;
  /** Stores the job's next state and releases the lease; false when `owner` lost it (then nothing is written). */
  save(erasure: Erasure, owner: string, now: Date): Promise<boolean>;
  /** Makes a held erasure due at `now` (its hold was lifted). */
  wake(accountId: string, now: Date): Promise<void>;
  /** Releases the lease after a failure, to retry at `retryAt`. */
  fail(accountId: string, owner: string, error: string, retryAt: Date, now: Date): Promise<void>;
  /**
   * Erases offboard's own records of the account in these classes: the notices of
   * `communications`; the remembered holder requests of
   * `security`; the disable links with `identity`; free-text reasons and notes with them. Audit entries stay: they hold no
   * personal data.
   */
  eraseOwnRecords(accountId: string, classes: readonly RecordClass[]): Promise<void>;
  /** After a batch: makes erased rows unrecoverable from the database files where the engine allows. */
  compact(): Promise<void>;
  addCertificate(certificate: StoredCertificate): Promise<void>;
  certificates(accountId: string): Promise<StoredCertificate[]>;
  certificate(id: string): Promise<StoredCertificate | null>;
  journal(accountId: string, erasedAt: Date, classes: readonly RecordClass[]): Promise<void>;
  /** Journal entries not yet copied to the journal file, oldest first. */
  uncopiedJournal(limit: number): Promise<JournalEntry[]>;
  markCopied(seqs: readonly number[]): Promise<void>;
}

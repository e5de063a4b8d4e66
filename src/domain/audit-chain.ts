/**
 * The audit log is a hash chain: each entry's hash covers its own content, its position
 * and the hash of the entry before, so altering, deleting, inserting or reordering
 * entries breaks the chain at the first entry touched. The hash function is injected:
 * the domain does no I/O and imports no crypto.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntryContent {
  at: number;
  actorKind: 'holder' | 'agent' | 'worker' | 'platform' | 'system';
  actorId: string;
  action: string;
  /** Account ids only: never personal data, so erasure never breaks the chain. */
  accountId: string | null;
  /** Canonical JSON of the action's data, without personal data. */
  data: string;
}

export interface AuditEntry extends AuditEntryContent {
  seq: number;
  prevHash: string;
  hash: string;
}

export type HashFn = (text: string) => string;

/** The exact text an entry's hash is taken over: position, link and content. */
export function hashInput(seq: number, prevHash: string, content: AuditEntryContent): string {
  return JSON.stringify([
    seq,
    prevHash,
    content.at,
    content.actorKind,
    content.actorId,
    content.action,
    content.accountId,
    content.data,
  ]);
}

export function chainEntry(
  seq: number,
  prevHash: string,
  content: AuditEntryContent,
  hash: HashFn,
): AuditEntry {
  return { ...content, seq, prevHash, hash: hash(hashInput(seq, prevHash, content)) };
}

export type AuditProblem = 'altered' | 'missing' | 'out_of_place' | 'unexpected';

export type ChainVerdict =
  | { intact: true; entries: number; headSeq: number }
  | { intact: false; entries: number; seq: number; problem: AuditProblem; message: string };

/**
 * Walks entries in ascending `seq` order, keeping only the last entry between calls, so a
 * log of any length verifies in constant memory. `finish` checks the stored head: it
 * catches the newest entries removed, or one appended outside the log's writer.
 */
export class ChainVerifier {
  private previous: AuditEntry | null = null;
  private count = 0;
  private failure: Extract<ChainVerdict, { intact: false }> | null = null;

  constructor(private readonly hash: HashFn) {}

  /** Feeds the next entry; returns false once the chain is known broken. */
  push(entry: AuditEntry): boolean {
    if (this.failure) return false;
    this.count += 1;
    const expectedSeq = (this.previous?.seq ?? 0) + 1;
    const expectedPrev = this.previous?.hash ?? GENESIS_HASH;
    if (entry.seq !== expectedSeq) {
      const problem: AuditProblem = entry.seq > expectedSeq ? 'missing' : 'out_of_place';
      return this.fail(
        entry.seq,
        problem,
        entry.seq > expectedSeq
          ? `entries ${expectedSeq}..${entry.seq - 1} were deleted (the log jumps from ${expectedSeq - 1} to ${entry.seq})`
          : `entry ${entry.seq} appears after entry ${expectedSeq - 1}: the log was reordered`,
      );
    }
    if (this.hash(hashInput(entry.seq, entry.prevHash, entry)) !== entry.hash) {
      return this.fail(
        entry.seq,
        'altered',
        `entry ${entry.seq} was altered: its content no longer matches its hash`,
      );
    }
    if (entry.prevHash !== expectedPrev) {
      return this.fail(
        entry.seq,
        'out_of_place',
        `entry ${entry.seq} does not follow entry ${expectedSeq - 1}: an entry was inserted, replaced or reordered`,
      );
    }
    this.previous = entry;
    return true;
  }

  finish(head: { seq: number; hash: string } | null): ChainVerdict {
    if (this.failure) return this.failure;
    const lastSeq = this.previous?.seq ?? 0;
    const lastHash = this.previous?.hash ?? GENESIS_HASH;
    const headSeq = head?.seq ?? 0;
    if (headSeq > lastSeq) {
      this.fail(
        lastSeq + 1,
        'missing',
        `entries ${lastSeq + 1}..${headSeq} were deleted from the end of the log`,
      );
    } else if (headSeq < lastSeq) {
      this.fail(
        headSeq + 1,
        'unexpected',
        `entry ${headSeq + 1} was inserted: the log's head ends at ${headSeq}`,
      );
    } else if ((head?.hash ?? GENESIS_HASH) !== lastHash) {
      this.fail(
        lastSeq,
        'altered',
        `entry ${lastSeq} was replaced: it does not match the log's head`,
      );
    }
    return this.failure ?? { intact: true, entries: this.count, headSeq };
  }

  private fail(seq: number, problem: AuditProblem, message: string): false {
    this.failure = { intact: false, entries: this.count, seq, problem, message };
    return false;
  }
}

/**
 * The audit log is a set of hash chains: each entry's hash covers its own content, its
 * chain, its position in the chain and the hash of the entry before, so altering,
 * deleting, inserting or reordering entries breaks a chain at the first entry touched.
 * Entries of one account always go to the same chain; entries without an account go to
 * the system chain (0). The log written before chains existed is the legacy chain
 * (`chain: null`), hashed as it always was. The hash function is injected: the domain does
 * no I/O and imports no crypto.
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
  /** The row's id in the whole log: ascending in insertion order, not a chain position. */
  seq: number;
  /** The chain the entry belongs to; null for the legacy single chain. */
  chain: number | null;
  /** The entry's position in its chain, from 1. */
  chainSeq: number;
  prevHash: string;
  hash: string;
}

/** The system chain: entries that concern no account. */
export const SYSTEM_CHAIN = 0;

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

/**
 * The text a chained entry's hash is taken over. The chain number is inside, so an entry
 * moved to another chain no longer matches its hash. The legacy chain keeps its format.
 */
export function chainHashInput(
  chain: number | null,
  chainSeq: number,
  prevHash: string,
  content: AuditEntryContent,
): string {
  if (chain === null) return hashInput(chainSeq, prevHash, content);
  return JSON.stringify([
    'chain',
    chain,
    chainSeq,
    prevHash,
    content.at,
    content.actorKind,
    content.actorId,
    content.action,
    content.accountId,
    content.data,
  ]);
}

/** The entry that follows `prevHash` at `chainSeq` of `chain`; `seq` is filled in on insert. */
export function chainEntry(
  chain: number,
  chainSeq: number,
  prevHash: string,
  content: AuditEntryContent,
  hash: HashFn,
): Omit<AuditEntry, 'seq'> {
  return {
    ...content,
    chain,
    chainSeq,
    prevHash,
    hash: hash(chainHashInput(chain, chainSeq, prevHash, content)),
  };
}

/**
 * The chain an account's entries go to: one of `accountChains` chains numbered from 1,
 * chosen by the account id's hash so entries of one account stay in order on one chain.
 */
export function chainOf(accountId: string | null, accountChains: number, hash: HashFn): number {
  if (accountId === null) return SYSTEM_CHAIN;
  return 1 + (parseInt(hash(accountId).slice(0, 8), 16) % accountChains);
}

export function chainName(chain: number | null): string {
  if (chain === null) return 'the legacy chain';
  return chain === SYSTEM_CHAIN ? 'the system chain (0)' : `chain ${chain}`;
}

export type AuditProblem =
  'altered' | 'missing' | 'out_of_place' | 'unexpected' | 'checkpoint' | 'bad_signature';

/**
 * `seq` in a broken verdict is the position in `chain` of the first bad entry. `problem`
 * `checkpoint` means the chain disagrees with a signed checkpoint: the newest entries were
 * removed, or the log was rewritten.
 */
export type ChainVerdict =
  | { intact: true; entries: number; headSeq: number; chains: number; checkpoints: number }
  | {
      intact: false;
      entries: number;
      chain: number | null;
      seq: number;
      problem: AuditProblem;
      message: string;
    };

type Broken = Extract<ChainVerdict, { intact: false }>;

/** One chain's end as verified: its position and hash (GENESIS_HASH at 0). */
export interface ChainHead {
  chain: number | null;
  seq: number;
  hash: string;
}

/**
 * Walks one chain's entries in ascending position, keeping only the last entry between
 * calls, so a chain of any length verifies in constant memory. `finish` checks the stored
 * head: it catches the newest entries removed, or one appended outside the log's writer.
 */
export class ChainVerifier {
  private previous: AuditEntry | null = null;
  private count = 0;
  private failure: Broken | null = null;

  constructor(
    private readonly hash: HashFn,
    private readonly chain: number | null = null,
  ) {}

  get entries(): number {
    return this.count;
  }

  /** Feeds the next entry; returns false once the chain is known broken. */
  push(entry: AuditEntry): boolean {
    if (this.failure) return false;
    this.count += 1;
    const at = entry.chainSeq;
    const expectedSeq = (this.previous?.chainSeq ?? 0) + 1;
    const expectedPrev = this.previous?.hash ?? GENESIS_HASH;
    if (at !== expectedSeq) {
      return this.fail(
        at,
        at > expectedSeq ? 'missing' : 'out_of_place',
        at > expectedSeq
          ? `entries ${expectedSeq}..${at - 1} were deleted (the chain jumps from ${expectedSeq - 1} to ${at})`
          : `entry ${at} appears after entry ${expectedSeq - 1}: the chain was reordered`,
      );
    }
    if (this.hash(chainHashInput(this.chain, at, entry.prevHash, entry)) !== entry.hash) {
      return this.fail(
        at,
        'altered',
        `entry ${at} was altered: its content no longer matches its hash`,
      );
    }
    if (entry.prevHash !== expectedPrev) {
      return this.fail(
        at,
        'out_of_place',
        `entry ${at} does not follow entry ${expectedSeq - 1}: an entry was inserted, replaced or reordered`,
      );
    }
    this.previous = entry;
    return true;
  }

  /** Checks the walked chain against its stored head; the verified head when intact. */
  finish(head: { seq: number; hash: string } | null): ChainHead | Broken {
    if (this.failure) return this.failure;
    const lastSeq = this.previous?.chainSeq ?? 0;
    const lastHash = this.previous?.hash ?? GENESIS_HASH;
    const headSeq = head?.seq ?? 0;
    if (headSeq > lastSeq) {
      this.fail(
        lastSeq + 1,
        'missing',
        `entries ${lastSeq + 1}..${headSeq} were deleted from the end of the chain`,
      );
    } else if (headSeq < lastSeq) {
      this.fail(
        headSeq + 1,
        'unexpected',
        `entry ${headSeq + 1} was inserted: the chain's head ends at ${headSeq}`,
      );
    } else if ((head?.hash ?? GENESIS_HASH) !== lastHash) {
      this.fail(
        lastSeq,
        'altered',
        `entry ${lastSeq} was replaced: it does not match the chain's head`,
      );
    }
    return this.failure ?? { chain: this.chain, seq: lastSeq, hash: lastHash };
  }

  private fail(seq: number, problem: AuditProblem, message: string): false {
    this.failure = {
      intact: false,
      entries: this.count,
      chain: this.chain,
      seq,
      problem,
      message: `${chainName(this.chain)}: ${message}`,
    };
    return false;
  }
}

/** A broken verdict for `chain` at `seq`, worded like the walk's. */
export function brokenAt(
  entries: number,
  head: Pick<ChainHead, 'chain' | 'seq'>,
  problem: AuditProblem,
  message: string,
): Broken {
  return {
    intact: false,
    entries,
    chain: head.chain,
    seq: head.seq,
    problem,
    message: `${chainName(head.chain)}: ${message}`,
  };
}

/**
 * A checkpoint: every chain's head at one instant, the hash over them (`root`) and an
 * Ed25519 signature over the root. Published outside the database, it lets anyone
 * holding the public key prove later that no entry it covers was removed or rewritten.
 */
export interface AuditCheckpoint {
  format: 'offboard-audit-checkpoint/1';
  at: number;
  heads: ChainHead[];
  root: string;
  keyId: string;
  signature: string;
}

/** Heads in a fixed order (legacy first, then by chain number), so the root is canonical. */
export function sortHeads(heads: readonly ChainHead[]): ChainHead[] {
  return [...heads].sort((a, b) => (a.chain ?? -1) - (b.chain ?? -1));
}

/** The hash over every chain head with its position: what a checkpoint's signature covers. */
export function checkpointRoot(at: number, heads: readonly ChainHead[], hash: HashFn): string {
  const canonical = sortHeads(heads).map((h) => [h.chain, h.seq, h.hash]);
  return hash(JSON.stringify(['offboard-audit-checkpoint/1', at, canonical]));
}

/** The exact text a checkpoint's signature is taken over. */
export function checkpointSignedText(root: string): string {
  return `offboard-audit-checkpoint/1 ${root}`;
}

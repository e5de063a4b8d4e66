import type {
  AuditCheckpoint,
  AuditEntry,
  AuditEntryContent,
  ChainHead,
  ChainVerdict,
} from '../domain/audit-chain.js';

/** Signs checkpoints with the platform's key (Ed25519 in offboard's adapters). */
export interface CheckpointSigner {
  /** Names the key, so a checkpoint says which key signed it without carrying it. */
  readonly keyId: string;
  /** The signature (base64) over `text`. */
  sign(text: string): string;
}

/** Checks checkpoint signatures with the platform's public key. */
export interface CheckpointVerifier {
  readonly keyId: string;
  /** Whether `signature` (base64) is the key's signature over `text`. */
  verify(text: string, signature: string): boolean;
}

export interface AuditVerifyOptions {
  onProgress?: (checked: number) => void;
  /** Checks every checkpoint's signature with this key; without it only their content is checked. */
  verifier?: CheckpointVerifier;
  /** A checkpoint kept outside the database: the log must still hold everything it saw. */
  external?: AuditCheckpoint;
}

/**
 * The audit log: a legacy chain and P + 1 hash chains (the system chain 0, and account
 * chains 1..P), with signed checkpoints over their heads.
 */
export interface AuditRepository {
  /**
   * Appends one entry to its account's chain with the unit of work it is handed in, so it
   * lands with the change it records or not at all. Appends to one chain are serialized
   * until commit (the chain's head row is locked), appends to others are not: append last
   * in a unit of work.
   */
  append(content: AuditEntryContent): Promise<AuditEntry>;
  /**
   * Walks every chain (constant memory) and every stored checkpoint, then `external`,
   * and names the first broken entry.
   */
  verify(options?: AuditVerifyOptions): Promise<ChainVerdict>;
  /** Reads every chain's head in one statement, signs them and stores the checkpoint. */
  checkpoint(at: number, signer: CheckpointSigner): Promise<AuditCheckpoint>;
  /** The newest stored checkpoint, or null. */
  latestCheckpoint(): Promise<AuditCheckpoint | null>;
  /** Every chain's head as stored now (the legacy chain's too). */
  heads(): Promise<ChainHead[]>;
  /** The account's newest `limit` entries, in chain order. */
  forAccount(accountId: string, limit?: number): Promise<AuditEntry[]>;
  /** Entries in insertion order after `afterSeq`, of one account or all. */
  page(options: { accountId?: string; afterSeq: number; limit: number }): Promise<AuditEntry[]>;
}

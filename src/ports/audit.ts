import type { AuditEntry, AuditEntryContent, ChainVerdict } from '../domain/audit-chain.js';

/** The hash-chained audit log. */
export interface AuditRepository {
  /**
   * Appends one entry with the unit of work it is handed in, so it lands with the change it
   * records or not at all. Appends are serialized until commit: append last in a unit of work.
   */
  append(content: AuditEntryContent): Promise<AuditEntry>;
  /** Walks the whole chain (constant memory) and names the first broken entry. */
  verify(onProgress?: (checked: number) => void): Promise<ChainVerdict>;
  /** The account's newest `limit` entries, in chain order. */
  forAccount(accountId: string, limit?: number): Promise<AuditEntry[]>;
  /** Entries in chain order after `afterSeq`, of one account or all. */
  page(options: { accountId?: string; afterSeq: number; limit: number }): Promise<AuditEntry[]>;
}

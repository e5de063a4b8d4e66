/** The stored halves of disable links: only the hash of each token. */
export interface DisableLinkRepository {
  /** Records an issued link by its token hash. */
  insert(link: {
    tokenHash: string;
    accountId: string;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void>;
  /**
   * Marks the link used; says why when it was used or never issued. The update decides,
   * not a read before it: of two redemptions racing, one wins.
   */
  consume(tokenHash: string, now: Date): Promise<'used' | 'unknown' | null>;
  /** Why a link cannot be redeemed (used, never issued), or null when it still can be; reads only. */
  problem(tokenHash: string): Promise<'used' | 'unknown' | null>;
}

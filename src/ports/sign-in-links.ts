/** The stored halves of web sign-in links: only the hash of each token. */
export interface SignInLinkRepository {
  /** Records an issued link by its token hash. */
  insert(link: {
    tokenHash: string;
    accountId: string;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void>;
  /**
   * Uses the link up and names its account; null when it was never issued, was used, or
   * has expired. The update decides, not a read before it: of two uses racing, one wins.
   */
  consume(tokenHash: string, now: Date): Promise<string | null>;
}

/** A one-time link's agent, as the link was made for. */
export interface AgentSignInGrant {
  agentId: string;
  roles: string[];
}

/** The sandbox's one-time sign-in links to the agent console, kept by the hash of their token. */
export interface AgentSignInLinkRepository {
  /** Stores a new link under the hash of its token. */
  insert(
    link: AgentSignInGrant & { tokenHash: string; createdAt: Date; expiresAt: Date },
  ): Promise<void>;
  /**
   * Marks the link used at `now` and returns its grant, only when it exists, is unused and
   * has not expired; null otherwise. Two redemptions at once: exactly one wins.
   */
  redeem(tokenHash: string, now: Date): Promise<AgentSignInGrant | null>;
}

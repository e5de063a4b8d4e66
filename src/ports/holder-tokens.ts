/** What decides whether an account's holder token is honoured. */
export interface HolderTokenGate {
  /** Tokens issued at or before this instant (epoch ms) are dead; null when none are. */
  notBefore: number | null;
  /** Whether offboard closed the account. */
  closed: boolean;
}

/** Which holder tokens an account still honours. */
export interface HolderTokenRepository {
  /**
   * Kills every holder token of the account issued at or before `at` (epoch ms). Only ever
   * moves the cutoff forward: a late or repeated call cannot revive tokens an earlier one killed.
   */
  raiseCutoff(accountId: string, at: number): Promise<void>;
  /** The account's cutoff and whether it is closed, read at once. */
  gate(accountId: string): Promise<HolderTokenGate>;
}

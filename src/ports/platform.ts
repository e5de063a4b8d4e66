import type { AccountFacts } from '../domain/facts.js';

/**
 * The one port through which offboard reads facts about accounts from the platform and
 * acts on them. Every action takes an idempotency key: a step repeated after a crash
 * has its effect once. The builtin ledger implements it; so will the HTTP adapter.
 */
export interface PlatformPort {
  /** Everything the eligibility rules need about one account, or null when it does not exist. */
  facts(accountId: string): Promise<AccountFacts | null>;

  /** Facts of many accounts at once, in a small fixed number of queries; unknown ids are absent. */
  factsBatch(accountIds: readonly string[]): Promise<Map<string, AccountFacts>>;

  /** Account ids in id order after `after`, at most `limit`, optionally of one jurisdiction. */
  listAccounts(options: { after?: string; limit: number; jurisdiction?: string }): Promise<string[]>;

  /** How many accounts there are (of one jurisdiction), for progress. */
  countAccounts(options: { jurisdiction?: string }): Promise<number>;
}

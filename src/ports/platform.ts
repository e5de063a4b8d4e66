import type { AccountFacts } from '../domain/facts.js';

/**
 * Who holds the account and where: the channels every closure and security message goes
 * to, and the jurisdiction whose policy applies. One cheap read, for steps that need no
 * full facts.
 */
export interface HolderContact {
  name: string;
  email: string | null;
  phone: string | null;
  jurisdiction: string;
}

/**
 * The one port through which offboard reads facts about accounts from the platform and
 * acts on them. Every action takes an idempotency key: a step repeated after a crash has
 * its effect once. The builtin ledger implements it; so will the HTTP adapter.
 */
export interface PlatformPort {
  /** Everything the eligibility rules need about one account, or null when it does not exist. */
  facts(accountId: string): Promise<AccountFacts | null>;

  /** Facts of many accounts at once, in a small fixed number of queries; unknown ids are absent. */
  factsBatch(accountIds: readonly string[]): Promise<Map<string, AccountFacts>>;

  /** Account ids in id order after `after`, at most `limit`, optionally of one jurisdiction. */
  listAccounts(options: {
    after?: string;
    limit: number;
    jurisdiction?: string;
  }): Promise<string[]>;

  /** How many accounts there are (of one jurisdiction), for progress. */
  countAccounts(options: { jurisdiction?: string }): Promise<number>;

  /** The holder's name, channels and jurisdiction; null for an unknown account. */
  contact(accountId: string): Promise<HolderContact | null>;

  /** Stops money from moving in or out: deposits are returned, nothing leaves. */
  freeze(accountId: string, idempotencyKey: string): Promise<void>;

  /** Lifts a freeze: the account is active again. */
  unfreeze(accountId: string, idempotencyKey: string): Promise<void>;

  /** Moves the whole available balance of `asset` to the platform's dust account; returns the amount. */
  sweepDust(accountId: string, asset: string, idempotencyKey: string): Promise<bigint>;

  /** Cancels an open order and releases its funds (a cancelled order is left as it is). */
  cancelOrder(accountId: string, orderId: string, idempotencyKey: string): Promise<void>;

  /** Stops a cancellable pending withdrawal and releases its funds. */
  cancelWithdrawal(accountId: string, transferId: string, idempotencyKey: string): Promise<void>;

  /** Revokes a third-party authorization for good. */
  revokeAuthorization(
    accountId: string,
    authorizationId: string,
    idempotencyKey: string,
  ): Promise<void>;

  /** Revokes a credential for good: revoked credentials are never restored. */
  revokeCredential(accountId: string, credentialId: string, idempotencyKey: string): Promise<void>;

  /** Marks the account closed: it takes no money and no logins, for good. */
  markClosed(accountId: string, idempotencyKey: string): Promise<void>;

  /** Blocks (disabled) or restores (enabled) logins and activity; balances stay. */
  setDisabled(accountId: string, disabled: boolean, idempotencyKey: string): Promise<void>;
}

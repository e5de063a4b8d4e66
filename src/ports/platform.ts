import type { AccountFacts, EligibilityFacts, HoldKind } from '../domain/facts.js';
import type { RecordClass } from '../domain/retention.js';

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
 * One recorded transaction of an account, in column order: what statements are made of.
 * A tuple, not an object: a million-row export reads a million of them.
 */
export type TransactionTuple = readonly [
  /** Positive, unique, and increasing in the order the platform recorded transactions. */
  id: number,
  /** When it was created, epoch milliseconds. */
  createdAt: number,
  /** `deposit`, `withdrawal`, `trade`, `fee`, `transfer`, `dust_sweep` or `return`. */
  type: string,
  asset: string,
  /** Signed minor units, a decimal-integer string (exact past 64 bits). */
  amount: string,
  /** Non-negative minor units, a decimal-integer string. */
  fee: string,
  /** `pending`, `completed` or `failed`. */
  status: string,
  counterparty: string | null,
  reference: string | null,
];

/** Which transactions a page reads: created in `[from, to)` (epoch ms; null leaves a side open). */
export interface TransactionPageRequest {
  /** A cursor from `openTransactions` or a page's `next`. */
  cursor: string;
  from: number | null;
  to: number | null;
  /** At most this many rows (the platform may return fewer; an empty page ends the stream). */
  limit: number;
}

/** One page of an account's transactions, oldest first. */
export interface TransactionPage {
  transactions: TransactionTuple[];
  /** The cursor of the next page; null when this page was the last. */
  next: string | null;
}

/** What the platform erased of an account, and what it keeps (without personal data) and why. */
export interface PlatformErasure {
  /** The classes it erased (of those asked for); a class it holds nothing of counts as erased. */
  erased: RecordClass[];
  /** What it keeps, pseudonymous, e.g. transaction amounts for its own books. */
  retained: { what: string; why: string }[];
}

/**
 * The one port through which offboard reads facts about accounts from the platform and
 * acts on them. Every action takes an idempotency key: a step repeated after a crash has
 * its effect once. The builtin ledger implements it; so will the HTTP adapter.
 */
export interface PlatformPort {
  /** Everything the eligibility rules need about one account, or null when it does not exist. */
  facts(accountId: string): Promise<AccountFacts | null>;

  /**
   * Optional: `facts` with offboard's open closure of the account in `closure`, read
   * together. Only a platform living in offboard's own database (the builtin ledger) can
   * offer it, and then an eligibility check is one statement; without it, the facts are read
   * here and the closure from offboard's store, side by side.
   */
  factsWithOpenClosure?(accountId: string): Promise<AccountFacts | null>;

  /** Facts of many accounts at once, in a small fixed number of queries; unknown ids are absent. */
  factsBatch(accountIds: readonly string[]): Promise<Map<string, AccountFacts>>;

  /**
   * Optional: the facts of many accounts as `factsBatch` reads them, less the credentials,
   * which eligibility never looks at. `scan` reads every account through it when the
   * platform has it, else through `factsBatch`; a platform whose credentials cost little
   * to read needs none.
   */
  eligibilityFactsBatch?(accountIds: readonly string[]): Promise<Map<string, EligibilityFacts>>;

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

  /** The account's jurisdiction (ISO 3166 alpha-2), whose policy applies; null for an unknown account. */
  jurisdiction(accountId: string): Promise<string | null>;

  /** Decimals of every asset the platform knows, by asset code (to format statement amounts). */
  assetDecimals(): Promise<ReadonlyMap<string, number>>;

  /**
   * Starts reading an account's transactions: a cursor that sees exactly the transactions
   * recorded before this call, so pages stay stable while new ones arrive. The cursor may be
   * read from again, any number of times, for the same rows. Null for an unknown account.
   */
  openTransactions(accountId: string): Promise<string | null>;

  /**
   * The next page of the stream a cursor points into, oldest first (by id), of the
   * transactions created in the request's period. Pages hold at most `limit` rows, so
   * reading a history of any size takes constant memory.
   */
  transactionPage(accountId: string, request: TransactionPageRequest): Promise<TransactionPage>;

  /** Places a hold (legal, compliance, fraud, regulator) with the id offboard chose; a repeat with the same id does nothing. */
  placeHold(accountId: string, hold: { id: string; kind: HoldKind; reason: string }): Promise<void>;

  /** Lifts an active hold of the account; lifting a lifted hold does nothing. */
  liftHold(accountId: string, holdId: string): Promise<void>;

  /**
   * Erases the personal data of the account's records in `classes` (identity: the holder's
   * name and contact; transactions: counterparties and references, amounts stay as
   * pseudonymous totals; security: sessions, devices, keys; preferences: linked apps).
   * offboard calls it only for a closed account whose retention has ended and that no hold
   * stands on. A repeat with the same key returns the first answer.
   */
  erase(
    accountId: string,
    classes: readonly RecordClass[],
    idempotencyKey: string,
  ): Promise<PlatformErasure>;
}

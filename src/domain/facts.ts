/**
 * Facts about an account, read from the platform at the moment offboard decides. Amounts
 * are bigint minor units with their asset's decimals beside them.
 */

export type AccountStatus = 'active' | 'disabled' | 'frozen' | 'closed';

export interface BalanceFact {
  asset: string;
  decimals: number;
  available: bigint;
  locked: bigint;
  allowNegative: boolean;
  /** Reference-currency minor units per one whole unit of the asset; null = unpriced. */
  priceMinorPerUnit: bigint | null;
}

export interface OrderFact {
  id: string;
  /** The asset whose funds the order locks. */
  asset: string;
  side: 'buy' | 'sell';
  locked: bigint;
  decimals: number;
  createdAt: Date;
}

export interface TransferFact {
  id: string;
  direction: 'deposit' | 'withdrawal';
  asset: string;
  /** Positive. */
  amount: bigint;
  decimals: number;
  createdAt: Date;
  cancellable: boolean;
}

export interface DisputeFact {
  id: string;
  kind: 'dispute' | 'chargeback';
  asset: string;
  amount: bigint;
  decimals: number;
  openedAt: Date;
}

export type AuthorizationKind = 'oauth' | 'linked_platform' | 'subscription' | 'direct_debit';

export interface AuthorizationFact {
  id: string;
  kind: AuthorizationKind;
  name: string;
  grantedAt: Date;
}

export type CredentialKind =
  'api_key' | 'session' | 'device' | 'totp' | 'sms' | 'webauthn' | 'withdrawal_address';

export interface CredentialFact {
  id: string;
  kind: CredentialKind;
  label: string;
  createdAt: Date;
}

export type HoldKind = 'legal' | 'compliance' | 'fraud' | 'regulator';

export interface HoldFact {
  id: string;
  kind: HoldKind;
  reason: string;
  placedAt: Date;
}

export interface AccountFacts {
  accountId: string;
  status: AccountStatus;
  /** ISO 3166 alpha-2. */
  jurisdiction: string;
  openedAt: Date;
  /** Every asset row, zero ones included. */
  balances: BalanceFact[];
  /** Open only. */
  openOrders: OrderFact[];
  /** In flight only. */
  pendingTransfers: TransferFact[];
  /** Unresolved only. */
  disputes: DisputeFact[];
  /** Active only. */
  authorizations: AuthorizationFact[];
  /** Active only. */
  credentials: CredentialFact[];
  /** Active only. */
  holds: HoldFact[];
  lastActivity: {
    trade: Date | null;
    withdrawal: Date | null;
    deposit: Date | null;
    securityChange: Date | null;
  };
  /** A closure in progress (not terminal), if any. */
  closure: { id: string; state: string } | null;
}

/**
 * An account with nothing on it: no balances, orders, transfers, disputes, grants,
 * credentials, holds, activity or closure. Readers fill in what they find.
 */
export function blankFacts(
  account: Pick<AccountFacts, 'accountId' | 'status' | 'jurisdiction' | 'openedAt'>,
  lastActivity: AccountFacts['lastActivity'] = {
    trade: null,
    withdrawal: null,
    deposit: null,
    securityChange: null,
  },
): AccountFacts {
  // Written out rather than spread: the ledger builds one per account it reads, on the
  // eligibility route's hot path, and copying by spread costs several times as much.
  return {
    accountId: account.accountId,
    status: account.status,
    jurisdiction: account.jurisdiction,
    openedAt: account.openedAt,
    balances: [],
    openOrders: [],
    pendingTransfers: [],
    disputes: [],
    authorizations: [],
    credentials: [],
    holds: [],
    lastActivity,
    closure: null,
  };
}

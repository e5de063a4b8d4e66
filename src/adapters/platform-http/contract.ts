import { Type } from 'typebox';
import type { TSchema } from 'typebox';

/*
 * The platform contract's wire shapes, version 1: what offboard sends to a platform and
 * what it gets back. The sandbox server declares its routes with them, and the OpenAPI
 * document (`offboard platform contract`) is generated from those routes. Amounts are
 * decimal-integer strings of minor units (an 18-decimal asset does not fit a JSON number),
 * instants RFC 3339 UTC, ids opaque strings.
 */

export const CONTRACT_VERSION = '1.0.0';
export const PREFIX = '/offboard-platform/v1';

const Closed = <P extends Record<string, TSchema>>(properties: P, description?: string) =>
  Type.Object(properties, {
    additionalProperties: false,
    ...(description ? { description } : {}),
  });
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    ...(description ? { description } : {}),
  });

export const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: 200, description });
export const Amount = (description: string) =>
  Type.String({ pattern: '^-?(0|[1-9][0-9]{0,77})$', description: `${description} (minor units)` });
const Instant = (description: string) =>
  Type.String({ format: 'date-time', description: `${description} (RFC 3339, UTC)` });
const NullableInstant = (description: string) => Type.Union([Instant(description), Type.Null()]);

export const ErrorBody = Closed(
  {
    error: Closed({
      code: Type.String({ description: 'Stable code, OFFBOARD_ERR_...' }),
      message: Type.String({ description: 'What is wrong and what to do' }),
    }),
  },
  'Every error has this shape',
);

const Balance = Closed({
  asset: Id('Asset code'),
  decimals: Type.Integer({ minimum: 0, maximum: 36 }),
  available: Amount('Available balance; negative only when the asset allows it'),
  locked: Amount('Locked balance'),
  allowNegative: Type.Boolean(),
  priceMinorPerUnit: Type.Union([
    Amount('Reference-currency value of one whole unit'),
    Type.Null(),
  ]),
});

export const Facts = Closed(
  {
    accountId: Id('Account id'),
    status: Enum(['active', 'disabled', 'frozen', 'closed'] as const),
    jurisdiction: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166 alpha-2' }),
    openedAt: Instant('When the account was opened'),
    balances: Type.Array(Balance),
    openOrders: Type.Array(
      Closed({
        id: Id('Order id'),
        asset: Id('Asset the order locks'),
        side: Enum(['buy', 'sell'] as const),
        locked: Amount('Funds the order locks'),
        decimals: Type.Integer({ minimum: 0 }),
        createdAt: Instant('Placed at'),
      }),
    ),
    pendingTransfers: Type.Array(
      Closed({
        id: Id('Transfer id'),
        direction: Enum(['deposit', 'withdrawal'] as const),
        asset: Id('Asset'),
        amount: Amount('Positive amount'),
        decimals: Type.Integer({ minimum: 0 }),
        createdAt: Instant('Started at'),
        cancellable: Type.Boolean(),
      }),
    ),
    disputes: Type.Array(
      Closed({
        id: Id('Dispute id'),
        kind: Enum(['dispute', 'chargeback'] as const),
        asset: Id('Asset'),
        amount: Amount('Disputed amount'),
        decimals: Type.Integer({ minimum: 0 }),
        openedAt: Instant('Opened at'),
      }),
    ),
    authorizations: Type.Array(
      Closed({
        id: Id('Authorization id'),
        kind: Enum(['oauth', 'linked_platform', 'subscription', 'direct_debit'] as const),
        name: Type.String(),
        grantedAt: Instant('Granted at'),
      }),
    ),
    credentials: Type.Array(
      Closed({
        id: Id('Credential id'),
        kind: Enum([
          'api_key',
          'session',
          'device',
          'totp',
          'sms',
          'webauthn',
          'withdrawal_address',
        ] as const),
        label: Type.String(),
        createdAt: Instant('Created at'),
      }),
    ),
    holds: Type.Array(
      Closed({
        id: Id('Hold id'),
        kind: Enum(['legal', 'compliance', 'fraud', 'regulator'] as const),
        reason: Type.String({ description: 'For agents only: never shown to the holder' }),
        placedAt: Instant('Placed at'),
      }),
    ),
    lastActivity: Closed({
      trade: NullableInstant('Last trade'),
      withdrawal: NullableInstant('Last withdrawal'),
      deposit: NullableInstant('Last deposit'),
      securityChange: NullableInstant('Last security change'),
    }),
  },
  "Everything offboard's eligibility rules need about one account",
);

export const FactsQuery = Closed({
  accountIds: Type.Array(Id('Account id'), { minItems: 1, maxItems: 500 }),
});
export const FactsBatch = Closed({
  accounts: Type.Array(Facts),
  missing: Type.Array(Id('An id no account has'), { description: 'Unknown ids' }),
});

export const AccountList = Closed({
  accountIds: Type.Array(Id('Account id')),
  next: Type.Union([Id('Pass as `after` for the next page'), Type.Null()]),
});
export const ListQuery = Closed({
  after: Type.Optional(Id('Ids after this one')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  jurisdiction: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
});
export const CountQuery = Closed({
  jurisdiction: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
});
export const Count = Closed({ count: Type.Integer({ minimum: 0 }) });

export const Contact = Closed({
  name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  jurisdiction: Type.String({ pattern: '^[A-Z]{2}$' }),
});

export const AccountParams = Closed({ accountId: Id('Account id') });
export const SubjectParams = Closed({ accountId: Id('Account id'), id: Id('Record id') });

export const StatusResult = Closed({
  accountId: Id('Account id'),
  status: Enum(['active', 'disabled', 'frozen', 'closed'] as const, 'Status after the action'),
});
export const DoneResult = Closed({ accountId: Id('Account id'), id: Id('Record id') });
export const Empty = Closed({});

export const SweepBody = Closed({ asset: Id('Asset code') });
export const SweepResult = Closed({
  accountId: Id('Account id'),
  asset: Id('Asset code'),
  amount: Amount('Amount swept to the platform; "0" when there was nothing'),
});
export const DisabledBody = Closed({ disabled: Type.Boolean() });
const RecordClassEnum = Enum(
  ['identity', 'transactions', 'communications', 'security', 'preferences'] as const,
  'A record class (docs/retention.md)',
);
export const EraseBody = Closed({
  classes: Type.Array(RecordClassEnum, { minItems: 1, maxItems: 5, uniqueItems: true }),
});
export const EraseResult = Closed({
  accountId: Id('Account id'),
  erased: Type.Array(RecordClassEnum),
  retained: Type.Array(
    Closed({
      what: Type.String({ maxLength: 500 }),
      why: Type.String({ maxLength: 500 }),
    }),
    { maxItems: 20 },
  ),
});
export const HoldBody = Closed({
  id: Id('Hold id'),
  kind: Enum(['legal', 'compliance', 'fraud', 'regulator'] as const),
  reason: Type.String({ minLength: 1, maxLength: 1000 }),
});

export const TransactionsQuery = Closed({
  after: Type.Optional(Id('Cursor: the `next` of the page before')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
});
export const TransactionPage = Closed({
  transactions: Type.Array(
    Closed({
      id: Id('Transaction id'),
      asset: Id('Asset'),
      decimals: Type.Integer({ minimum: 0 }),
      type: Type.String({ description: 'deposit, withdrawal, trade, fee, return, sweep, ...' }),
      amount: Amount('Signed amount'),
      fee: Amount('Fee'),
      status: Type.String({ description: 'pending, completed, failed, ...' }),
      counterparty: Type.Union([Type.String(), Type.Null()]),
      reference: Type.Union([Type.String(), Type.Null()]),
      createdAt: Instant('Created at'),
      completedAt: NullableInstant('Completed at'),
    }),
  ),
  next: Type.Union([Id('Cursor of the next page'), Type.Null()], {
    description: 'Null when this page is the last one so far',
  }),
});

/** The scenarios a fixtures call may copy: the demo accounts' ids without `demo-`. */
export const FIXTURE_SCENARIOS = [
  'clean',
  'dust',
  'balance',
  'negative',
  'open-order',
  'pending-withdrawal',
  'pending-deposit',
  'dispute',
  'linked-app',
  'cooling-off',
  'hold-legal',
  'hold-compliance',
  'everything',
  'whale',
] as const;
export type FixtureScenario = (typeof FIXTURE_SCENARIOS)[number];

export const FixturesBody = Closed(
  {
    scenario: Type.Optional(
      Enum(FIXTURE_SCENARIOS, 'With accountId: the scenario to create a fresh copy of'),
    ),
    accountId: Type.Optional(Id('With scenario: the id the copy gets')),
  },
  'Empty: creates every demo scenario account that does not exist yet (demo-clean, demo-dust, ..., demo-everything with an 18-decimal ETH dust balance). With scenario and accountId: creates one copy of that scenario under accountId, unless the id exists',
);
export const FixturesResult = Closed({ accountIds: Type.Array(Id('Account id')) });
export const DepositBody = Closed({
  asset: Id('Asset code'),
  amount: Amount('Positive amount'),
  counterparty: Type.Optional(Type.String({ maxLength: 200 })),
});
export const DepositResult = Closed({
  transactionId: Id('The deposit transaction'),
  returned: Type.Boolean({
    description: 'True when the account was frozen or closed and the money went back',
  }),
});

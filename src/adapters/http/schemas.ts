import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { API_SCOPES } from '../../app/api-keys.js';
import { APPROVAL_ACTIONS } from '../../app/agent-decisions.js';
import { HOLD_KINDS } from '../../app/holds.js';
import { CLOSURE_STATES } from '../../domain/closure.js';
import { BLOCKER_CODES, SEVERITIES } from '../../domain/eligibility.js';
import { ERROR_CATALOGUE } from '../../domain/errors.js';
import { LANGS } from '../../domain/messages.js';
import { AGENT_ROLES } from './tokens.js';

/*
 * The request and response schemas every route declares: they validate requests, shape
 * responses (a field not listed here is never sent), and are the OpenAPI document.
 * Objects are closed (`additionalProperties: false`): an unknown field is an error, not
 * something silently ignored.
 */

export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const Closed = <P extends Record<string, TSchema>>(
  properties: P,
  options: { description?: string; $id?: string } = {},
) => Type.Object(properties, { additionalProperties: false, ...options });

const Instant = (description?: string) =>
  Type.String({ description: description ?? 'ISO 8601 instant (UTC)' });
const NullableInstant = (description?: string) => Type.Union([Instant(description), Type.Null()]);
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

// ---- errors -----------------------------------------------------------------------

export const ErrorResponse = Closed(
  {
    error: Closed({
      code: StringEnum(Object.keys(ERROR_CATALOGUE) as (keyof typeof ERROR_CATALOGUE)[], {
        description: 'Stable code; docs/errors.md lists each',
      }),
      message: Type.String({ description: 'What went wrong and what to do' }),
      details: Type.Optional(Type.Array(Type.String())),
      data: Type.Optional(
        Type.Unknown({
          description: 'A value to show whole, e.g. the verdict of a refused closure',
        }),
      ),
      requestId: Type.Optional(Type.String()),
    }),
  },
  { description: 'Every error: {"error":{"code","message"}}' },
);

/** Error statuses every route may answer, for the OpenAPI document. */
export function errors(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries([400, 401, 500, ...statuses].map((s) => [s, ErrorResponse]));
}

// ---- parameters -------------------------------------------------------------------

export const AccountParams = Closed({ id: Id('Account id') });
export const LangQuery = Closed({
  lang: Type.Optional(
    StringEnum(LANGS, { description: 'Language of messages and fixes (default en)' }),
  ),
});
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'A unique key per intended action: repeating the request with it returns the first response and does nothing twice (kept 24 h)',
    }),
  ),
});
export const EmptyBody = Closed({}, { description: 'No fields' });

// ---- verdicts and facts -----------------------------------------------------------

const Subject = Closed({
  kind: Type.String(),
  id: Type.Optional(Type.String()),
  asset: Type.Optional(Type.String()),
});

export const Blocker = Closed({
  code: StringEnum(BLOCKER_CODES),
  severity: StringEnum(SEVERITIES, {
    description: 'Who clears it: holder_action, automatic (with consent), wait, support',
  }),
  subject: Subject,
  remedy: Closed({ action: Type.String(), until: Type.Optional(Instant('When the wait ends')) }),
  params: Type.Record(Type.String(), Type.String()),
  message: Type.String(),
  fix: Type.String(),
  detail: Type.Optional(Type.String({ description: 'Agents only' })),
});

export const Verdict = Closed(
  {
    accountId: Type.String(),
    evaluatedAt: Instant(),
    eligible: Type.Boolean(),
    blockers: Type.Array(Blocker),
    earliestEligibleAt: NullableInstant('When only waits remain: when they end'),
    automaticActions: Type.Array(Closed({ kind: Type.String(), subject: Subject })),
    lang: StringEnum(LANGS),
    audience: StringEnum(['holder', 'agent'] as const),
  },
  { description: 'Every blocker at once, each with its fix' },
);

const Minor = Type.String({
  pattern: '^-?[0-9]+$',
  description: 'Integer minor units, as a decimal string',
});

export const Facts = Closed({
  accountId: Type.String(),
  status: StringEnum(['active', 'disabled', 'frozen', 'closed'] as const),
  jurisdiction: Type.String(),
  openedAt: Instant(),
  balances: Type.Array(
    Closed({
      asset: Type.String(),
      decimals: Type.Integer(),
      available: Minor,
      locked: Minor,
      allowNegative: Type.Boolean(),
      priceMinorPerUnit: Type.Union([Minor, Type.Null()]),
    }),
  ),
  openOrders: Type.Array(
    Closed({
      id: Type.String(),
      asset: Type.String(),
      side: Type.String(),
      locked: Minor,
      decimals: Type.Integer(),
      createdAt: Instant(),
    }),
  ),
  pendingTransfers: Type.Array(
    Closed({
      id: Type.String(),
      direction: Type.String(),
      asset: Type.String(),
      amount: Minor,
      decimals: Type.Integer(),
      createdAt: Instant(),
      cancellable: Type.Boolean(),
    }),
  ),
  disputes: Type.Array(
    Closed({
      id: Type.String(),
      kind: Type.String(),
      asset: Type.String(),
      amount: Minor,
      decimals: Type.Integer(),
      openedAt: Instant(),
    }),
  ),
  authorizations: Type.Array(
    Closed({ id: Type.String(), kind: Type.String(), name: Type.String(), grantedAt: Instant() }),
  ),
  credentials: Type.Array(
    Closed({ id: Type.String(), kind: Type.String(), label: Type.String(), createdAt: Instant() }),
  ),
  holds: Type.Array(
    Closed({
      id: Type.String(),
      kind: StringEnum(HOLD_KINDS),
      reason: Type.String(),
      placedAt: Instant(),
    }),
  ),
  lastActivity: Closed({
    trade: NullableInstant(),
    withdrawal: NullableInstant(),
    deposit: NullableInstant(),
    securityChange: NullableInstant(),
  }),
  closure: Type.Union([Closed({ id: Type.String(), state: Type.String() }), Type.Null()]),
});

// ---- closures ---------------------------------------------------------------------

export const Consent = Closed(
  {
    sweepDust: Type.Optional(
      Type.Boolean({ description: 'Move a balance below the dust threshold to the platform' }),
    ),
    cancelOrders: Type.Optional(Type.Boolean({ description: 'Cancel open orders' })),
    revokeApps: Type.Optional(
      Type.Boolean({ description: 'Revoke linked apps the policy allows closure to revoke' }),
    ),
  },
  { description: 'Automatic actions the holder agreed closure may take (default: none)' },
);

export const Closure = Closed({
  id: Type.String(),
  accountId: Type.String(),
  state: StringEnum(CLOSURE_STATES),
  requestedAt: Instant(),
  confirmedAt: NullableInstant(),
  confirmationExpiresAt: Instant(),
  dueAt: NullableInstant('When the worker acts next'),
  graceEndsAt: NullableInstant('Until when the holder can cancel'),
  earliestEligibleAt: NullableInstant(),
  endedAt: NullableInstant(),
  consent: Closed({
    sweepDust: Type.Boolean(),
    cancelOrders: Type.Boolean(),
    revokeApps: Type.Boolean(),
  }),
  version: Type.Integer(),
  reason: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'Agents and the platform only' }),
  ),
});

export const ClosureResult = Closed({ closure: Closure });
export const ClosureRequested = Closed({
  closure: Closure,
  codeSent: Type.Boolean({ description: 'A one-time code went to every channel on file' }),
});
export const ClosureStatus = Closed({
  accountId: Type.String(),
  closure: Type.Union([Closure, Type.Null()]),
  verdict: Type.Union([Verdict, Type.Null()]),
});
export const ClosurePage = Closed({
  closures: Type.Array(Closure),
  next: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as cursor for the next page',
  }),
});

export const Disabled = Closed({
  accountId: Type.String(),
  disablementId: Type.Integer(),
  alreadyDisabled: Type.Boolean(),
  revokedCredentials: Type.Integer(),
  cancelledOrders: Type.Integer(),
  cancelledWithdrawals: Type.Integer(),
  enableNotBefore: Instant(),
});

// ---- audit, keys, approvals, holds ------------------------------------------------

export const AuditEntry = Closed({
  seq: Type.Integer({ description: "The entry's id in the whole log, in insertion order" }),
  chain: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Its chain: 0 system, 1..P accounts, null the legacy chain (docs/audit.md)',
  }),
  chainSeq: Type.Integer({ description: 'Its position in its chain, from 1' }),
  at: Instant(),
  actorKind: Type.String(),
  actorId: Type.String(),
  action: Type.String(),
  accountId: Type.Union([Type.String(), Type.Null()]),
  data: Type.Unknown({ description: 'The action data (no personal data)' }),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const Approval = Closed({
  id: Type.String(),
  action: StringEnum(APPROVAL_ACTIONS),
  accountId: Type.String(),
  subject: Type.String({ description: 'The closure or hold id' }),
  note: Type.String(),
  requestedBy: Type.String(),
  requestedAt: Instant(),
  status: StringEnum(['pending', 'approved', 'declined'] as const),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedAt: NullableInstant(),
});

export const Hold = Closed({
  holdId: Type.String(),
  accountId: Type.String(),
  kind: StringEnum(HOLD_KINDS),
  placedAt: Instant(),
});

export const ApiKeyInfo = Closed({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(StringEnum(API_SCOPES)),
  createdAt: Instant(),
  revokedAt: NullableInstant(),
});

export const RoleList = Type.Array(StringEnum(AGENT_ROLES));

export const Reason = (description: string) =>
  Type.String({ minLength: 1, maxLength: 1000, description });

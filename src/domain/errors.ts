import type { ClosureRefusalCode, ClosureState } from './closure.js';
import type { ConsentName } from './consent.js';

/**
 * The catalogue of every error a user of offboard can meet. Codes are a public contract:
 * never rename one. Each adapter maps codes to its own signal (CLI exit codes, HTTP
 * statuses) in one table of its own; the domain knows neither.
 */
export const ERROR_CATALOGUE = {
  OFFBOARD_ERR_USAGE: 'The command line is malformed: an unknown option, a missing argument.',
  OFFBOARD_ERR_BAD_DATABASE_URL:
    'The database URL has an unknown form. Use sqlite:PATH, sqlite::memory:, postgres://... or postgresql://...',
  OFFBOARD_ERR_DATABASE_UNREACHABLE:
    'The database server did not answer. Check the URL and that the server runs.',
  OFFBOARD_ERR_INVALID_ARGUMENT:
    'An argument has the wrong form (a count that is not a positive integer, ...).',
  OFFBOARD_ERR_INVALID_AMOUNT:
    'An amount is not an exact decimal within the asset’s decimals (10.255 for a 2-decimal asset is refused, never rounded).',
  OFFBOARD_ERR_UNKNOWN_ACCOUNT: 'No account has this id.',
  OFFBOARD_ERR_UNKNOWN_ASSET: 'No asset has this code.',
  OFFBOARD_ERR_DUPLICATE: 'A record with this id exists already.',
  OFFBOARD_ERR_INSUFFICIENT_FUNDS:
    'The available balance does not cover the amount, and the asset may not go negative.',
  OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE:
    'The account is frozen, disabled or closed, so this operation is not allowed on it.',
  OFFBOARD_ERR_INVALID_STATE:
    'The record is not in a state that allows this operation (an order already filled, ...).',
  OFFBOARD_ERR_NOT_FOUND: 'The record this operation names does not exist.',
  OFFBOARD_ERR_INVALID_POLICY:
    'The policy file is invalid; each error names the file, the line and the path.',
  OFFBOARD_ERR_NOT_ELIGIBLE:
    'The account has blockers only the holder or support can clear; the verdict lists each with its fix.',
  OFFBOARD_ERR_CONSENT_REQUIRED:
    'Closure would take automatic actions (sweep dust, cancel orders, revoke apps) the holder has not consented to.',
  OFFBOARD_ERR_CLOSURE_IN_PROGRESS: 'The account already has a closure in progress.',
  OFFBOARD_ERR_NO_CLOSURE: 'The account has no closure in a state that allows this.',
  OFFBOARD_ERR_BAD_CODE: 'The confirmation code is wrong or expired.',
  OFFBOARD_ERR_TOO_MANY_ATTEMPTS: 'Too many wrong confirmation codes: request the closure again.',
  OFFBOARD_ERR_CLOSURE_REFUSED:
    'The closure cannot take this step now (finalization has started, or it has ended).',
  OFFBOARD_ERR_TOO_EARLY:
    'The account cannot be enabled yet: the policy requires a minimum time after disabling.',
  OFFBOARD_ERR_REVERIFICATION_REQUIRED: 'Enabling an account needs the holder re-verified first.',
  OFFBOARD_ERR_INVALID_LINK: 'The disable link is malformed, forged, expired or already used.',
  OFFBOARD_ERR_INTERNAL:
    'An unexpected failure. It is logged; retry, and report it if it persists.',
  OFFBOARD_ERR_UNAUTHENTICATED:
    'The request carries no valid credentials: send `Authorization: Bearer` with an API key, a holder token or an agent token that has not expired.',
  OFFBOARD_ERR_FORBIDDEN:
    'The credentials are valid but lack the scope or role this operation requires.',
  OFFBOARD_ERR_FOUR_EYES:
    'A second agent must approve: the agent who asked for an override cannot approve it.',
  OFFBOARD_ERR_PROPOSAL_CHANGED:
    'The override changed after the approving agent read it (its proposal hash no longer matches): read it again before approving.',
  OFFBOARD_ERR_INVALID_REQUEST:
    'The HTTP request is malformed (bad JSON, not UTF-8, a wrong type, an unknown or missing field); the message names what is wrong.',
  OFFBOARD_ERR_BODY_TOO_LARGE: 'The request body is larger than the service accepts.',
  OFFBOARD_ERR_URI_TOO_LONG: 'A path segment of the URL is longer than any route takes.',
  OFFBOARD_ERR_HEADERS_TOO_LARGE:
    'The request line and headers together are larger than the service accepts.',
  OFFBOARD_ERR_REQUEST_TIMEOUT: 'The request did not arrive whole in time.',
  OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE:
    'The request body is not JSON: send `Content-Type: application/json`.',
  OFFBOARD_ERR_UNKNOWN_ROUTE: 'No HTTP route has this method and path; /docs lists them.',
  OFFBOARD_ERR_RATE_LIMITED:
    'Too many attempts in a short time: wait the seconds `Retry-After` names, then try again.',
  OFFBOARD_ERR_IDEMPOTENCY_KEY_REUSED:
    'This Idempotency-Key was used before for a different request: use a new key for a new request.',
  OFFBOARD_ERR_IDEMPOTENCY_IN_PROGRESS:
    'A request with this Idempotency-Key is still being processed: retry in a moment.',
  OFFBOARD_ERR_NOT_READY:
    'The service is not ready: its database is unreachable or its schema is not migrated.',
  OFFBOARD_ERR_OUT_DIR_NOT_EMPTY:
    'The export folder has files in it already: name an empty or new folder, or replace an earlier export.',
  OFFBOARD_ERR_SIGNING_KEY:
    'The statement signing key (OFFBOARD_SIGNING_KEY) or a public key is missing, unreadable or not Ed25519.',
  OFFBOARD_ERR_AGENT_KEY:
    'The agent keys (OFFBOARD_AGENT_JWKS or OFFBOARD_AGENT_PUBLIC_KEY) are unreadable, not public Ed25519/P-256 keys, or an insecure URL; or an agent token was asked of offboard while an identity provider issues them.',
  OFFBOARD_ERR_ACCOUNT_CLOSED:
    'The account is closed: its holder token may still read its status and download statements, nothing else.',
  OFFBOARD_ERR_PORT_IN_USE:
    'Another process listens on the port the service was asked to use: choose another port.',
  OFFBOARD_ERR_PLATFORM_UNSIGNED:
    'A request to the platform contract carries no offboard-timestamp or offboard-signature header: sign every request.',
  OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE:
    'A request to the platform contract is signed with the wrong secret, or was changed after it was signed.',
  OFFBOARD_ERR_PLATFORM_STALE_REQUEST:
    'A request to the platform contract is signed with a timestamp more than 5 minutes from the platform clock: check both clocks.',
  OFFBOARD_ERR_PLATFORM_KEY_REUSED:
    'This Idempotency-Key was used before with another method, path or body: use a new key for a new request.',
  OFFBOARD_ERR_PLATFORM_KEY_MISSING:
    'A write to the platform contract carries no Idempotency-Key header (1 to 200 visible ASCII characters).',
  OFFBOARD_ERR_PLATFORM_UNAVAILABLE:
    'The platform (OFFBOARD_PLATFORM_URL) did not answer, timed out or failed after every retry; the message names the call. Closures wait and are retried.',
  OFFBOARD_ERR_UNSAFE_REPLY:
    'An agent’s reply asks for something support must never ask for (a password, seed phrase, one-time code, remote access, installing software, moving funds); the message names the rule. Reword it.',
  OFFBOARD_ERR_BAD_CHECKPOINT:
    'The audit checkpoint file is unreadable or is not an offboard audit checkpoint (the signed JSON a published checkpoint is).',
  OFFBOARD_ERR_INVALID_KEK:
    'The key-encryption key (OFFBOARD_KEK or OFFBOARD_KEK_FILE) is unreadable, not 32 bytes, or not the one that wrapped the stored data keys.',
  OFFBOARD_ERR_RETENTION_UNCONFIGURED:
    'The policy sets no retention period for the account’s jurisdiction: set retention.<CC> in the policy file; offboard never erases on a guessed period.',
  OFFBOARD_ERR_INVALID_CERTIFICATE:
    'The erasure certificate is unreadable, was altered after it was signed, or is signed by a key other than the one given.',
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * The message templates of the errors use cases raise with parameters (`raise(code,
 * params)`): the words every audience shares, and nothing of an interface. What to run or
 * what to send next is the interface's to say: the CLI and the HTTP service each keep a
 * table of hints per code that read the same parameters (`src/adapters/cli/error-hints.ts`,
 * `src/adapters/http/error-hints.ts`). A code whose use cases meet it in several
 * situations names the situation in its parameters.
 */
export const ERROR_TEMPLATES = {
  OFFBOARD_ERR_PLATFORM_UNAVAILABLE: (p: { call: string; attempts: number; cause: string }) =>
    `the platform call ${p.call} failed after ${p.attempts} attempt${p.attempts === 1 ? '' : 's'}: ${p.cause}`,
  OFFBOARD_ERR_UNKNOWN_ACCOUNT: (p: { accountId: string }) => `no account "${p.accountId}"`,
  OFFBOARD_ERR_INVALID_KEK: (p: { source: string; problem: string }) =>
    `${p.source} is not a usable key-encryption key: ${p.problem}`,
  OFFBOARD_ERR_RETENTION_UNCONFIGURED: (p: { accountId: string; jurisdiction: string }) =>
    `the policy sets no retention period for ${p.jurisdiction}, the jurisdiction of ${p.accountId}; nothing was erased`,
  OFFBOARD_ERR_INVALID_CERTIFICATE: (p: { file: string; problem: string }) =>
    `${p.file} is not a valid erasure certificate: ${p.problem}`,
  OFFBOARD_ERR_INVALID_ARGUMENT: (
    p:
      | { problem: 'unknown_scope'; got: string; allowed: readonly string[] }
      | { problem: 'no_scope'; allowed: readonly string[] }
      | { problem: 'unknown_format'; got: readonly string[]; allowed: readonly string[] }
      | { problem: 'invalid_instant'; name: 'from' | 'to' }
      | { problem: 'empty_period'; from: Date; to: Date }
      | { problem: 'cannot_create_folder'; dir: string; cause: string }
      | {
          problem: 'not_a_blocker';
          accountId: string;
          blockerCode: string;
          blockers: readonly string[];
        }
      | { problem: 'empty_message' }
      | { problem: 'message_too_long'; max: number; got: number }
      | { problem: 'bad_journal_line'; file: string; line: number },
  ) => {
    switch (p.problem) {
      case 'unknown_scope':
        return `a scope is one of ${p.allowed.join(', ')}; got "${p.got}"`;
      case 'no_scope':
        return `an API key needs at least one scope of ${p.allowed.join(', ')}`;
      case 'unknown_format':
        return `formats are ${p.allowed.join(', ')} or all; got "${p.got.join(',')}"`;
      case 'invalid_instant':
        return `${p.name} is not a valid instant`;
      case 'empty_period':
        return `the period is empty: from ${p.from.toISOString()} is not before to ${p.to.toISOString()}`;
      case 'cannot_create_folder':
        return `cannot create the folder ${p.dir}: ${p.cause}`;
      case 'not_a_blocker':
        return p.blockers.length === 0
          ? `account "${p.accountId}" has no blocker "${p.blockerCode}": nothing stands in the way of closing it`
          : `account "${p.accountId}" has no blocker "${p.blockerCode}"; its blockers are ${p.blockers.join(', ')}`;
      case 'empty_message':
        return 'the message is empty';
      case 'message_too_long':
        return `a message holds at most ${p.max} characters; this one has ${p.got}`;
      case 'bad_journal_line':
        return `${p.file}:${p.line} is not an erasure journal line ({"accountId","erasedAt","classes"})`;
    }
  },
  // The one internal failure a use case expects (every other is unexpected, and unnamed).
  OFFBOARD_ERR_INTERNAL: (_p: { problem: 'history_changed' }) =>
    'the history changed while it was exported; export again',
  OFFBOARD_ERR_NOT_FOUND: (
    p:
      | { record: 'api_key' | 'approval' | 'ticket'; id: string }
      | { record: 'erasure' | 'certificate' | 'journal'; id: string }
      | { record: 'hold'; id: string; accountId: string },
  ) => {
    switch (p.record) {
      case 'ticket':
        return `no ticket "${p.id}"`;
      case 'api_key':
        return `no active API key "${p.id}"`;
      case 'erasure':
        return `no erasure is scheduled for "${p.id}" (it is scheduled when the account closes)`;
      case 'certificate':
        return `no erasure certificate "${p.id}"`;
      case 'journal':
        return `no erasure journal ${p.id}`;
      case 'approval':
        return `no approval "${p.id}"`;
      case 'hold':
        return `account "${p.accountId}" has no active hold "${p.id}"`;
    }
  },
  OFFBOARD_ERR_CONSENT_REQUIRED: (p: { accountId: string; consents: readonly ConsentName[] }) =>
    `closing needs the holder's consent to: ${p.consents.join(', ')}`,
  OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE: (p: {
    accountId: string;
    status: 'closed' | 'disabled';
    refused: 'close' | 'disable' | 'holder_token';
  }) => {
    if (p.refused === 'holder_token') {
      return p.status === 'closed'
        ? `account "${p.accountId}" is closed: no new holder tokens; tokens issued before closure still read its status and statements`
        : `account "${p.accountId}" is disabled: no holder tokens until it is enabled again`;
    }
    if (p.refused === 'close')
      return `account "${p.accountId}" is ${p.status} already; there is nothing to close`;
    return `account "${p.accountId}" is ${p.status}; there is nothing to disable`;
  },
  OFFBOARD_ERR_NO_CLOSURE: (p: { accountId: string; awaiting?: 'confirmation' }) =>
    p.awaiting === 'confirmation'
      ? `account "${p.accountId}" has no closure waiting for confirmation`
      : `account "${p.accountId}" has no closure in progress`,
  OFFBOARD_ERR_TOO_MANY_ATTEMPTS: (p: { accountId: string; attempts: number }) =>
    `${p.attempts} wrong codes: cancel and request the closure again`,
  OFFBOARD_ERR_TOO_EARLY: (p: { accountId: string; enableFrom: Date }) =>
    `account "${p.accountId}" can be enabled from ${p.enableFrom.toISOString()}`,
  OFFBOARD_ERR_INVALID_LINK: (p: {
    problem: 'malformed' | 'bad_signature' | 'expired' | 'used' | 'unknown';
  }) => `this disable link is not valid (${p.problem.replace('_', ' ')})`,
  OFFBOARD_ERR_CLOSURE_IN_PROGRESS: (
    p: { accountId: string } | { accountId: string; closureId: string; state: string },
  ) =>
    'closureId' in p
      ? `account "${p.accountId}" already has closure ${p.closureId} (${p.state})`
      : `account "${p.accountId}" already has a closure in progress`,
  OFFBOARD_ERR_CLOSURE_REFUSED: (
    p:
      | { accountId: string; reason: 'changed_meanwhile' }
      // The state machine's own refusal, in its words (`transition()` says why).
      | { accountId: string; reason: ClosureRefusalCode; refusal: string }
      | { accountId: string; reason: 'not_escalated'; state: ClosureState }
      | { accountId: string; reason: 'approval_outdated'; approvalId: string },
  ) => {
    switch (p.reason) {
      case 'changed_meanwhile':
        return 'the closure changed meanwhile (the worker may have started finalizing)';
      case 'not_escalated':
        return `the closure is ${p.state}; only an escalated closure waits for approval`;
      case 'approval_outdated':
        return `the closure approval ${p.approvalId} was for has ended; decline it and ask again for the new one`;
      case 'not_allowed':
      case 'not_due':
      case 'already_ended':
        return p.refusal;
    }
  },
  // "3 blockers; 1 needs the holder or support", "1 blocker; it needs the holder or support".
  OFFBOARD_ERR_NOT_ELIGIBLE: (p: {
    accountId: string;
    blockers: number;
    needHolderOrSupport: number;
  }) => {
    const all = `${p.blockers} blocker${p.blockers === 1 ? '' : 's'}`;
    const hard = p.needHolderOrSupport;
    const who =
      hard === p.blockers
        ? `${p.blockers === 1 ? 'it needs' : 'all need'} the holder or support`
        : `${hard} need${hard === 1 ? 's' : ''} the holder or support`;
    return `account "${p.accountId}" cannot be closed yet: ${all}; ${who}`;
  },
  OFFBOARD_ERR_INVALID_STATE: (
    p:
      | { reason: 'not_disabled'; accountId: string }
      | {
          reason: 'approval_decided';
          approvalId: string;
          status: 'approved' | 'declined';
          by: string | null;
        }
      | { reason: 'approval_decided_meanwhile'; approvalId: string }
      | {
          reason: 'ticket_closed' | 'not_resolved' | 'already_resolved';
          ticketId: string;
          refusal: string;
        }
      | { reason: 'ticket_changed_meanwhile'; ticketId: string },
  ) => {
    switch (p.reason) {
      case 'ticket_closed':
      case 'not_resolved':
      case 'already_resolved':
        return p.refusal;
      case 'ticket_changed_meanwhile':
        return `ticket ${p.ticketId} changed meanwhile; read it again`;
      case 'not_disabled':
        return `account "${p.accountId}" is not disabled`;
      case 'approval_decided':
        return `approval ${p.approvalId} was already ${p.status} by ${p.by ?? 'an agent'}`;
      case 'approval_decided_meanwhile':
        return `approval ${p.approvalId} was decided meanwhile`;
    }
  },
  OFFBOARD_ERR_DUPLICATE: (p: { record: 'approval'; id: string; action: string }) =>
    `approval ${p.id} for this ${p.action} is already waiting for a second agent`,
  OFFBOARD_ERR_UNSAFE_REPLY: (p: { rule: string; reason: string }) =>
    `the reply was not sent: ${p.reason} (rule ${p.rule})`,
  OFFBOARD_ERR_FOUR_EYES: (p: { agentId: string; action: string }) =>
    `${p.agentId} asked for this ${p.action}; a different agent must approve it`,
  OFFBOARD_ERR_PROPOSAL_CHANGED: (p: { approvalId: string; action: string }) =>
    `the ${p.action} of approval ${p.approvalId} changed since you read it; read it again before approving`,
  // The account names where to read the latest code; the words are the same for every account.
  OFFBOARD_ERR_BAD_CODE: (_p: { accountId: string }) => 'the code is wrong or expired',
  OFFBOARD_ERR_REVERIFICATION_REQUIRED: (p: { accountId: string }) =>
    `account "${p.accountId}" needs its holder re-verified before it is enabled`,
  OFFBOARD_ERR_OUT_DIR_NOT_EMPTY: (p: { dir: string; files: readonly string[] }) =>
    `${p.dir} is not empty (${p.files.slice(0, 5).join(', ')}${p.files.length > 5 ? `, and ${p.files.length - 5} more` : ''})`,
  OFFBOARD_ERR_SIGNING_KEY: (_p: { missing: 'public_key' }) =>
    "no key to check the signature with: name the platform's public key, or set OFFBOARD_SIGNING_KEY",
} satisfies Partial<Record<ErrorCode, (params: never) => string>>;

/** The codes use cases raise with parameters. */
export type TemplatedCode = keyof typeof ERROR_TEMPLATES;

/** The parameters `code` is raised with. */
export type ErrorParams<C extends TemplatedCode> = Parameters<(typeof ERROR_TEMPLATES)[C]>[0];

/**
 * Per code, the words one interface adds to a message (what to run, what to send next).
 * An adapter may raise a code with a message of its own and no parameters, so a hint gets
 * what parameters there are, and says nothing (undefined) when it lacks one it needs.
 */
export type ErrorHints = {
  readonly [C in TemplatedCode]?: (params: Partial<ErrorParams<C>>) => string | undefined;
};

/** An expected failure with a stable code and a message that says what to do. */
export class OffboardError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];
  /** A value the caller may show whole (a verdict with every blocker, for a refused closure). */
  readonly data: unknown;
  /** What the error was raised with (`raise`); undefined for an adapter's own message. */
  readonly params: object | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: readonly string[] = [],
    data: unknown = undefined,
    params: object | undefined = undefined,
  ) {
    super(message);
    this.name = 'OffboardError';
    this.code = code;
    this.details = details;
    this.data = data;
    this.params = params;
  }

  /** The same error with an interface's words after the message (`...; pass --consent sweep-dust`). */
  withHint(hint: string | undefined): OffboardError {
    if (hint === undefined || hint === '') return this;
    return new OffboardError(
      this.code,
      `${this.message}; ${hint}`,
      this.details,
      this.data,
      this.params,
    );
  }
}

/** An error with the catalogue's message for `code`, filled from `params`, which it keeps for the interfaces. */
export function raise<C extends TemplatedCode>(
  code: C,
  params: ErrorParams<C>,
  extra: { details?: readonly string[]; data?: unknown } = {},
): OffboardError {
  const template = ERROR_TEMPLATES[code] as (params: ErrorParams<C>) => string;
  return new OffboardError(code, template(params), extra.details, extra.data, params);
}

/**
 * The hint `hints` has for `error`, given its parameters. Parameters come from `raise`,
 * which takes them typed by the same code, so the table's function for the code gets the
 * type it declares (or none, for an adapter's own message).
 */
export function hintFor(hints: ErrorHints, error: OffboardError): string | undefined {
  if (!Object.hasOwn(hints, error.code)) return undefined;
  const hint = hints[error.code as TemplatedCode] as (params: object) => string | undefined;
  return hint(error.params ?? {});
}

export function isOffboardError(error: unknown): error is OffboardError {
  return error instanceof OffboardError;
}

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hintFor, isOffboardError, OffboardError } from '../../domain/errors.js';
import type { ErrorCode } from '../../domain/errors.js';
import { HTTP_HINTS } from './error-hints.js';
import { applySecurityHeaders, securityHeaders } from './security-headers.js';

/**
 * The HTTP service's one table from error code to status. 4xx: the caller can do
 * something about it (the message says what); 5xx: the service failed. docs/api.md
 * explains the choices; a test checks every code has a status.
 */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  OFFBOARD_ERR_USAGE: 400,
  OFFBOARD_ERR_BAD_DATABASE_URL: 500,
  OFFBOARD_ERR_DATABASE_UNREACHABLE: 503,
  OFFBOARD_ERR_INVALID_ARGUMENT: 400,
  OFFBOARD_ERR_INVALID_AMOUNT: 400,
  OFFBOARD_ERR_UNKNOWN_ACCOUNT: 404,
  OFFBOARD_ERR_UNKNOWN_ASSET: 404,
  OFFBOARD_ERR_DUPLICATE: 409,
  OFFBOARD_ERR_INSUFFICIENT_FUNDS: 409,
  OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE: 409,
  OFFBOARD_ERR_INVALID_STATE: 409,
  OFFBOARD_ERR_NOT_FOUND: 404,
  OFFBOARD_ERR_INVALID_POLICY: 500,
  // Well-formed but refused by the account's state: the verdict in `data` says why.
  OFFBOARD_ERR_NOT_ELIGIBLE: 409,
  // The same request with the consent named in the message would be accepted.
  OFFBOARD_ERR_CONSENT_REQUIRED: 422,
  OFFBOARD_ERR_CLOSURE_IN_PROGRESS: 409,
  OFFBOARD_ERR_NO_CLOSURE: 409,
  OFFBOARD_ERR_BAD_CODE: 422,
  // Not 429: waiting does not help, a new request does.
  OFFBOARD_ERR_TOO_MANY_ATTEMPTS: 409,
  OFFBOARD_ERR_CLOSURE_REFUSED: 409,
  OFFBOARD_ERR_TOO_EARLY: 409,
  OFFBOARD_ERR_REVERIFICATION_REQUIRED: 422,
  OFFBOARD_ERR_INVALID_LINK: 400,
  OFFBOARD_ERR_INTERNAL: 500,
  OFFBOARD_ERR_UNAUTHENTICATED: 401,
  OFFBOARD_ERR_FORBIDDEN: 403,
  OFFBOARD_ERR_FOUR_EYES: 403,
  // Well-formed, but the words must change before support may send them.
  OFFBOARD_ERR_UNSAFE_REPLY: 422,
  OFFBOARD_ERR_PROPOSAL_CHANGED: 409,
  OFFBOARD_ERR_INVALID_REQUEST: 400,
  OFFBOARD_ERR_BODY_TOO_LARGE: 413,
  OFFBOARD_ERR_URI_TOO_LONG: 414,
  OFFBOARD_ERR_HEADERS_TOO_LARGE: 431,
  OFFBOARD_ERR_REQUEST_TIMEOUT: 408,
  OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  OFFBOARD_ERR_UNKNOWN_ROUTE: 404,
  OFFBOARD_ERR_RATE_LIMITED: 429,
  OFFBOARD_ERR_IDEMPOTENCY_KEY_REUSED: 422,
  OFFBOARD_ERR_IDEMPOTENCY_IN_PROGRESS: 409,
  OFFBOARD_ERR_NOT_READY: 503,
  // The CLI's export folder: no HTTP route writes to a folder, so this is never a client's doing.
  OFFBOARD_ERR_OUT_DIR_NOT_EMPTY: 409,
  // The service's signing key is missing or wrong: the operator must fix it.
  OFFBOARD_ERR_SIGNING_KEY: 500,
  // The agent keys are misconfigured: the operator must fix them.
  OFFBOARD_ERR_AGENT_KEY: 500,
  // Valid credentials, but a closed account's token only reads status and statements.
  OFFBOARD_ERR_ACCOUNT_CLOSED: 403,
  // Only `offboard serve` and `demo` meet it, before any request.
  OFFBOARD_ERR_PORT_IN_USE: 500,
  // The platform contract's own refusals (the sandbox platform server answers them).
  OFFBOARD_ERR_PLATFORM_UNSIGNED: 401,
  OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE: 401,
  OFFBOARD_ERR_PLATFORM_STALE_REQUEST: 401,
  OFFBOARD_ERR_PLATFORM_KEY_REUSED: 409,
  OFFBOARD_ERR_PLATFORM_KEY_MISSING: 400,
  OFFBOARD_ERR_PLATFORM_UNAVAILABLE: 503,
  // Only `offboard audit verify --checkpoint FILE` reads a checkpoint file.
  OFFBOARD_ERR_BAD_CHECKPOINT: 400,
  // The operator must fix the configuration; nothing the caller sent is wrong.
  OFFBOARD_ERR_INVALID_KEK: 500,
  OFFBOARD_ERR_RETENTION_UNCONFIGURED: 409,
  OFFBOARD_ERR_INVALID_CERTIFICATE: 400,
};

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details?: readonly string[];
    data?: unknown;
    requestId?: string;
  };
}

/** The longest path parameter the router takes (a disable-link token is the longest real one). */
export const MAX_PARAM_LENGTH = 500;

/** Fastify's own failures (body parsing, validation) in offboard's terms. */
function fromFastify(error: FastifyError): OffboardError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OffboardError('OFFBOARD_ERR_BODY_TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new OffboardError(
        'OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE',
        'the body must be JSON: send Content-Type: application/json',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new OffboardError(
        'OFFBOARD_ERR_INVALID_REQUEST',
        'the body is empty but Content-Type says JSON: send a JSON object, or no Content-Type',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new OffboardError('OFFBOARD_ERR_INVALID_REQUEST', 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new OffboardError(
        'OFFBOARD_ERR_INVALID_REQUEST',
        'the Content-Length does not match the body',
      );
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new OffboardError(
        'OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE',
        'the Content-Type header is malformed: send Content-Type: application/json',
      );
    case 'FST_ERR_BAD_URL':
      return new OffboardError(
        'OFFBOARD_ERR_INVALID_REQUEST',
        'the URL is malformed: a % must start a valid percent-encoded UTF-8 sequence (%2F, %C3%A9)',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new OffboardError(
        'OFFBOARD_ERR_URI_TOO_LONG',
        `a path segment is longer than the ${MAX_PARAM_LENGTH} characters any route takes`,
      );
    default:
      break;
  }
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    // TypeBox reports an unknown field twice: as the field's "schema is false" and as the
    // object's additionalProperties. Say it once, naming the field.
    const issues = error.validation.filter((v) => v.keyword !== 'boolean');
    const describe = (v: (typeof issues)[number]) => {
      const path = `${where}${v.instancePath}`;
      const unknown =
        v.keyword === 'additionalProperties'
          ? (v.params as { additionalProperties?: unknown }).additionalProperties
          : undefined;
      if (Array.isArray(unknown))
        return `${path} has unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((f) => `"${String(f)}"`).join(', ')}`;
      return `${path} ${v.message ?? 'is invalid'}`;
    };
    const [first, ...rest] = issues.length > 0 ? issues : error.validation;
    return new OffboardError(
      'OFFBOARD_ERR_INVALID_REQUEST',
      first ? describe(first) : `${where} is invalid`,
      rest.slice(0, 4).map(describe),
    );
  }
  // Other client errors Fastify detects (a bad URL encoding, ...): say so, nothing more.
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new OffboardError(
      'OFFBOARD_ERR_INVALID_REQUEST',
      `the request is malformed (${error.message.replace(/[\r\n]+/g, ' ').slice(0, 200)})`,
    );
  }
  return null;
}

/** Turns anything thrown into the error body and status; unexpected failures say nothing of their insides. */
export function toErrorResponse(
  error: unknown,
  requestId: string,
): { status: number; body: ErrorBody; unexpected: boolean } {
  let known: OffboardError | null = isOffboardError(error) ? error : null;
  if (!known && error instanceof Error && 'code' in error)
    known = fromFastify(error as FastifyError);
  if (
    !known &&
    error instanceof Error &&
    /UNIQUE constraint failed|duplicate key value/i.test(error.message)
  ) {
    known = new OffboardError(
      'OFFBOARD_ERR_DUPLICATE',
      'a concurrent request created this record first; read it, or retry',
    );
  }
  if (!known) {
    return {
      status: 500,
      body: {
        error: {
          code: 'OFFBOARD_ERR_INTERNAL',
          message: `an unexpected failure; it is logged as request ${requestId}. Retry, and report it if it persists`,
          requestId,
        },
      },
      unexpected: true,
    };
  }
  const status = HTTP_STATUS[known.code];
  if (status >= 500) {
    // A 5xx message may carry a driver's words (SQL, hosts): keep them in the log.
    return {
      status,
      body: {
        error: {
          code: known.code,
          message: `${genericMessage(known.code)} (request ${requestId})`,
          requestId,
        },
      },
      unexpected: true,
    };
  }
  // The use case's words, and what to send next said in HTTP terms.
  const message = known.withHint(hintFor(HTTP_HINTS, known)).message;
  const body: ErrorBody = { error: { code: known.code, message } };
  if (known.details.length > 0) body.error.details = known.details;
  if (known.data !== undefined) body.error.data = known.data;
  return { status, body, unexpected: false };
}

function genericMessage(code: ErrorCode): string {
  if (code === 'OFFBOARD_ERR_DATABASE_UNREACHABLE')
    return 'the database is unreachable; retry shortly';
  if (code === 'OFFBOARD_ERR_PLATFORM_UNAVAILABLE')
    return 'the platform is unavailable; retry shortly';
  if (code === 'OFFBOARD_ERR_NOT_READY') return 'the service is not ready; retry shortly';
  return 'an unexpected failure; it is logged. Retry, and report it if it persists';
}

const replacer = (_key: string, value: unknown) =>
  typeof value === 'bigint' ? value.toString() : value;

export async function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): Promise<FastifyReply> {
  const { status, body, unexpected } = toErrorResponse(error, request.id);
  if (unexpected) request.log.error({ err: error }, 'request failed');
  if (
    status === 429 &&
    isOffboardError(error) &&
    typeof (error.data as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ===
      'number'
  ) {
    void reply.header(
      'retry-after',
      String((error.data as { retryAfterSeconds: number }).retryAfterSeconds),
    );
  }
  // Also for the errors Fastify answers before any hook has run (frameworkErrors).
  applySecurityHeaders(reply, request.url);
  return reply
    .status(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(body, replacer));
}

/** What Node's HTTP parser refuses, in offboard's terms (it never reaches Fastify). */
function fromParser(code: string | undefined): OffboardError {
  if (code === 'HPE_HEADER_OVERFLOW')
    return new OffboardError(
      'OFFBOARD_ERR_HEADERS_TOO_LARGE',
      'the request line and headers are larger than the service accepts (16 KiB)',
    );
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new OffboardError(
      'OFFBOARD_ERR_REQUEST_TIMEOUT',
      'the request did not arrive in time (a Content-Length larger than the body sent?)',
    );
  if (code === 'HPE_INVALID_CONTENT_LENGTH' || code === 'HPE_UNEXPECTED_CONTENT_LENGTH')
    return new OffboardError(
      'OFFBOARD_ERR_INVALID_REQUEST',
      'the Content-Length header is malformed: send one decimal byte count',
    );
  return new OffboardError('OFFBOARD_ERR_INVALID_REQUEST', 'the request is not valid HTTP/1.1');
}

/**
 * Fastify's `clientErrorHandler`: bytes Node's parser refused. There is no request to
 * reply to, so the answer is written to the socket by hand, in the same shape and with
 * the same headers as every other, and the connection is closed (its framing is lost).
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = fromParser(error.code);
  const status = HTTP_STATUS[known.code];
  const body = JSON.stringify({ error: { code: known.code, message: known.message } });
  const headers = {
    ...securityHeaders('/'),
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  if (socket.writable) {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('')}\r\n${body}`,
    );
  }
  socket.destroy();
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ErrorCode } from '../../domain/errors.js';

/*
 * Request signing of the platform contract, shared by the side that signs (offboard's
 * HTTP platform client) and the side that checks (the sandbox platform server, and any
 * platform that copies docs/platform-contract.md). One canonical string, so both sides
 * can never disagree on what was signed:
 *
 *   METHOD \n PATH-WITH-QUERY \n TIMESTAMP \n IDEMPOTENCY-KEY \n BODY
 *
 * TIMESTAMP is whole seconds since the epoch; IDEMPOTENCY-KEY is empty on reads; BODY is
 * the exact bytes sent (empty when there is none). The signature is `v1=` and the
 * lowercase hex HMAC-SHA256 of that string under the shared secret.
 */

export const TIMESTAMP_HEADER = 'offboard-timestamp';
export const SIGNATURE_HEADER = 'offboard-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** A signed request older or newer than this (by the platform's clock) is refused. */
export const REPLAY_WINDOW_SECONDS = 300;

export interface SignedParts {
  method: string;
  /** The path with its query string, exactly as on the request line. */
  path: string;
  /** Whole seconds since the epoch, as sent in `offboard-timestamp`. */
  timestamp: string;
  idempotencyKey: string | null;
  body: string;
}

/** The string both sides sign. */
export function canonicalRequest(parts: SignedParts): string {
  return [
    parts.method.toUpperCase(),
    parts.path,
    parts.timestamp,
    parts.idempotencyKey ?? '',
    parts.body,
  ].join('\n');
}

/** The `offboard-signature` value of a request. */
export function signRequest(secret: string, parts: SignedParts): string {
  return `v1=${createHmac('sha256', secret).update(canonicalRequest(parts), 'utf8').digest('hex')}`;
}

/** The headers that sign a request sent at `now`. */
export function signatureHeaders(
  secret: string,
  request: Omit<SignedParts, 'timestamp'>,
  now: Date,
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signRequest(secret, { ...request, timestamp }),
  };
}

export type Verification = { ok: true } | { ok: false; code: ErrorCode; message: string };

/**
 * Checks a received request: both headers present, the timestamp within the replay
 * window of `now`, the signature equal (compared in constant time).
 */
export function verifyRequest(
  secret: string,
  request: Omit<SignedParts, 'timestamp'> & {
    timestamp: string | undefined;
    signature: string | undefined;
  },
  now: Date,
): Verification {
  const { timestamp, signature } = request;
  if (!timestamp || !signature)
    return {
      ok: false,
      code: 'OFFBOARD_ERR_PLATFORM_UNSIGNED',
      message: `send the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers`,
    };
  if (!/^\d{1,15}$/.test(timestamp))
    return {
      ok: false,
      code: 'OFFBOARD_ERR_PLATFORM_UNSIGNED',
      message: `${TIMESTAMP_HEADER} must be whole seconds since the epoch`,
    };
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
  if (skew > REPLAY_WINDOW_SECONDS)
    return {
      ok: false,
      code: 'OFFBOARD_ERR_PLATFORM_STALE_REQUEST',
      message: `the request was signed ${skew} s from the platform's clock; at most ${REPLAY_WINDOW_SECONDS} s are accepted`,
    };
  const expected = Buffer.from(signRequest(secret, { ...request, timestamp }), 'utf8');
  const got = Buffer.from(signature, 'utf8');
  if (expected.length !== got.length || !timingSafeEqual(expected, got))
    return {
      ok: false,
      code: 'OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE',
      message: `${SIGNATURE_HEADER} does not match the request`,
    };
  return { ok: true };
}

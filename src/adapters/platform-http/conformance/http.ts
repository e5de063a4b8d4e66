import http from 'node:http';
import https from 'node:https';
import { PREFIX } from '../contract.js';
import { IDEMPOTENCY_HEADER, signatureHeaders } from '../signing.js';

/*
 * The kit's raw HTTP caller. It does not go through offboard's platform client on purpose:
 * a conformance check must be able to send what a well-behaved client never would (no
 * signature, a wrong one, a stale timestamp, a reused key, a body other than the one
 * signed) and must see the exact status and bytes that came back, for the report.
 */

/** A request as it went on the wire (the path is relative to the contract's base path). */
export interface SentRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Exchange {
  request: SentRequest;
  /** What came back, or null when no answer arrived (`error` says why). */
  response: { status: number; body: string } | null;
  error: string | null;
}

export type Signing =
  | { kind: 'valid' }
  | { kind: 'none' }
  | { kind: 'secret'; secret: string }
  | { kind: 'at'; signedAt: Date }
  /** Signed over another body than the one sent. */
  | { kind: 'body'; signedBody: string };

export interface SendOptions {
  /** A value to send as JSON, or the exact text to send (`raw`). */
  body?: unknown;
  raw?: string;
  /** The Idempotency-Key; null sends none. */
  key?: string | null;
  signing?: Signing;
  /** Send through this origin instead of the platform's (the fault proxy). */
  via?: string;
}

/** Guards against a platform that never answers; a check's verdict never waits on it. */
const REQUEST_GUARD_MS = 30_000;

export class RawCaller {
  /** Every exchange of the current check, oldest first, for its report. */
  readonly log: Exchange[] = [];

  /**
   * @param origin the platform's URL without the contract's base path (`http://host:8090`),
   *   or with a base of its own before it (`https://api.example/wallet`).
   */
  constructor(
    private readonly origin: string,
    private readonly secret: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The path on the request line: the origin's own path, the contract's prefix, `path`. */
  fullPath(path: string): string {
    const base = new URL(this.origin).pathname.replace(/\/$/, '');
    return `${base}${PREFIX}${path}`;
  }

  async send(method: 'GET' | 'POST', path: string, options: SendOptions = {}): Promise<Exchange> {
    const body = options.raw ?? (options.body === undefined ? '' : JSON.stringify(options.body));
    const key = options.key ?? null;
    const headers: Record<string, string> = {};
    if (body !== '') headers['content-type'] = 'application/json';
    if (key !== null) headers[IDEMPOTENCY_HEADER] = key;
    const signing = options.signing ?? { kind: 'valid' };
    const requestPath = this.fullPath(path);
    if (signing.kind !== 'none') {
      const secret = signing.kind === 'secret' ? signing.secret : this.secret;
      const signedAt = signing.kind === 'at' ? signing.signedAt : this.clock();
      const signedBody = signing.kind === 'body' ? signing.signedBody : body;
      Object.assign(
        headers,
        signatureHeaders(
          secret,
          { method, path: requestPath, idempotencyKey: key, body: signedBody },
          signedAt,
        ),
      );
    }
    const exchange: Exchange = {
      request: { method, path: requestPath, headers, body },
      response: null,
      error: null,
    };
    this.log.push(exchange);
    try {
      exchange.response = await request(
        new URL(requestPath, options.via ?? this.origin),
        method,
        headers,
        body,
      );
    } catch (error) {
      exchange.error = describeNetworkError(error);
    }
    return exchange;
  }
}

function request(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = transport.request(
      url,
      {
        method,
        // A connection per request: a connection the fault proxy cut is never reused.
        agent: false,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: REQUEST_GUARD_MS,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        incoming.on('error', reject);
        incoming.on('aborted', () => reject(new Error('the connection closed mid-answer')));
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`no answer within ${REQUEST_GUARD_MS / 1000} s`)),
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A network failure in a few words: `ECONNREFUSED`, `socket hang up`, ... */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness } from './harness.js';
import type { Harness } from './harness.js';

// Requests that never reach a route: Fastify's router, its body parsers and Node's HTTP
// parser refuse them. They must still answer like every other error — the documented
// `{"error":{"code","message"}}` with a code from docs/errors.md — and carry the security
// headers docs/api.md promises for every answer.

type Headers = Record<string, string | string[] | number | undefined>;

function expectSecurityHeaders(headers: Headers): void {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['content-security-policy']).toContain("default-src 'none'");
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['strict-transport-security']).toContain('max-age=');
}

function expectErrorShape(body: string, code: string): void {
  const parsed = JSON.parse(body) as { error: Record<string, unknown> };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(parsed.error['code']).toBe(code);
  expect(typeof parsed.error['message']).toBe('string');
  expect(body).not.toMatch(/FST_ERR|statusCode|at .*\.(ts|js)/);
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes bytes to the server as they are (no client fixes them up) and reads the answer until the server closes. */
function rawRequest(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = received.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(bytes);
  });
}

describe('router-level errors [inject]', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('sqlite');
  });
  afterAll(async () => h.dispose());

  it('answers a bad percent-encoding with a code and the security headers', async () => {
    for (const path of ['/v1/disable-links/%E0%A4%A', '/v1/accounts/%zz/eligibility']) {
      const answer = await h.call('GET', path, { token: h.keys.read });
      expect(answer.status, `${path}: ${answer.body}`).toBe(400);
      expectErrorShape(answer.body, 'OFFBOARD_ERR_INVALID_REQUEST');
      expect(answer.json<{ error: { message: string } }>().error.message).toContain(
        'percent-encoded',
      );
      expectSecurityHeaders(answer.headers);
    }
  });

  it('answers an over-long path parameter with 414 and a code', async () => {
    const answer = await h.call('GET', `/v1/disable-links/${'a'.repeat(600)}`);
    expect(answer.status, answer.body).toBe(414);
    expectErrorShape(answer.body, 'OFFBOARD_ERR_URI_TOO_LONG');
    expectSecurityHeaders(answer.headers);
  });

  it('answers bad JSON, an unsupported or malformed content type with a code and the headers', async () => {
    const post = (raw: string, contentType: string) =>
      h.call('POST', '/v1/accounts/demo-clean/disable', {
        token: h.keys.write,
        raw,
        headers: { 'content-type': contentType },
      });
    const cases: [string, string, number, string][] = [
      ['{"reason":', 'application/json', 400, 'OFFBOARD_ERR_INVALID_REQUEST'],
      ['{"__proto__":{"x":1}}', 'application/json', 400, 'OFFBOARD_ERR_INVALID_REQUEST'],
      ['<reason/>', 'application/xml', 415, 'OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE'],
      ['{}', 'not a media type', 415, 'OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [raw, type, status, code] of cases) {
      const answer = await post(raw, type);
      expect(answer.status, `${type} ${raw}: ${answer.body}`).toBe(status);
      expectErrorShape(answer.body, code);
      expectSecurityHeaders(answer.headers);
    }
  });

  it('sets the headers on answers that end in a hook, not a handler', async () => {
    // Refused by the auth hook, before the handler.
    const answer = await h.call('GET', '/v1/me');
    expect(answer.status).toBe(401);
    expectSecurityHeaders(answer.headers);
  });
});

describe('router-level errors [raw HTTP on 127.0.0.1]', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await openHarness('sqlite', { transport: 'http' });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => h.dispose());

  const post = (extra: string, body = '{}') =>
    `POST /v1/accounts/demo-clean/disable HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}\r\n${body}`;

  it('answers a malformed Content-Length with a code and the security headers', async () => {
    for (const header of [
      'Content-Length: abc\r\n',
      'Content-Length: 2, 3\r\n',
      'Content-Length: -2\r\n',
      'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n',
    ]) {
      const answer = await rawRequest(port, post(header));
      expect(answer.status, `${header}: ${answer.body}`).toBe(400);
      expect(answer.headers['content-type']).toContain('application/json');
      expectErrorShape(answer.body, 'OFFBOARD_ERR_INVALID_REQUEST');
      expectSecurityHeaders(answer.headers);
    }
  });

  it('answers an over-long URL with 431 and a code', async () => {
    const answer = await rawRequest(
      port,
      `GET /v1/accounts/${'a'.repeat(20_000)}/eligibility HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    );
    expect(answer.status, answer.body).toBe(431);
    expectErrorShape(answer.body, 'OFFBOARD_ERR_HEADERS_TOO_LARGE');
    expectSecurityHeaders(answer.headers);
  });

  it('answers bytes that are not HTTP with a code', async () => {
    const answer = await rawRequest(port, 'HELLO\x00WORLD\r\n\r\n');
    expect(answer.status, answer.body).toBe(400);
    expectErrorShape(answer.body, 'OFFBOARD_ERR_INVALID_REQUEST');
    expectSecurityHeaders(answer.headers);
  });

  it('answers a bad percent-encoding over a real connection too', async () => {
    const answer = await rawRequest(
      port,
      'GET /v1/disable-links/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status, answer.body).toBe(400);
    expectErrorShape(answer.body, 'OFFBOARD_ERR_INVALID_REQUEST');
    expectSecurityHeaders(answer.headers);
  });
});

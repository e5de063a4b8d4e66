import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../src/adapters/platform-http/conformance/fault-proxy.js';
import { RawCaller } from '../../src/adapters/platform-http/conformance/http.js';

// The kit's loopback fault proxy in front of a tiny real server that counts what reaches
// it: each fault happens once, to the next request, and everything else passes unchanged.

describe('the fault proxy', () => {
  let server: http.Server;
  let origin: string;
  let proxy: FaultProxy;
  const received: string[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push(`${request.method} ${request.url} ${body}`);
        response
          .writeHead(201, { 'content-type': 'application/json', 'x-seen': String(received.length) })
          .end(JSON.stringify({ echo: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    proxy = await FaultProxy.start(origin);
  });
  afterAll(async () => {
    await proxy.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const caller = () => new RawCaller(origin, 'secret-for-the-proxy-test');
  const send = (body: unknown) =>
    caller().send('POST', '/x', { body, key: 'k', via: proxy.origin });

  it('passes requests and answers through unchanged when not armed', async () => {
    const exchange = await send({ n: 1 });
    expect(exchange.response).toEqual({ status: 201, body: '{"echo":"{\\"n\\":1}"}' });
    expect(received.at(-1)).toBe('POST /offboard-platform/v1/x {"n":1}');
  });

  it('drops the answer after the server acted, once', async () => {
    const before = received.length;
    const fault = proxy.arm({ kind: 'drop-response' });
    const lost = await send({ n: 2 });
    await fault.done;
    expect([lost.response, typeof lost.error]).toEqual([null, 'string']);
    expect(received.length).toBe(before + 1);
    expect((await send({ n: 3 })).response?.status).toBe(201);
  });

  it('cuts the connection before forwarding: the server never sees the request', async () => {
    const before = received.length;
    proxy.arm({ kind: 'reset-before-forwarding' });
    const cutOff = await send({ n: 4 });
    expect(cutOff.response).toBeNull();
    expect(received.length).toBe(before);
  });

  it('holds a request until released, so another overtakes it', async () => {
    const fault = proxy.arm({ kind: 'delay-request' });
    const held = send({ n: 'held' });
    await fault.arrived;
    await send({ n: 'overtaking' });
    fault.release();
    expect((await held).response?.status).toBe(201);
    expect(received.slice(-2).map((r) => r.split(' ').at(-1))).toEqual([
      '{"n":"overtaking"}',
      '{"n":"held"}',
    ]);
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PREFIX } from '../../src/adapters/platform-http/contract.js';
import type { SandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import { signatureHeaders } from '../../src/adapters/platform-http/signing.js';

/*
 * A deliberately faulty platform, for testing the conformance kit only: the sandbox
 * server behind a front that breaks the contract in the ways named by `faults`. With no
 * fault switched on it passes every request and answer through unchanged.
 */

export type PlatformFault =
  /** A sweep repeated with its key sweeps again (the key ignored). */
  | 'double-sweep'
  /** 18-decimal amounts in facts, pages and sweep answers cut to 8 decimals. */
  | 'round-18-decimals'
  /** A deposit to a frozen account is credited. */
  | 'ignore-freeze'
  /** A full transaction page loses its last transaction. */
  | 'lose-page'
  /** An unknown route answers a bare text 404, not the error shape (a SHOULD only). */
  | 'bare-404';

export interface FaultyPlatform {
  url: string;
  close(): Promise<void>;
}

/** Assets of 18 decimals among the sandbox's (the sweep answer carries no decimals). */
const EIGHTEEN_DECIMAL_ASSETS = new Set(['ETH']);
const CUT = 10n ** 10n;

export async function startFaultyPlatform(
  sandbox: SandboxApp,
  secret: string,
  faults: readonly PlatformFault[],
): Promise<FaultyPlatform> {
  const on = new Set(faults);
  const sweepKeys = new Set<string>();
  let rekeyed = 0;

  /** A request of the front's own to the sandbox, signed like any other. */
  const inject = async (method: 'GET' | 'POST', path: string, key: string | null, body = '') => {
    const headers: Record<string, string> = {
      ...signatureHeaders(secret, { method, path, idempotencyKey: key, body }, new Date()),
    };
    if (key !== null) headers['idempotency-key'] = key;
    if (body !== '') headers['content-type'] = 'application/json';
    return sandbox.inject({ method, url: path, headers, payload: body });
  };

  const handle = async (
    method: string,
    url: string,
    headers: http.IncomingHttpHeaders,
    body: string,
  ) => {
    const key = typeof headers['idempotency-key'] === 'string' ? headers['idempotency-key'] : null;
    const forward = () =>
      sandbox.inject({
        method: method as 'GET' | 'POST',
        url,
        headers: headers as Record<string, string>,
        payload: body,
      });

    if (on.has('double-sweep') && method === 'POST' && url.endsWith('/sweep-dust') && key) {
      if (sweepKeys.has(key)) {
        // The fault: the repeat runs as a new request.
        return inject('POST', url, `${key}:again-${++rekeyed}`, body);
      }
      sweepKeys.add(key);
    }

    const deposit = /^\/offboard-platform\/v1\/test\/accounts\/([^/]+)\/deposits$/.exec(url);
    if (on.has('ignore-freeze') && method === 'POST' && deposit) {
      const account = deposit[1]!;
      const facts = await inject('GET', `${PREFIX}/accounts/${account}/facts`, null);
      if (facts.statusCode === 200 && (facts.json() as { status: string }).status === 'frozen') {
        // The fault: thaw, credit, freeze again, as if the freeze were not there.
        await inject('POST', `${PREFIX}/accounts/${account}/unfreeze`, `${key}:thaw`, '{}');
        const answer = await forward();
        await inject('POST', `${PREFIX}/accounts/${account}/freeze`, `${key}:refreeze`, '{}');
        return answer;
      }
    }
    return forward();
  };

  const rewrite = (url: string, status: number, text: string): string => {
    if (status !== 200) return text;
    const path = url.split('?')[0]!;
    const value = JSON.parse(text) as Record<string, unknown>;
    if (on.has('lose-page') && path.endsWith('/transactions')) {
      const page = value as { transactions: unknown[]; next: string | null };
      if (page.next !== null) page.transactions.pop();
    }
    if (on.has('round-18-decimals')) {
      const round = (amount: string) => ((BigInt(amount) / CUT) * CUT).toString();
      const facts = path.endsWith('/facts')
        ? [value]
        : path.endsWith('/facts/query')
          ? (value['accounts'] as Record<string, unknown>[])
          : [];
      for (const f of facts)
        for (const b of f['balances'] as { decimals: number; available: string; locked: string }[])
          if (b.decimals === 18) {
            b.available = round(b.available);
            b.locked = round(b.locked);
          }
      if (path.endsWith('/transactions'))
        for (const t of value['transactions'] as { decimals: number; amount: string }[])
          if (t.decimals === 18) t.amount = round(t.amount);
      if (path.endsWith('/sweep-dust') && EIGHTEEN_DECIMAL_ASSETS.has(value['asset'] as string))
        value['amount'] = round(value['amount'] as string);
    }
    return JSON.stringify(value);
  };

  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = incoming.url ?? '/';
      handle(incoming.method ?? 'GET', url, incoming.headers, body).then(
        (answer) => {
          if (on.has('bare-404') && answer.body.includes('OFFBOARD_ERR_UNKNOWN_ROUTE'))
            return void outgoing.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
          outgoing
            .writeHead(answer.statusCode, { 'content-type': 'application/json' })
            .end(rewrite(url, answer.statusCode, answer.body));
        },
        () =>
          outgoing
            .writeHead(500)
            .end('{"error":{"code":"OFFBOARD_ERR_INTERNAL","message":"failed"}}'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

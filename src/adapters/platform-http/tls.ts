import { Agent, request } from 'node:https';

/*
 * Mutual TLS for the platform client. Node's global fetch takes no client certificate (its
 * TLS options live in undici, which offboard does not depend on), so a platform that
 * demands one is reached through node:https with an agent that presents the certificate and
 * trusts the platform's CA. It answers as fetch does, for the little the client reads: the
 * status and the body as text.
 */

export interface PlatformTls {
  /** PEM of the CA that signed the platform's server certificate (else the system's CAs). */
  ca?: string | Buffer;
  /** PEM of the client certificate offboard presents. */
  cert?: string | Buffer;
  /** PEM of its private key. */
  key?: string | Buffer;
}

/** A fetch over node:https presenting `tls.cert`, trusting `tls.ca`; connections are kept alive. */
export function tlsFetch(tls: PlatformTls): typeof fetch {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 16,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
  });
  return ((input: string | URL | Request, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (url.protocol !== 'https:') {
        reject(
          new TypeError(`a client certificate needs an https:// platform URL, got ${url.protocol}`),
        );
        return;
      }
      const signal = init?.signal ?? undefined;
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const body = typeof init?.body === 'string' ? init.body : undefined;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const outgoing = request(
        url,
        { method: init?.method ?? 'GET', headers, agent, ...(signal ? { signal } : {}) },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const status = incoming.statusCode ?? 500;
            // 204 and 304 carry no body; Response refuses one for them.
            const text = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(text, { status }));
          });
        },
      );
      outgoing.on('error', (error) =>
        reject(
          signal?.aborted
            ? (signal.reason as Error)
            : new TypeError('fetch failed', { cause: error }),
        ),
      );
      outgoing.end(body);
    })) as typeof fetch;
}

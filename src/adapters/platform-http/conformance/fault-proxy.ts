import http from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A loopback fault proxy the kit starts for its `faults` checks: it forwards requests to
 * the platform unchanged and, for a request it was armed for, loses the answer, holds the
 * request back, or cuts the connection. It binds 127.0.0.1 on a free port and nothing
 * else; it reaches the platform over plain HTTP (a platform behind TLS is checked for
 * faults at its HTTP origin, or not at all).
 */

export type Fault =
  /** Forward the request, let the platform act and answer, then cut the connection. */
  | { kind: 'drop-response' }
  /** Cut the connection before forwarding anything: the platform never sees the request. */
  | { kind: 'reset-before-forwarding' }
  /** Hold the request until released, then forward it. */
  | { kind: 'delay-request' };

export interface ArmedFault {
  /** Settles when the armed request reached the proxy. */
  readonly arrived: Promise<void>;
  /** Settles once the fault has done its work (the answer dropped, the connection cut). */
  readonly done: Promise<void>;
  /** Lets a held request go on (`delay-request`). */
  release(): void;
}

interface Pending extends ArmedFault {
  fault: Fault;
  markArrived(): void;
  markDone(): void;
  released: Promise<void>;
}

export class FaultProxy {
  private readonly queue: Pending[] = [];
  /** Every fault armed since the last disarm, applied or not. */
  private readonly armed: Pending[] = [];

  private constructor(
    private readonly server: http.Server,
    private readonly target: URL,
    readonly origin: string,
  ) {}

  /** Starts a proxy in front of `target` (an `http:` origin). */
  static async start(target: string): Promise<FaultProxy> {
    const targetUrl = new URL(target);
    let proxy: FaultProxy | null = null;
    const server = http.createServer((incoming, outgoing) => {
      void proxy?.handle(incoming, outgoing);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    proxy = new FaultProxy(server, targetUrl, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** Applies `fault` to the next request that reaches the proxy. */
  arm(fault: Fault): ArmedFault {
    let markArrived!: () => void;
    let markDone!: () => void;
    let release!: () => void;
    const pending: Pending = {
      fault,
      arrived: new Promise<void>((resolve) => (markArrived = resolve)),
      done: new Promise<void>((resolve) => (markDone = resolve)),
      released: new Promise<void>((resolve) => (release = resolve)),
      markArrived: () => markArrived(),
      markDone: () => markDone(),
      release: () => release(),
    };
    this.queue.push(pending);
    this.armed.push(pending);
    return pending;
  }

  /**
   * Forgets every fault not yet applied and lets every held request go: what one check
   * armed never reaches the next one's requests, even when the check failed half-way.
   */
  disarm(): void {
    this.queue.splice(0);
    for (const pending of this.armed.splice(0)) pending.release();
  }

  async close(): Promise<void> {
    this.disarm();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(incoming: http.IncomingMessage, outgoing: http.ServerResponse) {
    const pending = this.queue.shift();
    const body = await readBody(incoming);
    pending?.markArrived();
    if (pending?.fault.kind === 'reset-before-forwarding') {
      incoming.socket.destroy();
      pending.markDone();
      return;
    }
    if (pending?.fault.kind === 'delay-request') await pending.released;
    let answer: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    try {
      answer = await this.forward(incoming, body);
    } catch {
      outgoing.writeHead(502, { 'content-type': 'text/plain' }).end('the platform did not answer');
      pending?.markDone();
      return;
    }
    if (pending?.fault.kind === 'drop-response') {
      // The platform acted and answered; the caller never hears of it.
      incoming.socket.destroy();
      pending.markDone();
      return;
    }
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    delete headers['connection'];
    outgoing.writeHead(answer.status, headers).end(answer.body);
    pending?.markDone();
  }

  private forward(incoming: http.IncomingMessage, body: Buffer) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const headers = { ...incoming.headers, host: this.target.host };
        delete headers['connection'];
        const request = http.request(
          new URL(incoming.url ?? '/', this.target),
          { method: incoming.method ?? 'GET', headers, agent: false },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 502,
                headers: response.headers,
                body: Buffer.concat(chunks),
              }),
            );
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(body);
      },
    );
  }
}

function readBody(incoming: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

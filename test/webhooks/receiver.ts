import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it: the raw body, exactly the bytes that were signed. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A status to answer with (after `delayMs`), or 'hang' to never answer. */
export type Answer = number | { status: number; delayMs: number } | 'hang';

/**
 * A real HTTP endpoint on 127.0.0.1 that records every request and answers each path as
 * told, so tests see what a platform's receiver would see.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly answers = new Map<string, (nth: number) => Answer>();
  private readonly origin: string;

  private constructor(private readonly server: Server) {
    const { port } = server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
  }

  static async start(): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new Receiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        receiver.requests.push({
          method: req.method ?? '',
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const nth = receiver.forPath(path).length;
        const answer = receiver.answers.get(path)?.(nth) ?? 200;
        if (answer === 'hang') return;
        const { status, delayMs } =
          typeof answer === 'number' ? { status: answer, delayMs: 0 } : answer;
        const reply = () => {
          res.writeHead(status, {
            'content-type': 'text/plain',
            ...(status >= 300 && status < 400 ? { location: `${receiver.origin}/elsewhere` } : {}),
          });
          res.end(status < 300 ? 'ok' : `refused with ${status}`);
        };
        if (delayMs > 0) setTimeout(reply, delayMs);
        else reply();
      });
    });
    return receiver;
  }

  /** `path` answers `answer(n)` to its n-th request (from 1); unplanned paths answer 200. */
  on(path: string, answer: (nth: number) => Answer): string {
    this.answers.set(path, answer);
    return this.url(path);
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  forPath(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A loopback URL nothing listens on: a port that was free a moment ago. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/gone`;
}

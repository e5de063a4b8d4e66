import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { OffboardError } from '../../domain/errors.js';
import { workOnce } from '../../app/worker.js';
import { purgeIdempotencyKeys } from '../store/idempotency-repository.js';
import { IDEMPOTENCY_TTL_MS } from './idempotency.js';
import type { Context } from '../../main/context.js';
import { buildApp } from './app.js';
import type { App, HttpDeps, WorkerProbe } from './app.js';

export interface WorkerLoopOptions {
  pollMs: number;
  leaseMs: number;
  concurrency: number;
  /** Told of a pass that failed as a whole (the loop carries on after a pause). */
  onError?: (error: unknown) => void;
}

/** The worker, in the same process as the API (`offboard demo`, `offboard serve --worker`). */
export class WorkerLoop implements WorkerProbe {
  private running = false;
  private last: Date | null = null;
  private wake: (() => void) | null = null;
  private done: Promise<void> = Promise.resolve();
  readonly owner = `${hostname()}:${process.pid}:api`;

  constructor(
    private readonly ctx: Context,
    private readonly options: WorkerLoopOptions,
  ) {}

  lastPassAt(): Date | null {
    return this.last;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let moved = false;
      try {
        const outcomes = await workOnce(this.ctx.app, this.ctx.rules, {
          owner: this.owner,
          leaseMs: this.options.leaseMs,
          concurrency: this.options.concurrency,
        });
        await this.ctx.afterWorkerPass(this.owner);
        moved = outcomes.some((o) => o.to !== null);
        this.last = new Date();
      } catch (error) {
        this.options.onError?.(error);
      }
      // A pass that moved something may have made more due (grace -> finalizing): go again.
      if (!moved && this.running) await this.pause(this.options.pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

const PURGE_EVERY_MS = 10 * 60_000;

export interface ServeOptions extends Omit<HttpDeps, 'ctx' | 'worker'> {
  port: number;
  host: string;
  /** Run the worker in this process too. */
  worker?: WorkerLoopOptions;
}

export interface RunningServer {
  app: App;
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  url: string;
  worker: WorkerLoop | null;
  /** Stops taking requests, finishes those in flight, stops the worker. */
  close(): Promise<void>;
}

export async function startServer(ctx: Context, options: ServeOptions): Promise<RunningServer> {
  const worker = options.worker ? new WorkerLoop(ctx, options.worker) : null;
  const app = await buildApp({ ...options, ctx, worker: worker ?? undefined });
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app.close();
    throw listenError(error, options);
  }
  const address = app.server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  worker?.start();
  // Idempotency keys are kept a day; older ones are forgotten now and then.
  const purge = setInterval(() => {
    purgeIdempotencyKeys(ctx.database.db, ctx.clock.now().getTime() - IDEMPOTENCY_TTL_MS).catch(
      (error: unknown) => app.log.warn({ err: error }, 'purging idempotency keys failed'),
    );
  }, PURGE_EVERY_MS);
  purge.unref();
  return {
    app,
    url: `http://${shown}:${address.port}`,
    worker,
    close: async () => {
      clearInterval(purge);
      await app.close();
      await worker?.stop();
    },
  };
}

/** Why the service could not listen, in words that say what to do (`--port`, `--host`). */
export function listenError(error: unknown, options: { port: number; host: string }): unknown {
  const code = (error as { code?: unknown }).code;
  const where = `${options.host}:${options.port}`;
  if (code === 'EADDRINUSE')
    return new OffboardError(
      'OFFBOARD_ERR_PORT_IN_USE',
      `port ${options.port} is in use on ${options.host}: another process listens there (an earlier offboard still running?). Stop it, or pass another port with --port (--port 0 picks a free one)`,
    );
  if (code === 'EADDRNOTAVAIL')
    return new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `cannot listen on ${where}: ${options.host} is not an address of this machine; pass --host 127.0.0.1 or 0.0.0.0`,
    );
  return error;
}

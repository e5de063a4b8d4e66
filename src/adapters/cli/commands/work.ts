import { hostname } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import type { Database } from '../../store/database.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseCount, parseDurationOption } from '../command-kit.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const workerModule = () => import('../../../app/worker.js');
const recordsModule = () => import('../../../app/records.js');
const signingKeyModule = () => import('../../statements/signing-key.js');
// A constant, not the module: the module loads only when a key is set.
const SIGNING_KEY_ENV = 'OFFBOARD_SIGNING_KEY';

// Loaded when the command runs: `offboard --help` must not load the database stack.

interface Idler {
  /** Idles up to `ms`; returns early on `interrupt()`, announced work or `signal`. */
  idle(ms: number, signal: AbortSignal): Promise<void>;
  /** Ends the current idle at once (a signal to stop, or a NOTIFY). */
  interrupt(): void;
  close(): Promise<void>;
}

/**
 * On PostgreSQL an idle worker LISTENs for due work, so a closure confirmed with no grace
 * period is finalized at once rather than at the next poll. Elsewhere it just sleeps.
 */
async function idler(database: Database): Promise<Idler> {
  const waiting = new Set<() => void>();
  // A notice that lands while the worker is busy must not be lost: the next idle returns at once.
  let pending = false;
  const interrupt = () => {
    if (waiting.size === 0) {
      pending = true;
      return;
    }
    for (const wake of [...waiting]) wake();
  };
  const idle = (ms: number, signal: AbortSignal) => {
    if (pending) {
      pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      waiting.add(done);
      if (signal.aborted) done();
    });
  };
  const listener = await database.store.listenForWork(database, interrupt);
  return { idle, interrupt, close: async () => listener?.close() };
}

export function registerWork(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('work')
    .description('run the worker: finalize due closures, expire unconfirmed ones, deliver webhooks')
    .option('--once', 'do what is due now, then exit')
    .option('--concurrency <n>', 'closures handled at once', '4')
    .option(
      '--lease <duration>',
      'how long a claim lasts before another worker may take over',
      '60s',
    )
    .option('--poll <duration>', 'pause between passes when idle', '1s')
    .option(
      '--checkpoint-every <duration>',
      'sign an audit checkpoint this often, when OFFBOARD_SIGNING_KEY is set',
      '10m',
    )
    .option('--json', 'print a summary as JSON (with --once)')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const concurrency = parseCount(opts.concurrency, '--concurrency', 1);
        const leaseMs = parseDurationOption(opts.lease, '--lease');
        const pollMs = parseDurationOption(opts.poll, '--poll');
        const checkpointMs = parseDurationOption(opts.checkpointEvery, '--checkpoint-every');
        // The sealer runs only where the platform's key is: without it there is nothing to sign with.
        const keys = deps.io.env[SIGNING_KEY_ENV] ? await signingKeyModule() : null;
        const signer = keys ? keys.textSigner(await keys.signingKeyFromEnv(deps.io.env)) : null;
        const records = signer ? await recordsModule() : null;
        const owner = `${hostname()}:${process.pid}`;
        const counts: Record<string, number> = {};
        const wake = await idler(ctx.database);
        let stopping = false;
        const stop = () => {
          stopping = true;
          wake.interrupt();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          await (
            await workerModule()
          ).runWorker(ctx.app, ctx.rules, {
            idle: wake.idle,
            owner,
            leaseMs,
            concurrency,
            once: Boolean(opts.once),
            pollMs,
            shouldStop: () => stopping,
            // A readiness signal for operators and tests: printed each time the queue runs dry.
            onIdle: () => {
              if (!opts.json) deps.io.stdout(`idle: nothing due (polling every ${opts.poll})\n`);
            },
            afterPass: async () => {
              // Seal first: the checkpoint's webhook event then goes out in this same pass.
              if (signer && records) await records.sealIfDue(ctx.app, signer, checkpointMs);
              await ctx.afterWorkerPass(owner);
            },
            onOutcome: (o) => {
              if (!o.to) return;
              counts[o.to] = (counts[o.to] ?? 0) + 1;
              if (!opts.json) deps.io.stdout(`${o.closureId}: ${o.from} -> ${o.to}\n`);
            },
          });
        } finally {
          await wake.close();
          process.removeListener('SIGINT', stop);
          process.removeListener('SIGTERM', stop);
        }
        if (opts.json) printJson(deps.io, { transitions: counts });
        return 0;
      }),
    );
}

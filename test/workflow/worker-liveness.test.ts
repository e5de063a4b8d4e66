import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closureStatus, requestClosure } from '../../src/app/closures.js';
import type { AppContext } from '../../src/app/context.js';
import { runWorker } from '../../src/app/worker.js';
import type { RunOptions, StepOutcome } from '../../src/app/worker.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { DIALECTS } from '../support/databases.js';
import { accountOpener, openWorkflowContext } from '../support/workflow-context.js';
import { HANG_MS } from '../support/wait.js';

/** Fails with a message instead of hanging the suite when the worker never returns. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${ms} ms (hung)`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The platform with `freeze` of one account held until the test lets it go. */
function holdingFreeze(
  inner: PlatformPort,
  accountId: string,
  gate: Promise<void>,
  entered: () => void,
): PlatformPort {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property !== 'freeze') return (value as (...a: unknown[]) => unknown).bind(target);
      return async (account: string, key: string) => {
        if (account === accountId) {
          entered();
          await gate;
        }
        return target.freeze(account, key);
      };
    },
  });
}

describe.each(DIALECTS)('the worker stays live [%s]', (dialect) => {
  let ctx: Context;
  let dispose: () => Promise<void>;
  let closableAccount: () => Promise<string>;
  const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));

  beforeAll(async () => {
    ({ ctx, dispose } = await openWorkflowContext(dialect, clock));
    closableAccount = accountOpener(ctx, 'live');
  });
  afterAll(async () => dispose());

  const close = (app: AppContext, accountId: string) =>
    requestClosure(app, ctx.rules, {
      accountId,
      consent: { sweepDust: true, cancelOrders: true, revokeApps: true },
      confirmed: true,
      gracePeriodMs: 0,
      actor: { kind: 'holder', id: accountId },
    });

  const options = (overrides: Partial<RunOptions>): RunOptions => ({
    owner: 'liveness',
    leaseMs: 60_000,
    concurrency: 2,
    once: true,
    pollMs: 0,
    shouldStop: () => false,
    afterPass: async () => undefined,
    ...overrides,
  });

  it(
    'returns when every closure in flight finished during a housekeeping pass',
    async () => {
      const accountId = await closableAccount();
      // The closure is held at its freeze until the second housekeeping pass starts, and that
      // pass outlasts it: the pool is empty when the pass returns, with nothing new claimed.
      const release = deferred();
      const app: AppContext = {
        ...ctx.app,
        platform: holdingFreeze(ctx.app.platform, accountId, release.promise, () => undefined),
      };
      await close(app, accountId);
      const finished = deferred();
      let passes = 0;
      const run = runWorker(
        app,
        ctx.rules,
        options({
          onOutcome: (o: StepOutcome) => {
            if (o.to === 'closed') finished.resolve();
          },
          afterPass: async () => {
            passes += 1;
            if (passes !== 2) return;
            release.resolve();
            await finished.promise;
            await new Promise((resolve) => setImmediate(resolve));
          },
        }),
      );
      await within(run, HANG_MS, 'runWorker');
      expect(passes).toBeGreaterThanOrEqual(2);
      expect((await closureStatus(ctx.app, accountId)).closure?.state).toBe('closed');
    },
    4 * HANG_MS,
  );

  it(
    'claims a closure that falls due while a slow one is in flight, within the poll interval',
    async () => {
      const slow = await closableAccount();
      const fast = await closableAccount();
      const release = deferred();
      const slowEntered = deferred();
      const app: AppContext = {
        ...ctx.app,
        platform: holdingFreeze(ctx.app.platform, slow, release.promise, slowEntered.resolve),
      };
      await close(app, slow);
      const stop = new AbortController();
      const run = runWorker(
        app,
        ctx.rules,
        options({
          once: false,
          pollMs: 20,
          stop: stop.signal,
          shouldStop: () => stop.signal.aborted,
        }),
      );
      try {
        await within(slowEntered.promise, HANG_MS, 'the slow closure');
        // The slow closure holds a slot; a closure due now must not wait for it.
        await close(app, fast);
        await within(
          (async () => {
            for (;;) {
              if ((await closureStatus(ctx.app, fast)).closure?.state === 'closed') return;
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
          })(),
          HANG_MS,
          'closing the due closure beside the slow one',
        );
        expect((await closureStatus(ctx.app, slow)).closure?.state).toBe('finalizing');
      } finally {
        release.resolve();
        stop.abort();
        await within(run, HANG_MS, 'stopping the worker');
      }
      expect((await closureStatus(ctx.app, slow)).closure?.state).toBe('closed');
    },
    4 * HANG_MS,
  );

  it(
    'a stop request ends an idle worker at once, whatever its poll interval',
    async () => {
      const stop = new AbortController();
      const idle = deferred();
      const run = runWorker(
        ctx.app,
        ctx.rules,
        options({
          once: false,
          pollMs: 3_600_000,
          stop: stop.signal,
          shouldStop: () => stop.signal.aborted,
          onIdle: idle.resolve,
        }),
      );
      await within(idle.promise, HANG_MS, 'going idle');
      stop.abort();
      await within(run, HANG_MS, 'stopping an idle worker');
    },
    4 * HANG_MS,
  );
});

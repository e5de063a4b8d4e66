import { describe, expect, it } from 'vitest';
import { createClosure, transition } from '../domain/closure.js';
import type { Closure, ClosureEffect } from '../domain/closure.js';
import { blankFacts } from '../domain/facts.js';
import type { PlatformPort } from '../ports/platform.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { AppContext } from './context.js';
import { performEffects } from './effects.js';

// The executor against recording fakes: which effect ran where, in which order.

const NOW = new Date('2026-06-01T12:00:00Z');
const timings = { gracePeriodMs: 0, confirmationExpiryMs: 3_600_000 };

function harness() {
  const log: string[] = [];
  let inTransaction = false;
  const where = () => (inTransaction ? 'tx' : 'outside');
  const facts = {
    ...blankFacts({
      accountId: 'acc-1',
      status: 'frozen',
      jurisdiction: 'DE',
      openedAt: new Date('2020-01-01T00:00:00Z'),
    }),
    credentials: [{ id: 'cred-1', kind: 'session' as const, label: 'phone', createdAt: NOW }],
    authorizations: [{ id: 'auth-1', kind: 'oauth' as const, name: 'App', grantedAt: NOW }],
  };
  const platform = {
    facts: async () => facts,
    unfreeze: async (_a: string, key: string) => void log.push(`${where()} unfreeze ${key}`),
    revokeCredential: async (_a: string, id: string, key: string) =>
      void log.push(`${where()} revokeCredential ${id} ${key}`),
    revokeAuthorization: async (_a: string, id: string, key: string) =>
      void log.push(`${where()} revokeAuthorization ${id} ${key}`),
    markClosed: async (_a: string, key: string) => void log.push(`${where()} markClosed ${key}`),
    erase: async (_a: string, classes: string[], key: string) =>
      void log.push(`${where()} erase ${classes.join('+')} ${key}`),
    jurisdiction: async () => 'DE',
  } as unknown as PlatformPort;
  const repos = {
    outbox: { emit: async (event: string) => void log.push(`${where()} emit ${event}`) },
    mailbox: {
      enqueue: async (m: { template: string; channel: string }) =>
        void log.push(`${where()} mail ${m.template} ${m.channel}`),
    },
    disableLinks: { insert: async () => undefined },
    erasures: {
      eraseOwnRecords: async (_a: string, classes: string[]) =>
        void log.push(`${where()} erase own ${classes.join('+')}`),
      schedule: async () => void log.push(`${where()} schedule erasure`),
    },
    audit: {
      append: async (c: { action: string }) => (
        log.push(`${where()} audit ${c.action}`),
        undefined
      ),
    },
  } as unknown as Repositories;
  const ctx = {
    repos,
    unitOfWork: {
      run: async <T>(fn: (r: Repositories) => Promise<T>) => {
        inTransaction = true;
        try {
          return await fn(repos);
        } finally {
          inTransaction = false;
          log.push('commit');
        }
      },
    },
    platform,
    clock: { now: () => NOW },
    linkSecret: 'secret',
    publicUrl: 'http://127.0.0.1:8080',
    disableLinkTtlMs: 3_600_000,
  } as unknown as AppContext;
  return { ctx, log };
}

function finalizing(): Closure {
  const requested = createClosure({
    id: 'cl_1',
    accountId: 'acc-1',
    now: NOW,
    timings,
    consent: { sweepDust: false, cancelOrders: false, revokeApps: false },
    confirmed: true,
    earliestEligibleAt: null,
  });
  const result = transition(requested, { type: 'timer' }, NOW, timings);
  if (!result.ok || result.closure.state !== 'finalizing')
    throw new Error(`expected finalizing, got ${JSON.stringify(result)}`);
  return result.closure;
}

function run(
  ctx: AppContext,
  closure: Closure,
  effects: readonly ClosureEffect[],
  options: { stored?: boolean; finalize?: () => Promise<void> } = {},
) {
  return performEffects(ctx, {
    closure,
    effects,
    actor: { kind: 'worker', id: 'worker' },
    action: 'closure.test',
    contact: { name: 'Holder', email: 'h@example.test', phone: null, jurisdiction: 'DE' },
    now: NOW,
    store: async () => options.stored ?? true,
    ...(options.finalize ? { finalize: options.finalize } : {}),
  });
}

describe('performEffects', () => {
  it('closes the account before storing the closed closure, then notifies and emits in the transaction, audit last', async () => {
    const { ctx, log } = harness();
    const result = transition(finalizing(), { type: 'finalized', eligible: true }, NOW, timings);
    if (!result.ok) throw new Error('refused');
    expect(await run(ctx, result.closure, result.effects)).toBe(true);
    expect(log).toEqual([
      'outside revokeCredential cred-1 closure:cl_1:credential:cred-1',
      'outside revokeAuthorization auth-1 closure:cl_1:authorization:auth-1',
      'outside markClosed closure:cl_1:close',
      'outside erase security+preferences closure:cl_1:erase-at-closure',
      'tx mail closure.completed email',
      'tx emit closure.completed',
      'tx erase own security+preferences',
      'tx schedule erasure',
      'tx audit closure.test',
      'commit',
    ]);
  });

  it('unfreezes before the holder is told the closure is blocked', async () => {
    const { ctx, log } = harness();
    const result = transition(finalizing(), { type: 'finalized', eligible: false }, NOW, timings);
    if (!result.ok) throw new Error('refused');
    await run(ctx, result.closure, result.effects);
    expect(log).toEqual([
      'outside unfreeze closure:cl_1:unfreeze',
      'tx mail closure.blocked email',
      'tx emit closure.blocked',
      'tx audit closure.test',
      'commit',
    ]);
  });

  it('finalizes only after the transition into finalizing has committed', async () => {
    const { ctx, log } = harness();
    await run(ctx, finalizing(), [{ type: 'finalize' }], {
      finalize: async () => void log.push('finalize'),
    });
    expect(log).toEqual(['tx audit closure.test', 'commit', 'finalize']);
  });

  it('runs nothing after a store that lost its race', async () => {
    const { ctx, log } = harness();
    expect(
      await run(
        ctx,
        finalizing(),
        [{ type: 'notify', template: 'closure.confirmed' }, { type: 'finalize' }],
        { stored: false, finalize: async () => void log.push('finalize') },
      ),
    ).toBe(false);
    expect(log).toEqual(['commit']);
  });
});

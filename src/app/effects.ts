import type { Closure, ClosureEffect } from '../domain/closure.js';
import type { AccountFacts } from '../domain/facts.js';
import type { HolderContact } from '../ports/platform.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { ERASED_AT_CLOSURE } from '../domain/retention.js';
import type { Actor, AppContext } from './context.js';
import { scheduleErasure } from './erasure.js';
import { notifyHolder, record } from './notifications.js';

/*
 * The one executor of the effects the closure state machine returns. Every effect runs
 * here, in the order the domain lists them, each in its phase:
 * - before: the decision's platform actions (`unfreeze`, `close_account`) run before the
 *   transition is stored: a closure is never stored closed while its account is still
 *   open, and a worker killed half-way repeats them under the same keys;
 * - within: records (`notify`, `emit`) run in the transaction that stores the
 *   transition, and the audit entry goes last in it;
 * - after: `finalize` runs once the transition into finalizing has committed.
 */

/** One transition to store and carry out. */
export interface EffectRun {
  /** The closure after the transition. */
  closure: Closure;
  effects: readonly ClosureEffect[];
  actor: Actor;
  /** The audit action, e.g. `closure.confirm`. */
  action: string;
  contact: HolderContact | null;
  /**
   * The facts the final check decided on (read after the freeze and after any consented
   * action), for `close_account` to revoke from; absent, it reads them (a repeated step).
   */
  facts?: AccountFacts;
  /** Template variables for the holder's notices. */
  vars?: Record<string, string>;
  /** Recorded in the audit entry and the outbox events. */
  data?: Record<string, unknown>;
  now: Date;
  /** Stores the transition in the unit of work; false when it lost a race (then nothing else happens). */
  store(repos: Repositories): Promise<boolean>;
  /**
   * Finalizes the closure, holding the worker's lease. Absent outside the worker: a closure
   * that enters finalizing is due at once, and the worker that claims it finalizes it.
   */
  finalize?: () => Promise<void>;
}

/** When an effect runs, relative to the transaction that stores its transition. */
type Phase = 'before' | 'within' | 'after';

function phaseOf(effect: ClosureEffect): Phase {
  switch (effect.type) {
    // The decision's platform actions: the closure is stored ended only once they are done.
    case 'unfreeze':
    case 'close_account':
      return 'before';
    case 'notify':
    case 'emit':
      return 'within';
    // Finalizing starts from the stored finalizing state, holding the lease.
    case 'finalize':
      return 'after';
  }
}

const PHASES: readonly Phase[] = ['before', 'within', 'after'];

/** Stores the transition and runs its effects in order; false when the store lost a race. */
export async function performEffects(ctx: AppContext, run: EffectRun): Promise<boolean> {
  const phases = run.effects.map(phaseOf);
  // The domain lists platform actions first and `finalize` last; running in phases keeps its order.
  if (phases.some((phase, i) => i > 0 && PHASES.indexOf(phase) < PHASES.indexOf(phases[i - 1]!))) {
    throw new Error(`effects out of order: ${run.effects.map((e) => e.type).join(', ')}`);
  }
  const effectsOf = (phase: Phase) => run.effects.filter((_, i) => phases[i] === phase);
  for (const effect of effectsOf('before')) await performEffect(ctx, effect, run, null);
  // A closure stored closed schedules its retention and erasure in the same transaction.
  const closedIn =
    run.closure.state === 'closed'
      ? (run.contact?.jurisdiction ?? (await ctx.platform.jurisdiction(run.closure.accountId)))
      : null;
  const stored = await ctx.unitOfWork.run(async (repos) => {
    if (!(await run.store(repos))) return false;
    for (const effect of effectsOf('within')) await performEffect(ctx, effect, run, repos);
    if (closedIn !== null)
      await scheduleErasure(ctx, repos, {
        accountId: run.closure.accountId,
        jurisdiction: closedIn,
        closedAt: run.now,
      });
    // The audit entry goes last: appending takes the chain's lock, held until commit, so
    // taking it last keeps concurrent workers from queueing behind each other's writes.
    await record(repos, {
      actor: run.actor,
      action: run.action,
      accountId: run.closure.accountId,
      data: {
        closureId: run.closure.id,
        state: run.closure.state,
        version: run.closure.version,
        ...run.data,
      },
      now: run.now,
    });
    return true;
  });
  if (!stored) return false;
  for (const effect of effectsOf('after')) await performEffect(ctx, effect, run, null);
  return true;
}

/**
 * Runs one effect. Records take the transaction's repositories (`repos`); platform actions
 * run outside it, each with an idempotency key, so repeating one after a crash does it once.
 */
export async function performEffect(
  ctx: AppContext,
  effect: ClosureEffect,
  run: EffectRun,
  repos: Repositories | null,
): Promise<void> {
  const { closure, now } = run;
  const key = (suffix: string) => `closure:${closure.id}:${suffix}`;
  switch (effect.type) {
    case 'emit': {
      const payload = {
        closureId: closure.id,
        accountId: closure.accountId,
        state: closure.state,
        dueAt: closure.dueAt?.toISOString() ?? null,
        ...run.data,
      };
      await inTransaction(repos, effect).outbox.emit(effect.event, closure.accountId, payload, now);
      return;
    }
    case 'notify': {
      if (!run.contact) return;
      const vars = {
        due: closure.dueAt?.toISOString() ?? '',
        expires: closure.confirmationExpiresAt.toISOString(),
        ...run.vars,
      };
      await notifyHolder(
        ctx,
        inTransaction(repos, effect),
        run.contact,
        closure.accountId,
        effect.template,
        vars,
        `closure:${closure.id}:${closure.version}:${effect.template}`,
        now,
      );
      return;
    }
    case 'finalize':
      await run.finalize?.();
      return;
    case 'unfreeze':
      await ctx.platform.unfreeze(closure.accountId, key('unfreeze'));
      return;
    case 'close_account': {
      const facts = run.facts ?? (await ctx.platform.facts(closure.accountId));
      if (!facts) throw new Error(`account ${closure.accountId} vanished during finalization`);
      for (const credential of facts.credentials)
        await ctx.platform.revokeCredential(
          closure.accountId,
          credential.id,
          key(`credential:${credential.id}`),
        );
      for (const authorization of facts.authorizations)
        await ctx.platform.revokeAuthorization(
          closure.accountId,
          authorization.id,
          key(`authorization:${authorization.id}`),
        );
      await ctx.platform.markClosed(closure.accountId, key('close'));
      // Sessions, devices and preferences: no law keeps them past the relationship.
      await ctx.platform.erase(closure.accountId, ERASED_AT_CLOSURE, key('erase-at-closure'));
      return;
    }
  }
}

function inTransaction(repos: Repositories | null, effect: ClosureEffect): Repositories {
  if (!repos)
    throw new Error(
      `the ${effect.type} effect writes records: it runs inside the transaction that stores the transition`,
    );
  return repos;
}

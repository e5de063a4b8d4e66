import { transition } from '../domain/closure.js';
import type { Closure, ClosureEvent } from '../domain/closure.js';
import type { AccountFacts } from '../domain/facts.js';
import { planFinalization } from '../domain/finalization.js';
import { renderVerdict } from '../domain/messages.js';
import type { FinalizationPlan } from '../domain/finalization.js';
import { formatAmount } from '../domain/money.js';
import type { StoredClosure } from '../ports/closures.js';
import type { HolderContact } from '../ports/platform.js';
import type { Actor, AppContext } from './context.js';
import { evaluateFacts } from './check-eligibility.js';
import type { EligibilityRules, RenderedVerdict } from './check-eligibility.js';
import { performEffects } from './effects.js';
import { FactsBatcher } from './facts-batcher.js';
import { holderReasons } from './notifications.js';

export interface WorkerOptions {
  owner: string;
  /** How long a claim lasts; a worker that dies loses its claims after this. */
  leaseMs: number;
  /** Closures handled at once. */
  concurrency: number;
}

export interface StepOutcome {
  closureId: string;
  from: string;
  to: string | null;
}

/**
 * One pass: claims the closures that are due and moves each one step (or through
 * finalization). Returns what happened; an empty list means nothing was due.
 */
export async function workOnce(
  ctx: AppContext,
  rules: EligibilityRules,
  options: WorkerOptions,
): Promise<StepOutcome[]> {
  const claimed = await ctx.repos.closures.claimDue({
    owner: options.owner,
    now: ctx.clock.now(),
    leaseMs: options.leaseMs,
    limit: options.concurrency,
  });
  const facts = new FactsBatcher(ctx.platform);
  const outcomes = await Promise.all(
    claimed.map((stored) => advance(ctx, rules, stored, options.owner, facts)),
  );
  return outcomes;
}

export interface RunOptions extends WorkerOptions {
  /** Stop when nothing is due and nothing is in flight (cron-style `work --once`). */
  once: boolean;
  /** Pause when idle; also the longest a due closure waits to be claimed while others run. */
  pollMs: number;
  /**
   * Waits up to `ms`, returning early when new work is announced (PostgreSQL NOTIFY), when
   * the worker is told to stop, or when `signal` aborts; default: a timer.
   */
  idle?(ms: number, signal: AbortSignal): Promise<void>;
  shouldStop(): boolean;
  /** Aborted to stop: ends the current wait at once (the default idle honours it). */
  stop?: AbortSignal;
  /** Housekeeping between passes (fan events out, deliver webhooks). */
  afterPass(): Promise<void>;
  onOutcome?(outcome: StepOutcome): void;
  /** Told each time the worker runs out of due work and starts idling (a readiness signal). */
  onIdle?(): void;
}

/** A timer that ends early when `signal` aborts, and never outlives the wait. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Keeps `concurrency` closures in flight: a slot that frees up is refilled at once
 * instead of waiting for the slowest closure of a batch.
 *
 * Liveness: every wait is bounded by the poll interval (or ends when a closure in flight
 * finishes), so a closure that falls due is claimed within `pollMs` even while others run,
 * and a stop request ends the loop as soon as the closures in flight finish.
 */
export async function runWorker(
  ctx: AppContext,
  rules: EligibilityRules,
  options: RunOptions,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  // In --once mode a closure that could not move (its step failed or was refused) is not
  // retried in this run, so the run ends.
  const stalled = new Set<string>();
  const wait = options.idle ?? abortableSleep;
  // Every wait also ends when the worker is told to stop.
  const idle = (ms: number, signal: AbortSignal) =>
    wait(ms, options.stop ? AbortSignal.any([signal, options.stop]) : signal);
  const elapsedSince = (instant: number) => ctx.clock.now().getTime() - instant;
  let lastPass = ctx.clock.now().getTime();
  let idling = false;
  // Closures claimed together read their facts together (one factsBatch), each after its own freeze.
  const facts = new FactsBatcher(ctx.platform);
  while (!options.shouldStop()) {
    const free = options.concurrency - inFlight.size;
    let started = 0;
    if (free > 0) {
      const claimed = await ctx.repos.closures.claimDue({
        owner: options.owner,
        now: ctx.clock.now(),
        leaseMs: options.leaseMs,
        limit: free,
      });
      for (const stored of claimed) {
        if (options.once && stalled.has(stored.closure.id)) {
          await ctx.repos.closures.releaseLease(stored.closure.id, options.owner);
          continue;
        }
        started += 1;
        const work: Promise<void> = advance(ctx, rules, stored, options.owner, facts)
          .then((outcome) => {
            if (outcome.to === null) stalled.add(outcome.closureId);
            options.onOutcome?.(outcome);
          })
          .finally(() => inFlight.delete(work));
        inFlight.add(work);
      }
    }
    if (started > 0) idling = false;
    if (inFlight.size > 0) {
      // Busy for long: still fan events out and deliver webhooks now and then.
      if (elapsedSince(lastPass) >= options.pollMs) {
        lastPass = ctx.clock.now().getTime();
        await options.afterPass();
      }
      // The pass above may have outlasted every closure in flight: re-read the set, never
      // race an empty one (it would never settle).
      if (inFlight.size > 0 && (started === 0 || inFlight.size >= options.concurrency)) {
        await waitForSlot(inFlight, options.concurrency, options.pollMs, idle);
      }
      continue;
    }
    lastPass = ctx.clock.now().getTime();
    await options.afterPass();
    if (started > 0) continue;
    if (options.once) break;
    if (!idling) {
      idling = true;
      options.onIdle?.();
    }
    if (options.shouldStop()) break;
    const stop = new AbortController();
    await idle(options.pollMs, stop.signal);
    stop.abort();
  }
  await Promise.all(inFlight);
  await options.afterPass();
}

/**
 * A full pool waits for a closure to finish; a pool with free slots waits at most the
 * poll interval (or a NOTIFY) so that new due work is claimed without waiting for the
 * slowest closure in flight.
 */
async function waitForSlot(
  inFlight: ReadonlySet<Promise<void>>,
  concurrency: number,
  pollMs: number,
  idle: (ms: number, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  if (inFlight.size >= concurrency) {
    await Promise.race(inFlight);
    return;
  }
  const stop = new AbortController();
  try {
    await Promise.race([...inFlight, idle(pollMs, stop.signal)]);
  } finally {
    stop.abort();
  }
}

async function advance(
  ctx: AppContext,
  rules: EligibilityRules,
  stored: StoredClosure,
  owner: string,
  facts: FactsBatcher,
): Promise<StepOutcome> {
  const from = stored.closure.state;
  try {
    if (stored.closure.state === 'requested' || stored.closure.state === 'grace') {
      let ended: string | null | undefined;
      // The finalize effect: this worker keeps its lease and finalizes at once, from the
      // closure it just stored (no re-read) and the contact the step read.
      const finalizeNow = async (closure: Closure, contact: HolderContact | null) => {
        const entered: StoredClosure = { ...stored, closure, decision: null };
        ended = await finalize(ctx, rules, entered, facts, contact);
      };
      const moved = await step(ctx, rules, stored, { type: 'timer' }, { finalizeNow });
      if (!moved) {
        await ctx.repos.closures.releaseLease(stored.closure.id, owner);
        return { closureId: stored.closure.id, from, to: null };
      }
      return { closureId: stored.closure.id, from, to: ended === undefined ? moved.state : ended };
    }
    if (stored.closure.state === 'finalizing') {
      // Claimed in finalizing: a worker died during the finalize effect; repeat it.
      const ended = await finalize(ctx, rules, stored, facts);
      return { closureId: stored.closure.id, from, to: ended };
    }
    return { closureId: stored.closure.id, from, to: stored.closure.state };
  } catch (error) {
    // Leave the lease to expire: another pass (or worker) repeats the step, and the
    // idempotency keys keep its effects single.
    ctx.onError?.(error, stored.closure.id);
    return { closureId: stored.closure.id, from, to: null };
  }
}

const WORKER: Actor = { kind: 'worker', id: 'worker' };

interface StepInputs {
  /** The final check's verdict (the agents' rendering), for a `finalized` event. */
  verdict?: RenderedVerdict | null;
  actionsTaken?: string;
  /** The holder's contact when the caller read it already (null: none on file). */
  contact?: HolderContact | null;
  /** The facts the final check decided on, for the `close_account` effect. */
  facts?: AccountFacts;
  /** Runs the finalize effect with the stored closure and the contact this step used. */
  finalizeNow?: (closure: Closure, contact: HolderContact | null) => Promise<void>;
}

/** Applies one event and runs its effects (see effects.ts); null when refused or raced. */
async function step(
  ctx: AppContext,
  rules: EligibilityRules,
  stored: StoredClosure,
  event: ClosureEvent,
  inputs: StepInputs = {},
): Promise<Closure | null> {
  const now = ctx.clock.now();
  const verdict = inputs.verdict ?? null;
  const contact =
    inputs.contact === undefined
      ? await ctx.platform.contact(stored.closure.accountId)
      : inputs.contact;
  const policy = rules(contact?.jurisdiction ?? 'ZZ');
  const result = transition(stored.closure, event, now, {
    gracePeriodMs: policy.gracePeriodMs,
    confirmationExpiryMs: policy.confirmationExpiryMs,
  });
  if (!result.ok) return null;
  // Entering finalizing keeps the claim: the closure is due at once, and another worker
  // must not take it while this one freezes, sweeps and decides.
  const releaseLease = result.closure.state !== 'finalizing';
  const finalizeNow = inputs.finalizeNow;
  const saved = await performEffects(ctx, {
    closure: result.closure,
    effects: result.effects,
    actor: WORKER,
    action: `closure.${event.type}`,
    contact,
    ...(inputs.facts ? { facts: inputs.facts } : {}),
    // The stored verdict is the agents' (hold kinds and reasons): holders read it only
    // through the holder rendering.
    vars: { reasons: holderReasons(verdict), actions: inputs.actionsTaken ?? '' },
    data: verdict ? { blockers: verdict.blockers.map((b) => b.code) } : {},
    now,
    store: (repos) =>
      repos.closures.saveTransition(result.closure, stored.closure.version, {
        now,
        releaseLease,
        ...(verdict ? { verdict } : {}),
      }),
    ...(finalizeNow ? { finalize: () => finalizeNow(result.closure, contact) } : {}),
  });
  return saved ? result.closure : null;
}

/**
 * Finalization. Freeze first: a deposit racing the final check must bounce, not strand.
 * Then fresh facts and a plan: the consented automatic actions are taken only when, after
 * them, the account would be eligible (consent to sweep was consent to close, not to lose
 * dust on an account that stays open). The decision is stored before it is acted on, so a
 * worker killed half-way repeats the same decision instead of re-checking an account it
 * already began to change.
 */
async function finalize(
  ctx: AppContext,
  rules: EligibilityRules,
  stored: StoredClosure,
  reader: FactsBatcher,
  contact?: HolderContact | null,
): Promise<string | null> {
  const { closure } = stored;
  const key = (suffix: string) => `closure:${closure.id}:${suffix}`;
  let decision = stored.decision;
  let verdict = stored.verdict;
  let actionsTaken = '';
  // The facts the decision was made on; unknown when a repeated step finds it stored.
  let decidedOn: AccountFacts | undefined;
  if (decision === null) {
    await ctx.platform.freeze(closure.accountId, key('freeze'));
    let facts = await requireFacts(reader, closure.accountId);
    if (facts.status === 'closed') {
      // Closed already (the platform closed it meanwhile): evaluating would only report
      // account_closed, and unfreezing a closed account is impossible. Finish the closure.
      decision = 'close';
    } else {
      const now = ctx.clock.now();
      const plan = planFinalization(
        withoutOwnClosure(facts),
        rules(facts.jurisdiction).policy,
        closure.consent,
        now,
      );
      // The plan evaluated the facts as they are: render that verdict instead of evaluating again.
      verdict = renderVerdict(plan.before, { lang: 'en', audience: 'agent', now });
      if (!plan.after.eligible) {
        // Something the holder or support must fix stands: touch nothing, tell them why.
        decision = 'block';
      } else {
        const taken = await performPlan(ctx, reader, closure.accountId, plan, facts, key);
        actionsTaken = describeActions(taken);
        // Facts are read again only when an action changed them.
        if (taken.length > 0) {
          facts = await requireFacts(reader, closure.accountId);
          verdict = evaluateFacts(rules, withoutOwnClosure(facts), ctx.clock.now());
        }
        decision = verdict.eligible ? 'close' : 'block';
      }
    }
    decidedOn = facts;
    // One conditional UPDATE, atomic by itself: no transaction around it (two round trips fewer).
    const stuck = await ctx.repos.closures.recordDecision(
      closure.id,
      closure.version,
      decision,
      verdict,
    );
    if (!stuck) {
      const reread = await ctx.repos.closures.get(closure.id);
      if (!reread || reread.decision === null) return null;
      decision = reread.decision;
      verdict = reread.verdict;
      decidedOn = undefined; // another worker's decision, on facts it read
    }
  }
  // The decision's platform actions (close_account or unfreeze) are the `finalized`
  // transition's effects: they run before it is stored, under this closure's keys.
  const done = await step(
    ctx,
    rules,
    stored,
    { type: 'finalized', eligible: decision === 'close' },
    {
      verdict,
      actionsTaken,
      ...(contact === undefined ? {} : { contact }),
      ...(decidedOn ? { facts: decidedOn } : {}),
    },
  );
  return done?.state ?? null;
}

type TakenAction =
  | { kind: 'cancel_order'; id: string }
  | { kind: 'sweep'; asset: string; amount: string }
  | { kind: 'revoke'; name: string };

/** Cancels orders first (releasing funds), then sweeps dust and revokes apps, as planned. */
async function performPlan(
  ctx: AppContext,
  reader: FactsBatcher,
  accountId: string,
  plan: FinalizationPlan,
  facts: AccountFacts,
  key: (suffix: string) => string,
): Promise<TakenAction[]> {
  const taken: TakenAction[] = [];
  for (const id of plan.cancelOrders) {
    await ctx.platform.cancelOrder(accountId, id, key(`order:${id}`));
    taken.push({ kind: 'cancel_order', id });
  }
  if (plan.cancelOrders.length > 0 && plan.sweepAssets.length > 0)
    facts = await requireFacts(reader, accountId);
  for (const asset of plan.sweepAssets) {
    const balance = facts.balances.find((b) => b.asset === asset);
    await ctx.platform.sweepDust(accountId, asset, key(`sweep:${asset}`));
    taken.push({
      kind: 'sweep',
      asset,
      amount: balance ? formatAmount(balance.available, balance.decimals) : '',
    });
  }
  for (const id of plan.revokeAuthorizations) {
    await ctx.platform.revokeAuthorization(accountId, id, key(`authorization:${id}`));
    taken.push({ kind: 'revoke', name: facts.authorizations.find((a) => a.id === id)?.name ?? id });
  }
  return taken;
}

/** What the holder consented to and was done, in one sentence for their notice. */
function describeActions(taken: readonly TakenAction[]): string {
  if (taken.length === 0) return '';
  const parts = taken.map((t) => {
    switch (t.kind) {
      case 'cancel_order':
        return `cancelled open order ${t.id}`;
      case 'sweep':
        return `swept the dust of ${t.amount} ${t.asset} to the platform`;
      case 'revoke':
        return `revoked the access of ${t.name}`;
    }
  });
  return `With your consent we ${parts.join(', ')}.`;
}

async function requireFacts(reader: FactsBatcher, accountId: string): Promise<AccountFacts> {
  const facts = await reader.facts(accountId);
  if (!facts) throw new Error(`account ${accountId} vanished during finalization`);
  return facts;
}

/** The closure being finalized is not a blocker to itself; frozen is our own doing. */
function withoutOwnClosure(facts: AccountFacts): AccountFacts {
  return { ...facts, closure: null, status: facts.status === 'frozen' ? 'active' : facts.status };
}

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLOSURE_EVENT_TYPES,
  CLOSURE_STATES,
  createClosure,
  creationEffects,
  isTerminal,
  transition,
  TRANSITIONS,
} from './closure.js';
import type {
  Closure,
  ClosureEvent,
  ClosureRefusalCode,
  ClosureState,
  ClosureTimings,
  NewClosure,
  TransitionResult,
  TransitionRule,
} from './closure.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2025-03-01T09:00:00.000Z');
const TIMINGS: ClosureTimings = { gracePeriodMs: 7 * DAY, confirmationExpiryMs: DAY };
const CONSENT = { sweepDust: true, cancelOrders: true, revokeApps: false };

const at = (ms: number): Date => new Date(T0.getTime() + ms);
const shift = (instant: Date, ms: number): Date => new Date(instant.getTime() + ms);

function open(overrides: Partial<NewClosure> = {}): Closure {
  return createClosure({
    id: 'closure-1',
    accountId: 'demo-clean',
    now: T0,
    timings: TIMINGS,
    consent: CONSENT,
    confirmed: false,
    earliestEligibleAt: null,
    ...overrides,
  });
}

function accepted(result: TransitionResult): Extract<TransitionResult, { ok: true }> {
  if (!result.ok)
    throw new Error(
      `expected the event to be accepted, got ${result.refusal.code}: ${result.refusal.message}`,
    );
  return result;
}

function refusal(result: TransitionResult): { code: ClosureRefusalCode; message: string } {
  if (result.ok) throw new Error(`expected a refusal, got a move to ${result.closure.state}`);
  return result.refusal;
}

function apply(closure: Closure, event: ClosureEvent, now: Date, timings = TIMINGS): Closure {
  return accepted(transition(closure, event, now, timings)).closure;
}

const confirm: ClosureEvent = { type: 'confirm', viaReauthentication: true };
const timer: ClosureEvent = { type: 'timer' };

describe('createClosure', () => {
  it('opens an unconfirmed request that the worker expires when the confirmation window closes', () => {
    const closure = open();
    expect(closure).toMatchObject({
      state: 'requested',
      version: 1,
      confirmedAt: null,
      graceEndsAt: null,
    });
    expect(closure.confirmationExpiresAt).toEqual(at(DAY));
    expect(closure.dueAt).toEqual(at(DAY));
    expect(creationEffects(closure)).toEqual([
      { type: 'notify', template: 'closure.confirmation_required' },
      { type: 'emit', event: 'closure.requested' },
    ]);
  });

  it('starts in grace when the platform already re-authenticated the holder', () => {
    const closure = open({ confirmed: true });
    expect(closure).toMatchObject({ state: 'grace', version: 1, confirmedAt: T0 });
    expect(closure.graceEndsAt).toEqual(at(7 * DAY));
    expect(closure.dueAt).toEqual(at(7 * DAY));
    expect(creationEffects(closure)).toEqual([
      { type: 'notify', template: 'closure.confirmed' },
      { type: 'emit', event: 'closure.requested' },
      { type: 'emit', event: 'closure.confirmed' },
    ]);
  });

  it('makes finalization due at the later of the grace end and the earliest eligible instant', () => {
    expect(open({ confirmed: true, earliestEligibleAt: at(10 * DAY) }).dueAt).toEqual(at(10 * DAY));
    expect(open({ confirmed: true, earliestEligibleAt: at(2 * DAY) }).dueAt).toEqual(at(7 * DAY));
  });
});

describe('transition', () => {
  it('starts the grace period at confirmation and tells the holder', () => {
    const result = accepted(transition(open(), confirm, at(HOUR), TIMINGS));
    expect(result.closure).toMatchObject({ state: 'grace', version: 2, confirmedAt: at(HOUR) });
    expect(result.closure.graceEndsAt).toEqual(at(HOUR + 7 * DAY));
    expect(result.closure.dueAt).toEqual(at(HOUR + 7 * DAY));
    expect(result.effects).toEqual([
      { type: 'notify', template: 'closure.confirmed' },
      { type: 'emit', event: 'closure.confirmed' },
    ]);
  });

  it('refuses a confirmation once the window has closed, and expires the request on the timer', () => {
    const closure = open();
    expect(refusal(transition(closure, confirm, at(DAY), TIMINGS)).code).toBe('not_allowed');
    expect(refusal(transition(closure, timer, at(DAY - 1), TIMINGS)).code).toBe('not_due');

    const result = accepted(transition(closure, timer, at(DAY), TIMINGS));
    expect(result.closure).toMatchObject({ state: 'expired', dueAt: null, endedAt: at(DAY) });
    expect(result.effects).toContainEqual({ type: 'emit', event: 'closure.expired' });
  });

  it('finalizes only when due, and then asks the worker to run the final check', () => {
    const grace = open({ confirmed: true });
    expect(refusal(transition(grace, timer, at(7 * DAY - 1), TIMINGS)).code).toBe('not_due');

    const result = accepted(transition(grace, timer, at(7 * DAY), TIMINGS));
    expect(result.closure).toMatchObject({ state: 'finalizing', dueAt: at(7 * DAY) });
    expect(result.effects).toEqual([{ type: 'finalize' }]);
  });

  it('closes the account when the final check finds it eligible', () => {
    const finalizing = apply(open({ confirmed: true }), timer, at(7 * DAY));
    const result = accepted(
      transition(finalizing, { type: 'finalized', eligible: true }, at(7 * DAY + 1), TIMINGS),
    );
    expect(result.closure).toMatchObject({
      state: 'closed',
      dueAt: null,
      endedAt: at(7 * DAY + 1),
    });
    expect(result.effects).toEqual([
      { type: 'close_account' },
      { type: 'notify', template: 'closure.completed' },
      { type: 'emit', event: 'closure.completed' },
    ]);
  });

  it('unfreezes the account before telling the holder when the final check finds blockers', () => {
    const finalizing = apply(open({ confirmed: true }), timer, at(7 * DAY));
    const result = accepted(
      transition(finalizing, { type: 'finalized', eligible: false }, at(7 * DAY + 1), TIMINGS),
    );
    expect(result.closure.state).toBe('blocked');
    expect(result.effects[0]).toEqual({ type: 'unfreeze' });
    expect(result.effects).toContainEqual({ type: 'notify', template: 'closure.blocked' });
  });

  it('lets the holder cancel during grace, even past its end, but not once finalization has started', () => {
    const grace = open({ confirmed: true });
    const cancelled = accepted(
      transition(grace, { type: 'cancel', by: 'holder' }, at(7 * DAY + HOUR), TIMINGS),
    );
    expect(cancelled.closure).toMatchObject({
      state: 'cancelled',
      reason: 'cancelled by the holder',
    });

    const finalizing = apply(grace, timer, at(7 * DAY));
    const refused = refusal(
      transition(finalizing, { type: 'cancel', by: 'holder' }, at(7 * DAY + 1), TIMINGS),
    );
    expect(refused.code).toBe('not_allowed');
    expect(refused.message).toMatch(/finalization has started/i);
  });

  it('stops the clock while support decides, and keeps the grace end the holder was told', () => {
    const grace = open({ confirmed: true });
    const escalated = apply(grace, { type: 'escalate', reason: 'asks to expedite' }, at(DAY));
    expect(escalated).toMatchObject({
      state: 'escalated',
      dueAt: null,
      reason: 'asks to expedite',
    });
    expect(refusal(transition(escalated, timer, at(30 * DAY), TIMINGS)).code).toBe('not_allowed');

    const early = accepted(
      transition(escalated, { type: 'approve', agentId: 'agent-7' }, at(2 * DAY), TIMINGS),
    );
    expect(early.closure).toMatchObject({
      state: 'grace',
      graceEndsAt: at(7 * DAY),
      dueAt: at(7 * DAY),
      reason: null,
    });

    const late = accepted(
      transition(escalated, { type: 'approve', agentId: 'agent-7' }, at(8 * DAY), TIMINGS),
    );
    expect(late.closure.state).toBe('finalizing');
    expect(late.effects).toContainEqual({ type: 'finalize' });
  });

  it('starts a fresh grace period when support approves a request the holder never confirmed', () => {
    const escalated = apply(open(), { type: 'escalate', reason: 'lost access to email' }, at(HOUR));
    const approved = apply(escalated, { type: 'approve', agentId: 'agent-7' }, at(3 * DAY));
    expect(approved).toMatchObject({
      state: 'grace',
      confirmedAt: at(3 * DAY),
      graceEndsAt: at(10 * DAY),
    });
  });

  it('records the rejection reason for agents', () => {
    const escalated = apply(
      open({ confirmed: true }),
      { type: 'escalate', reason: 'dispute' },
      at(HOUR),
    );
    const rejected = apply(
      escalated,
      { type: 'reject', agentId: 'agent-7', reason: 'open chargeback' },
      at(DAY),
    );
    expect(rejected).toMatchObject({
      state: 'rejected',
      reason: 'open chargeback',
      endedAt: at(DAY),
    });
  });

  it('refuses every event once the closure has ended, blocked included', () => {
    const finalizing = apply(open({ confirmed: true }), timer, at(7 * DAY));
    const blocked = apply(finalizing, { type: 'finalized', eligible: false }, at(7 * DAY));
    const escalation = refusal(
      transition(blocked, { type: 'escalate', reason: 'why?' }, at(8 * DAY), TIMINGS),
    );
    expect(escalation.code).toBe('already_ended');
    expect(escalation.message).toMatch(/request a new closure/i);
  });
});

// Closures in every state, some reached by more than one path, so that conditional cells
// (time guards, payload-dependent targets) show all their outcomes.
function closuresInEveryState(): Closure[] {
  const requested = open();
  const grace = apply(requested, confirm, at(HOUR));
  const graceWithWait = open({ confirmed: true, earliestEligibleAt: at(10 * DAY) });
  const finalizing = apply(grace, timer, grace.dueAt!);
  const escalatedFromRequested = apply(requested, { type: 'escalate', reason: 'r' }, at(HOUR));
  const escalatedFromGrace = apply(grace, { type: 'escalate', reason: 'r' }, at(2 * DAY));
  return [
    requested,
    grace,
    graceWithWait,
    finalizing,
    escalatedFromRequested,
    escalatedFromGrace,
    apply(finalizing, { type: 'finalized', eligible: true }, at(9 * DAY)),
    apply(finalizing, { type: 'finalized', eligible: false }, at(9 * DAY)),
    apply(grace, { type: 'cancel', by: 'agent' }, at(2 * DAY)),
    apply(escalatedFromGrace, { type: 'reject', agentId: 'a', reason: 'r' }, at(3 * DAY)),
    apply(requested, timer, at(DAY)),
  ];
}

const EVENT_VARIANTS: ClosureEvent[] = [
  { type: 'confirm' },
  { type: 'confirm', viaReauthentication: true },
  { type: 'cancel', by: 'holder' },
  { type: 'cancel', by: 'agent' },
  { type: 'timer' },
  { type: 'finalized', eligible: true },
  { type: 'finalized', eligible: false },
  { type: 'escalate', reason: 'r' },
  { type: 'approve', agentId: 'a' },
  { type: 'reject', agentId: 'a', reason: 'r' },
];

function instantsAround(closure: Closure): Date[] {
  const marks = [
    T0,
    closure.confirmationExpiresAt,
    closure.graceEndsAt,
    closure.dueAt,
    closure.earliestEligibleAt,
  ];
  return [
    ...marks.flatMap((mark) => (mark === null ? [] : [shift(mark, -1), mark, shift(mark, 1)])),
    at(HOUR),
    at(365 * DAY),
  ];
}

const sorted = <T extends string>(values: Iterable<T>): T[] => [...values].sort();

describe('TRANSITIONS', () => {
  it('has a rule for every state and every event type', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...CLOSURE_STATES].sort());
    for (const state of CLOSURE_STATES)
      expect(Object.keys(TRANSITIONS[state]).sort()).toEqual([...CLOSURE_EVENT_TYPES].sort());
    expect(sorted(new Set(EVENT_VARIANTS.map((event) => event.type)))).toEqual(
      sorted(CLOSURE_EVENT_TYPES),
    );
  });

  it('is exactly what transition does, for every state/event pair', () => {
    const seen = new Map<string, { to: Set<ClosureState>; refusals: Set<ClosureRefusalCode> }>();
    for (const closure of closuresInEveryState()) {
      for (const event of EVENT_VARIANTS) {
        for (const now of instantsAround(closure)) {
          const key = `${closure.state} × ${event.type}`;
          const outcomes = seen.get(key) ?? { to: new Set(), refusals: new Set() };
          seen.set(key, outcomes);
          const result = transition(closure, event, now, TIMINGS);
          if (result.ok) outcomes.to.add(result.closure.state);
          else outcomes.refusals.add(result.refusal.code);
        }
      }
    }
    for (const state of CLOSURE_STATES) {
      for (const type of CLOSURE_EVENT_TYPES) {
        const outcomes = seen.get(`${state} × ${type}`);
        const rule = TRANSITIONS[state][type];
        expect(outcomes, `${state} × ${type} was never tried`).toBeDefined();
        expect(sorted(outcomes!.to), `targets of ${state} × ${type}`).toEqual(sorted(rule.to));
        expect(sorted(outcomes!.refusals), `refusals of ${state} × ${type}`).toEqual(
          sorted(rule.refusals),
        );
      }
    }
  });

  it('refuses everything, and only with already_ended, exactly in the terminal states', () => {
    for (const state of CLOSURE_STATES) {
      const ends = CLOSURE_EVENT_TYPES.every(
        (type) =>
          TRANSITIONS[state][type].to.length === 0 &&
          TRANSITIONS[state][type].refusals.join() === 'already_ended',
      );
      expect(ends, state).toBe(isTerminal(state));
    }
  });
});

// docs/closure.md is what users read: its table must say what the code does.
describe('docs/closure.md', () => {
  const doc = readFileSync(new URL('../../docs/closure.md', import.meta.url), 'utf8');
  const table = /<!-- transitions:start -->([\s\S]*?)<!-- transitions:end -->/.exec(doc)?.[1] ?? '';
  const rows = table
    .split('\n')
    .filter((line) => line.trim().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.replaceAll('`', '').trim()),
    );
  const [header = [], , ...body] = rows;

  const render = (rule: TransitionRule): string =>
    [...rule.to.map((state) => `→ ${state}`), ...rule.refusals.map((code) => `✗ ${code}`)].join(
      ', ',
    );

  it('has one column per event type, in order', () => {
    expect(header.slice(1)).toEqual([...CLOSURE_EVENT_TYPES]);
  });

  it('has one row per state, in order', () => {
    expect(body.map((row) => row[0])).toEqual([...CLOSURE_STATES]);
  });

  it('states every cell as TRANSITIONS does', () => {
    for (const row of body) {
      const state = row[0] as ClosureState;
      CLOSURE_EVENT_TYPES.forEach((type, column) => {
        expect(row[column + 1], `docs/closure.md cell ${state} × ${type}`).toBe(
          render(TRANSITIONS[state][type]),
        );
      });
    }
  });
});

interface Step {
  readonly before: Closure;
  readonly event: ClosureEvent;
  readonly now: Date;
  readonly result: TransitionResult;
}

const eventArb: fc.Arbitrary<ClosureEvent> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<ClosureEvent>({ type: 'timer' }) },
  {
    weight: 2,
    arbitrary: fc
      .boolean()
      .map((viaReauthentication): ClosureEvent => ({ type: 'confirm', viaReauthentication })),
  },
  {
    weight: 3,
    arbitrary: fc.boolean().map((eligible): ClosureEvent => ({ type: 'finalized', eligible })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<'holder' | 'agent'>('holder', 'agent')
      .map((by): ClosureEvent => ({ type: 'cancel', by })),
  },
  {
    weight: 1,
    arbitrary: fc.constant<ClosureEvent>({ type: 'escalate', reason: 'asks for help' }),
  },
  { weight: 1, arbitrary: fc.constant<ClosureEvent>({ type: 'approve', agentId: 'agent-1' }) },
  {
    weight: 1,
    arbitrary: fc.constant<ClosureEvent>({ type: 'reject', agentId: 'agent-1', reason: 'no' }),
  },
);

// Steps of zero (same instant) and steps longer than any timing, so every guard is crossed.
const stepArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 * DAY }));

interface RunInput {
  readonly timings: ClosureTimings;
  readonly confirmed: boolean;
  readonly earliestEligibleAt: Date | null;
  readonly steps: readonly (readonly [number, ClosureEvent])[];
}

const runArb: fc.Arbitrary<RunInput> = fc.record({
  timings: fc.record({
    gracePeriodMs: fc.integer({ min: 0, max: 10 * DAY }),
    confirmationExpiryMs: fc.integer({ min: 0, max: 3 * DAY }),
  }),
  confirmed: fc.boolean(),
  earliestEligibleAt: fc.option(fc.integer({ min: -5 * DAY, max: 20 * DAY }).map(at), {
    nil: null,
  }),
  steps: fc.array(fc.tuple(stepArb, eventArb), { maxLength: 25 }),
});

function run(input: RunInput): Step[] {
  let closure = open({
    confirmed: input.confirmed,
    earliestEligibleAt: input.earliestEligibleAt,
    timings: input.timings,
  });
  let now = T0;
  const steps: Step[] = [];
  for (const [ms, event] of input.steps) {
    now = shift(now, ms);
    const result = transition(closure, event, now, input.timings);
    steps.push({ before: closure, event, now, result });
    if (result.ok) closure = result.closure;
  }
  return steps;
}

const statesOf = (steps: Step[]): ClosureState[] => [
  ...steps.slice(0, 1).map((step) => step.before.state),
  ...steps.flatMap((step) => (step.result.ok ? [step.result.closure.state] : [])),
];

describe('closure invariants (random event sequences, time moving forward)', () => {
  it('the generator reaches every state, so the properties below are not vacuous', () => {
    const reached = new Set(
      fc.sample(runArb, { numRuns: 2000, seed: 42 }).flatMap((input) => statesOf(run(input))),
    );
    expect(sorted(reached)).toEqual(sorted(CLOSURE_STATES));
  });

  it('never leaves a terminal state once entered', () => {
    fc.assert(
      fc.property(runArb, (input) => {
        for (const step of run(input)) {
          if (!isTerminal(step.before.state)) continue;
          expect(step.result.ok).toBe(false);
          expect(refusal(step.result).code).toBe('already_ended');
        }
      }),
    );
  });

  it('adds exactly 1 to the version per accepted event', () => {
    fc.assert(
      fc.property(runArb, (input) => {
        const steps = run(input);
        for (const step of steps) {
          if (step.result.ok) expect(step.result.closure.version).toBe(step.before.version + 1);
        }
        const acceptedCount = steps.filter((step) => step.result.ok).length;
        const last = steps.at(-1);
        const finalVersion =
          last === undefined
            ? 1
            : last.result.ok
              ? last.result.closure.version
              : last.before.version;
        expect(finalVersion).toBe(1 + acceptedCount);
      }),
    );
  });

  it('reaches closed only from finalizing', () => {
    fc.assert(
      fc.property(runArb, (input) => {
        for (const step of run(input)) {
          if (step.result.ok && step.result.closure.state === 'closed')
            expect(step.before.state).toBe('finalizing');
        }
      }),
    );
  });

  it('never enters finalizing before the grace period and every known wait have ended', () => {
    fc.assert(
      fc.property(runArb, (input) => {
        for (const step of run(input)) {
          if (
            !step.result.ok ||
            step.result.closure.state !== 'finalizing' ||
            step.before.state === 'finalizing'
          )
            continue;
          const entered = step.result.closure;
          const now = step.now.getTime();
          expect(entered.graceEndsAt).not.toBeNull();
          expect(now).toBeGreaterThanOrEqual(entered.graceEndsAt!.getTime());
          if (entered.earliestEligibleAt)
            expect(now).toBeGreaterThanOrEqual(entered.earliestEligibleAt.getTime());
          if (step.before.dueAt) expect(now).toBeGreaterThanOrEqual(step.before.dueAt.getTime());
        }
      }),
    );
  });

  it('never accepts cancel once finalizing has been entered', () => {
    fc.assert(
      fc.property(runArb, (input) => {
        let finalizingEntered = false;
        for (const step of run(input)) {
          if (step.before.state === 'finalizing') finalizingEntered = true;
          if (finalizingEntered && step.event.type === 'cancel') expect(step.result.ok).toBe(false);
        }
      }),
    );
  });

  it('moves only as TRANSITIONS says, and gives the worker a due instant exactly when it has work', () => {
    fc.assert(
      fc.property(runArb, (input) => {
        for (const step of run(input)) {
          const rule = TRANSITIONS[step.before.state][step.event.type];
          if (!step.result.ok) {
            expect(rule.refusals).toContain(step.result.refusal.code);
            continue;
          }
          const after = step.result.closure;
          expect(rule.to).toContain(after.state);
          const workerHasWork = !isTerminal(after.state) && after.state !== 'escalated';
          expect(after.dueAt !== null).toBe(workerHasWork);
          expect(after.endedAt !== null).toBe(isTerminal(after.state));
        }
      }),
    );
  });
});

/**
 * The closure lifecycle (DESIGN.md part 4) as a pure state machine. `transition` decides;
 * the caller persists the closure it returns (guarded by `version`) and performs its
 * effects. Nothing here reads a clock or touches the world: `now` is always an argument.
 * docs/closure.md explains the lifecycle to users; a test keeps its table and TRANSITIONS
 * in step.
 */

export const CLOSURE_STATES = [
  'requested',
  'grace',
  'finalizing',
  'closed',
  'blocked',
  'cancelled',
  'escalated',
  'rejected',
  'expired',
] as const;

export type ClosureState = (typeof CLOSURE_STATES)[number];

export type TerminalClosureState = 'closed' | 'blocked' | 'cancelled' | 'rejected' | 'expired';

/** States the closure can still leave. */
export type OpenClosureState = Exclude<ClosureState, TerminalClosureState>;

export function isTerminal(state: ClosureState): state is TerminalClosureState {
  // A switch rather than a list: a new state does not compile until someone decides.
  switch (state) {
    case 'closed':
    case 'blocked':
    case 'cancelled':
    case 'rejected':
    case 'expired':
      return true;
    case 'requested':
    case 'grace':
    case 'finalizing':
    case 'escalated':
      return false;
  }
}

export type ClosureEvent =
  /** The holder proved it is them (re-authentication or a one-time code). */
  | { readonly type: 'confirm'; readonly viaReauthentication?: boolean }
  | { readonly type: 'cancel'; readonly by: 'holder' | 'agent' }
  /** The worker found the closure due (`dueAt` reached). */
  | { readonly type: 'timer' }
  /** The outcome of the final check the worker ran for a `finalize` effect. */
  | { readonly type: 'finalized'; readonly eligible: boolean }
  | { readonly type: 'escalate'; readonly reason: string }
  | { readonly type: 'approve'; readonly agentId: string }
  | { readonly type: 'reject'; readonly agentId: string; readonly reason: string };

export type ClosureEventType = ClosureEvent['type'];

// A record, so that an event type added to the union must be listed here to compile.
const EVENT_TYPES: Record<ClosureEventType, true> = {
  confirm: true,
  cancel: true,
  timer: true,
  finalized: true,
  escalate: true,
  approve: true,
  reject: true,
};

export const CLOSURE_EVENT_TYPES = Object.keys(EVENT_TYPES) as readonly ClosureEventType[];

export interface ClosureTimings {
  /** How long a confirmed holder can still cancel before finalization may start. */
  readonly gracePeriodMs: number;
  /** How long an unconfirmed request stays open before it expires. */
  readonly confirmationExpiryMs: number;
}

/** What the holder allowed closure to do on their behalf at finalization. */
export interface ClosureConsent {
  readonly sweepDust: boolean;
  readonly cancelOrders: boolean;
  readonly revokeApps: boolean;
}

export interface Closure {
  readonly id: string;
  readonly accountId: string;
  readonly state: ClosureState;
  readonly requestedAt: Date;
  readonly confirmedAt: Date | null;
  readonly confirmationExpiresAt: Date;
  /** When the worker should act next; null when only a person can move the closure. */
  readonly dueAt: Date | null;
  readonly graceEndsAt: Date | null;
  /** When the only blockers the verdict found (waits) end; null when there were none. */
  readonly earliestEligibleAt: Date | null;
  readonly consent: ClosureConsent;
  /** Starts at 1 and grows by 1 per accepted event: store with `where version = previous`. */
  readonly version: number;
  readonly endedAt: Date | null;
  /** Why the closure is where it is, for agents and the audit log; never shown verbatim to the holder. */
  readonly reason: string | null;
}

/** Holder notifications. The notifier sends each to every channel on file (see docs/closure.md). */
export type ClosureNotice =
  | 'closure.confirmation_required'
  | 'closure.confirmed'
  | 'closure.cancelled'
  | 'closure.expired'
  | 'closure.escalated'
  | 'closure.approved'
  | 'closure.rejected'
  | 'closure.blocked'
  | 'closure.completed';

/** Outbox events (webhooks). */
export type ClosureOutboxEvent =
  | 'closure.requested'
  | 'closure.confirmed'
  | 'closure.cancelled'
  | 'closure.expired'
  | 'closure.escalated'
  | 'closure.approved'
  | 'closure.rejected'
  | 'closure.blocked'
  | 'closure.completed';

/**
 * What the caller must do because of a transition, in the order listed. Each must be
 * idempotent (keyed by closure id and version): a worker that dies after committing the
 * transition but before finishing its effects leaves them to be repeated.
 */
export type ClosureEffect =
  | { readonly type: 'notify'; readonly template: ClosureNotice }
  | { readonly type: 'emit'; readonly event: ClosureOutboxEvent }
  /** Freeze the account, read fresh facts, take the consented automatic actions, evaluate, then send `finalized`. */
  | { readonly type: 'finalize' }
  /** The final check found blockers: give the holder their account back. */
  | { readonly type: 'unfreeze' }
  /** Revoke every credential and authorization and mark the account closed (retention is not built yet: none is scheduled). */
  | { readonly type: 'close_account' };

export type ClosureRefusalCode = 'not_allowed' | 'not_due' | 'already_ended';

export type TransitionResult =
  | { readonly ok: true; readonly closure: Closure; readonly effects: readonly ClosureEffect[] }
  | {
      readonly ok: false;
      readonly refusal: { readonly code: ClosureRefusalCode; readonly message: string };
    };

/**
 * One cell of the state/event table. `to` lists every state the event can move the closure
 * to (which one depends on the event's payload or the time); `refusals` lists every way it
 * can be refused — the only outcome when `to` is empty, otherwise a guard on time.
 */
export interface TransitionRule {
  readonly to: readonly ClosureState[];
  readonly refusals: readonly ClosureRefusalCode[];
}

const refused: TransitionRule = { to: [], refusals: ['not_allowed'] };
const ended: TransitionRule = { to: [], refusals: ['already_ended'] };
const endedRow: Record<ClosureEventType, TransitionRule> = {
  confirm: ended,
  cancel: ended,
  timer: ended,
  finalized: ended,
  escalate: ended,
  approve: ended,
  reject: ended,
};

/** Every (state, event type) pair: where it leads, or how it is refused. */
export const TRANSITIONS: Readonly<
  Record<ClosureState, Readonly<Record<ClosureEventType, TransitionRule>>>
> = {
  requested: {
    // confirm and escalate are refused once the confirmation window has closed: an old
    // one-time code must not revive a request that is only waiting to expire.
    confirm: { to: ['grace'], refusals: ['not_allowed'] },
    cancel: { to: ['cancelled'], refusals: [] },
    timer: { to: ['expired'], refusals: ['not_due'] },
    finalized: refused,
    escalate: { to: ['escalated'], refusals: ['not_allowed'] },
    approve: refused,
    reject: refused,
  },
  grace: {
    confirm: refused,
    cancel: { to: ['cancelled'], refusals: [] },
    timer: { to: ['finalizing'], refusals: ['not_due'] },
    finalized: refused,
    escalate: { to: ['escalated'], refusals: [] },
    approve: refused,
    reject: refused,
  },
  finalizing: {
    confirm: refused,
    cancel: refused,
    timer: refused,
    finalized: { to: ['closed', 'blocked'], refusals: [] },
    escalate: refused,
    approve: refused,
    reject: refused,
  },
  escalated: {
    confirm: refused,
    cancel: { to: ['cancelled'], refusals: [] },
    timer: refused,
    finalized: refused,
    escalate: refused,
    approve: { to: ['grace', 'finalizing'], refusals: [] },
    reject: { to: ['rejected'], refusals: [] },
  },
  closed: endedRow,
  blocked: endedRow,
  cancelled: endedRow,
  rejected: endedRow,
  expired: endedRow,
};

export interface NewClosure {
  readonly id: string;
  readonly accountId: string;
  readonly now: Date;
  readonly timings: ClosureTimings;
  readonly consent: ClosureConsent;
  /** The platform already re-authenticated the holder, so the closure starts in grace. */
  readonly confirmed: boolean;
  /** From the eligibility verdict: when the waits it found end, or null. */
  readonly earliestEligibleAt: Date | null;
}

export function createClosure(input: NewClosure): Closure {
  const { now, timings } = input;
  const requested: Closure = {
    id: input.id,
    accountId: input.accountId,
    state: 'requested',
    requestedAt: now,
    confirmedAt: null,
    confirmationExpiresAt: addMs(now, timings.confirmationExpiryMs),
    dueAt: addMs(now, timings.confirmationExpiryMs),
    graceEndsAt: null,
    earliestEligibleAt: input.earliestEligibleAt,
    consent: input.consent,
    version: 1,
    endedAt: null,
    reason: null,
  };
  return input.confirmed ? { ...requested, ...startGrace(requested, now, timings) } : requested;
}

/** The effects of storing a closure `createClosure` just made. */
export function creationEffects(closure: Closure): ClosureEffect[] {
  if (closure.state === 'grace') {
    return [notify('closure.confirmed'), emit('closure.requested'), emit('closure.confirmed')];
  }
  return [notify('closure.confirmation_required'), emit('closure.requested')];
}

export function transition(
  closure: Closure,
  event: ClosureEvent,
  now: Date,
  timings: ClosureTimings,
): TransitionResult {
  if (!isOpen(closure)) {
    const at = closure.endedAt === null ? '' : ` at ${closure.endedAt.toISOString()}`;
    return refuse(
      'already_ended',
      `The closure ended as ${closure.state}${at}. Request a new closure to try again.`,
    );
  }
  switch (event.type) {
    case 'confirm':
      return onConfirm(closure, now, timings);
    case 'cancel':
      return onCancel(closure, event.by, now);
    case 'timer':
      return onTimer(closure, now);
    case 'finalized':
      return onFinalized(closure, event.eligible, now);
    case 'escalate':
      return onEscalate(closure, event.reason, now);
    case 'approve':
      return onApprove(closure, now, timings);
    case 'reject':
      return onReject(closure, event.reason, now);
  }
}

type OpenClosure = Closure & { readonly state: OpenClosureState };

function isOpen(closure: Closure): closure is OpenClosure {
  return !isTerminal(closure.state);
}

function onConfirm(closure: OpenClosure, now: Date, timings: ClosureTimings): TransitionResult {
  switch (closure.state) {
    case 'requested':
      if (!before(now, closure.confirmationExpiresAt)) return confirmationWindowClosed(closure);
      return accept(closure, startGrace(closure, now, timings), [
        notify('closure.confirmed'),
        emit('closure.confirmed'),
      ]);
    case 'grace':
      return refuse(
        'not_allowed',
        `The closure is already confirmed; it finalizes from ${iso(closure.dueAt)} unless cancelled.`,
      );
    case 'finalizing':
    case 'escalated':
      return notAllowed(closure, 'confirm');
  }
}

function onCancel(closure: OpenClosure, by: 'holder' | 'agent', now: Date): TransitionResult {
  switch (closure.state) {
    case 'requested':
    case 'grace':
    case 'escalated':
      return accept(
        closure,
        end(
          'cancelled',
          now,
          by === 'holder' ? 'cancelled by the holder' : 'cancelled by an agent',
        ),
        [notify('closure.cancelled'), emit('closure.cancelled')],
      );
    case 'finalizing':
      // The account is frozen and automatic actions may be under way; stopping halfway would
      // leave it in a state nobody chose. The check ends in closed or blocked (unfrozen).
      return refuse(
        'not_allowed',
        'Finalization has started, so the closure can no longer be cancelled. If blockers are found the account is unfrozen.',
      );
  }
}

function onTimer(closure: OpenClosure, now: Date): TransitionResult {
  switch (closure.state) {
    case 'requested':
      if (before(now, closure.confirmationExpiresAt)) {
        return refuse(
          'not_due',
          `The confirmation window is open until ${iso(closure.confirmationExpiresAt)}.`,
        );
      }
      return accept(closure, end('expired', now, 'not confirmed in time'), [
        notify('closure.expired'),
        emit('closure.expired'),
      ]);
    case 'grace':
      // A grace closure always has dueAt; one that lost it waits for a person rather than
      // finalizing early.
      if (closure.dueAt === null || before(now, closure.dueAt)) {
        return refuse(
          'not_due',
          `Finalization is due at ${iso(closure.dueAt)}; the holder can cancel until then.`,
        );
      }
      return accept(closure, startFinalizing(now), [{ type: 'finalize' }]);
    case 'finalizing':
      return refuse(
        'not_allowed',
        'Finalization is in progress; deliver its outcome with a finalized event.',
      );
    case 'escalated':
      return refuse('not_allowed', 'The closure waits for a support decision, not for time.');
  }
}

function onFinalized(closure: OpenClosure, eligible: boolean, now: Date): TransitionResult {
  switch (closure.state) {
    case 'finalizing':
      if (eligible) {
        return accept(closure, end('closed', now, null), [
          { type: 'close_account' },
          notify('closure.completed'),
          emit('closure.completed'),
        ]);
      }
      // Unfreeze before telling the holder, so the message never arrives while they are still locked out.
      return accept(closure, end('blocked', now, 'blockers remained at the final check'), [
        { type: 'unfreeze' },
        notify('closure.blocked'),
        emit('closure.blocked'),
      ]);
    case 'requested':
    case 'grace':
    case 'escalated':
      return notAllowed(closure, 'finalized');
  }
}

function onEscalate(closure: OpenClosure, reason: string, now: Date): TransitionResult {
  switch (closure.state) {
    case 'requested':
      if (!before(now, closure.confirmationExpiresAt)) return confirmationWindowClosed(closure);
      return accept(closure, escalate(reason), [
        notify('closure.escalated'),
        emit('closure.escalated'),
      ]);
    case 'grace':
      return accept(closure, escalate(reason), [
        notify('closure.escalated'),
        emit('closure.escalated'),
      ]);
    case 'finalizing':
    case 'escalated':
      return notAllowed(closure, 'escalate');
  }
}

function onApprove(closure: OpenClosure, now: Date, timings: ClosureTimings): TransitionResult {
  switch (closure.state) {
    case 'escalated': {
      // A grace period already running keeps its end: the holder was told that date on
      // every channel, and an escalation must not quietly move it.
      const graceEndsAt = closure.graceEndsAt ?? addMs(now, timings.gracePeriodMs);
      const dueAt = finalizationDue(graceEndsAt, closure.earliestEligibleAt);
      const approved = { confirmedAt: closure.confirmedAt ?? now, graceEndsAt, reason: null };
      const told = [notify('closure.approved'), emit('closure.approved')];
      if (before(now, dueAt)) return accept(closure, { ...approved, state: 'grace', dueAt }, told);
      return accept(closure, { ...approved, ...startFinalizing(now) }, [
        ...told,
        { type: 'finalize' },
      ]);
    }
    case 'requested':
    case 'grace':
    case 'finalizing':
      return notAllowed(closure, 'approve');
  }
}

function onReject(closure: OpenClosure, reason: string, now: Date): TransitionResult {
  switch (closure.state) {
    case 'escalated':
      return accept(closure, end('rejected', now, reason), [
        notify('closure.rejected'),
        emit('closure.rejected'),
      ]);
    case 'requested':
    case 'grace':
    case 'finalizing':
      return notAllowed(closure, 'reject');
  }
}

type Changes = Partial<Omit<Closure, 'id' | 'accountId' | 'version'>>;

function startGrace(closure: Closure, now: Date, timings: ClosureTimings): Changes {
  const graceEndsAt = addMs(now, timings.gracePeriodMs);
  return {
    state: 'grace',
    confirmedAt: now,
    graceEndsAt,
    dueAt: finalizationDue(graceEndsAt, closure.earliestEligibleAt),
  };
}

// Finalizing before a known wait ends (a cooling-off) would only freeze the account, find
// the wait and unfreeze it again: finalization is due at the later of the two instants.
function finalizationDue(graceEndsAt: Date, earliestEligibleAt: Date | null): Date {
  return earliestEligibleAt !== null && before(graceEndsAt, earliestEligibleAt)
    ? earliestEligibleAt
    : graceEndsAt;
}

function startFinalizing(now: Date): Changes {
  // Due at once: a worker that dies mid-finalization leaves a due row for another to repeat.
  return { state: 'finalizing', dueAt: now };
}

function escalate(reason: string): Changes {
  // Only a person moves an escalated closure, so the worker has nothing to do.
  return { state: 'escalated', dueAt: null, reason };
}

function end(state: TerminalClosureState, now: Date, reason: string | null): Changes {
  return { state, dueAt: null, endedAt: now, reason };
}

function accept(closure: Closure, changes: Changes, effects: ClosureEffect[]): TransitionResult {
  return { ok: true, closure: { ...closure, ...changes, version: closure.version + 1 }, effects };
}

function refuse(code: ClosureRefusalCode, message: string): TransitionResult {
  return { ok: false, refusal: { code, message } };
}

const WAITING_FOR: Record<OpenClosureState, string> = {
  requested: "The closure waits for the holder's confirmation",
  grace: 'The closure is in its grace period',
  finalizing: 'Finalization has started',
  escalated: 'The closure waits for a support decision',
};

function notAllowed(closure: OpenClosure, event: ClosureEventType): TransitionResult {
  return refuse(
    'not_allowed',
    `${WAITING_FOR[closure.state]}, so "${event}" does not apply to it.`,
  );
}

function confirmationWindowClosed(closure: Closure): TransitionResult {
  return refuse(
    'not_allowed',
    `The confirmation window closed at ${closure.confirmationExpiresAt.toISOString()}. Request the closure again.`,
  );
}

function notify(template: ClosureNotice): ClosureEffect {
  return { type: 'notify', template };
}

function emit(event: ClosureOutboxEvent): ClosureEffect {
  return { type: 'emit', event };
}

// Builds an instant from another; this reads no clock.
function addMs(instant: Date, ms: number): Date {
  return new Date(instant.getTime() + ms);
}

function before(a: Date, b: Date): boolean {
  return a.getTime() < b.getTime();
}

function iso(instant: Date | null): string {
  return instant === null ? 'an unrecorded instant' : instant.toISOString();
}

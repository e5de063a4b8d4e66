import type { Closure, ClosureState } from '../domain/closure.js';
import type { RenderedVerdict } from '../domain/messages.js';

/** A closure as stored: the domain value plus what the workflow keeps beside it. */
export interface StoredClosure {
  closure: Closure;
  /** The last verdict, for `status`: the holder's words at request, the agents' once the worker checked. */
  verdict: RenderedVerdict | null;
  codeHash: string | null;
  codeAttempts: number;
  decision: 'close' | 'block' | null;
}

export interface ClosurePage {
  closures: StoredClosure[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next: string | null;
}

/** Where closures live. Writes take effect with the unit of work they were handed in. */
export interface ClosureRepository {
  /** Stores a closure `createClosure` just made, with the hash of its one-time code. */
  insert(
    closure: Closure,
    extra: { codeHash: string | null; verdict: RenderedVerdict; now: Date },
  ): Promise<void>;
  /**
   * Stores a transition only if nobody moved the closure since it was read (`version`
   * guard): a holder's cancel and the worker's finalization cannot both win. Returns
   * whether this write won. A closure due by `now` wakes idle workers when the unit of work
   * commits, unless `releaseLease` is false: the worker that holds it goes on itself.
   */
  saveTransition(
    next: Closure,
    previousVersion: number,
    extra: { now: Date; verdict?: RenderedVerdict; releaseLease?: boolean },
  ): Promise<boolean>;
  /** Stores the final check's decision (and its verdict) before the worker acts on it; false when one was stored first. */
  recordDecision(
    closureId: string,
    version: number,
    decision: 'close' | 'block',
    verdict: RenderedVerdict | null,
  ): Promise<boolean>;
  /** Counts one wrong confirmation code. */
  recordCodeAttempt(closureId: string): Promise<void>;
  /** The account's open closure (requested, grace, finalizing, escalated), if any. */
  findOpen(accountId: string): Promise<StoredClosure | null>;
  /** The account's newest closure, open or ended. */
  latest(accountId: string): Promise<StoredClosure | null>;
  /** One closure by id. */
  get(closureId: string): Promise<StoredClosure | null>;
  /** The open closures of many accounts (for eligibility batches), by account id. */
  openFor(accountIds: readonly string[]): Promise<Map<string, { id: string; state: string }>>;
  /**
   * Claims up to `limit` due closures for `owner` until `now + leaseMs`; a closure whose
   * lease expired is due again. Runs its own transaction: never call it inside a unit of work.
   */
  claimDue(options: {
    owner: string;
    now: Date;
    leaseMs: number;
    limit: number;
  }): Promise<StoredClosure[]>;
  /** Gives a claimed closure back (the step finished or failed) so it is due again at once. */
  releaseLease(closureId: string, owner: string): Promise<void>;
  /** Closures per state, for metrics and `work` summaries. */
  counts(): Promise<Record<string, number>>;
  /** Closures newest first, filtered, a page at a time. */
  list(options: {
    accountId?: string;
    state?: ClosureState | 'open';
    cursor?: { createdAt: number; id: string };
    limit: number;
  }): Promise<ClosurePage>;
  /** The due instant (epoch ms) of the longest-waiting open closure no live worker holds; null when none waits. */
  oldestDueAt(now: number): Promise<number | null>;
}

import type { Actor } from './actor.js';

/** An account's open disablement. */
export interface OpenDisablement {
  id: number;
  disabledAt: Date;
  enableNotBefore: Date;
}

/** Disablements: the emergency brake's records. */
export interface DisablementRepository {
  /** The account's disablement not yet enabled again, if any. */
  findOpen(accountId: string): Promise<OpenDisablement | null>;
  /** Disablements not yet enabled again, longest-standing first (the agents' queue). */
  listOpen(limit: number): Promise<(OpenDisablement & { accountId: string })[]>;
  /** Records a new disablement and returns its id. The free-text reason stays here, never in the audit chain. */
  insert(input: {
    accountId: string;
    disabledAt: Date;
    reason: string;
    actor: Actor;
    enableNotBefore: Date;
  }): Promise<number>;
  /** Marks the disablement enabled; false when a concurrent enable did first. */
  markEnabled(id: number, at: Date): Promise<boolean>;
}

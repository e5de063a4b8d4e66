import type { RetentionPeriods } from '../domain/retention.js';
import type { CheckpointSigner } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { PlatformPort } from '../ports/platform.js';
import type { Redactor } from '../ports/redactor.js';
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js';

export type { Actor } from '../ports/actor.js';

/** The rules of the workflow that come from the policy for an account's jurisdiction. */
export interface WorkflowRules {
  gracePeriodMs: number;
  confirmationExpiryMs: number;
  requireReauthentication: boolean;
  disableMinimumMs: number;
  requireReverification: boolean;
}

/** What erasure needs from the configuration (docs/retention.md). */
export interface ErasureSettings {
  /** The retention periods of a jurisdiction; null when the policy sets none. */
  retention(jurisdiction: string): RetentionPeriods | null;
  /** Names the policy in force (a hash of its retention table), recorded on certificates. */
  policyVersion: string;
  /** The platform's Ed25519 key (the statements key), which signs erasure certificates. */
  signer(): Promise<CheckpointSigner>;
  /** The journal file erasures are copied to, outside the database; null keeps none. */
  journalFile: string | null;
  /** Removes the statement exports offboard keeps for the account (idempotent). */
  removeExports(accountId: string): Promise<void>;
}

/** What the use cases need, wired by the composition root. */
export interface AppContext {
  /** The repositories, outside any transaction. */
  repos: Repositories;
  /** Transactions: `unitOfWork.run(async (repos) => ...)` binds the same repositories to one. */
  unitOfWork: UnitOfWork;
  platform: PlatformPort;
  clock: Clock;
  /** Every ticket message goes through it before it is stored or sent. */
  redactor: Redactor;
  /** Signs disable links. */
  linkSecret: string;
  /** Where holders open links (the HTTP service's public address). */
  publicUrl: string;
  /** How long a disable link stays valid. */
  disableLinkTtlMs: number;
  /** Retention and erasure; absent where nothing closes or erases (then closures schedule no erasure). */
  erasure?: ErasureSettings;
  /** Told of failures the worker survives (logged by the entry point). */
  onError?: (error: unknown, subject: string) => void;
}

import type { Database } from '../adapters/store/database.js';
import type { Clock } from '../ports/clock.js';
import type { PlatformPort } from '../ports/platform.js';

/** Who acted: recorded in the audit log with every decision. */
export interface Actor {
  kind: 'holder' | 'agent' | 'worker' | 'platform' | 'system';
  id: string;
}

/** The rules of the workflow that come from the policy for an account's jurisdiction. */
export interface WorkflowRules {
  gracePeriodMs: number;
  confirmationExpiryMs: number;
  requireReauthentication: boolean;
  disableMinimumMs: number;
  requireReverification: boolean;
}

/** What the use cases need, wired by the composition root. */
export interface AppContext {
  database: Database;
  platform: PlatformPort;
  clock: Clock;
  /** Signs disable links. */
  linkSecret: string;
  /** Where holders open links (the HTTP service's public address). */
  publicUrl: string;
  /** How long a disable link stays valid. */
  disableLinkTtlMs: number;
  /** Told of failures the worker survives (logged by the entry point). */
  onError?: (error: unknown, subject: string) => void;
}

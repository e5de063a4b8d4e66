import { ledgerMigration } from './001-ledger.js';
import { workflowMigration } from './002-workflow.js';
import { httpMigration } from './003-http.js';
import { holderTokensMigration } from './004-holder-tokens.js';
import { platformIdempotencyMigration } from './005-platform-idempotency.js';
import { auditChainsMigration } from './006-audit-chains.js';
import { ticketsMigration } from './007-tickets.js';
import { signInLinksMigration } from './008-sign-in-links.js';
import { agentSignInLinksMigration } from './009-agent-sign-in-links.js';
import { retentionMigration } from './010-retention.js';
import type { OffboardMigration } from './types.js';

/** Every migration, in order. Append only: a shipped migration never changes. */
export const MIGRATIONS: readonly OffboardMigration[] = [
  ledgerMigration,
  workflowMigration,
  httpMigration,
  holderTokensMigration,
  platformIdempotencyMigration,
  auditChainsMigration,
  ticketsMigration,
  signInLinksMigration,
  agentSignInLinksMigration,
  retentionMigration,
];

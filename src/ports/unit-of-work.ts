import type { AgentSignInLinkRepository } from './agent-sign-in-links.js';
import type { ApiKeyRepository } from './api-keys.js';
import type { ApprovalRepository } from './approvals.js';
import type { AuditRepository } from './audit.js';
import type { ClosureRepository } from './closures.js';
import type { DisableLinkRepository } from './disable-links.js';
import type { DisablementRepository } from './disablements.js';
import type { ErasureRepository } from './erasures.js';
import type { PersonalDataRepository } from './personal-data.js';
import type { HolderTokenRepository } from './holder-tokens.js';
import type { MailboxRepository } from './mailbox.js';
import type { OutboxRepository } from './outbox.js';
import type { TicketRepository } from './tickets.js';
import type { SignInLinkRepository } from './sign-in-links.js';

/** Every repository the use cases use, one per aggregate. */
export interface Repositories {
  readonly closures: ClosureRepository;
  readonly audit: AuditRepository;
  readonly outbox: OutboxRepository;
  readonly mailbox: MailboxRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly approvals: ApprovalRepository;
  readonly disablements: DisablementRepository;
  readonly disableLinks: DisableLinkRepository;
  readonly holderTokens: HolderTokenRepository;
  readonly tickets: TicketRepository;
  readonly agentSignInLinks: AgentSignInLinkRepository;
  readonly signInLinks: SignInLinkRepository;
  /** Personal data sealed under per-account data keys (crypto-shredding). */
  readonly personalData: PersonalDataRepository;
  readonly erasures: ErasureRepository;
}

/** Runs work in one transaction. */
export interface UnitOfWork {
  /**
   * Runs `fn` with the repositories bound to one transaction: everything it writes commits
   * together when it returns, or nothing does when it throws. A concurrent writer waits.
   */
  run<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}

/** What a use case needs to reach storage: the repositories, and transactions over them. */
export interface Store {
  readonly repos: Repositories;
  readonly unitOfWork: UnitOfWork;
}

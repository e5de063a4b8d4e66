import type { Repositories, Store, UnitOfWork } from '../../ports/unit-of-work.js';
import { KyselyAgentSignInLinkRepository } from './agent-sign-in-link-repository.js';
import { KyselyApiKeyRepository } from './api-key-repository.js';
import { KyselyApprovalRepository } from './approval-repository.js';
import { KyselyAuditRepository } from './audit-repository.js';
import { KyselyClosureRepository } from './closure-repository.js';
import { inTransaction } from './database.js';
import type { Database, Db } from './database.js';
import { KyselyDisableLinkRepository } from './disable-link-repository.js';
import { KyselyDisablementRepository } from './disablement-repository.js';
import { KyselyHolderTokenRepository } from './holder-token-repository.js';
import { KyselyMailboxRepository } from './mailbox-repository.js';
import { KyselyOutboxRepository } from './outbox-repository.js';
import { KyselyTicketRepository } from './ticket-repository.js';
import { KyselySignInLinkRepository } from './sign-in-link-repository.js';
import { KyselyErasureRepository } from './erasure-repository.js';
import { KyselyPersonalDataRepository } from './personal-data-repository.js';
import type { Keyring } from '../crypto/envelope.js';

/** Every repository, bound to `db`: the database's pool, or one transaction on it. */
function repositoriesOn(
  database: Database,
  db: Db,
  keyring: Keyring,
  inOneTransaction: boolean,
): Repositories {
  const personalData = new KyselyPersonalDataRepository(db, keyring, Date.now, {
    cacheKeys: inOneTransaction,
  });
  return {
    personalData,
    erasures: new KyselyErasureRepository(database, db),
    closures: new KyselyClosureRepository(database, db),
    audit: new KyselyAuditRepository(database, db),
    outbox: new KyselyOutboxRepository(db),
    mailbox: new KyselyMailboxRepository(db, personalData),
    apiKeys: new KyselyApiKeyRepository(db),
    approvals: new KyselyApprovalRepository(db),
    disablements: new KyselyDisablementRepository(db),
    disableLinks: new KyselyDisableLinkRepository(db),
    holderTokens: new KyselyHolderTokenRepository(db),
    tickets: new KyselyTicketRepository(db, personalData),
    agentSignInLinks: new KyselyAgentSignInLinkRepository(db),
    signInLinks: new KyselySignInLinkRepository(db),
  };
}

/**
 * The use cases' view of the database: repositories, and transactions that bind them.
 * `keyring` seals personal data (keyringFromEnv; tests and the sandbox: sandboxKeyring).
 */
export function storeOf(database: Database, keyring: Keyring): Store {
  const unitOfWork: UnitOfWork = {
    run: (fn) => inTransaction(database, (tx) => fn(repositoriesOn(database, tx, keyring, true))),
  };
  return { repos: repositoriesOn(database, database.db, keyring, false), unitOfWork };
}

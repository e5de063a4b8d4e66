/**
 * offboard as a library: `import { createOffboard } from 'offboard'`.
 *
 *   const offboard = await createOffboard({ db: 'sqlite:./offboard.db', policy: './policy.yaml' });
 *   const verdict = await offboard.checkEligibility('acct-1', { lang: 'zh-CN' });
 *   await offboard.close();
 */
import { cancelClosure, closureStatus, confirmClosure, requestClosure } from './app/closures.js';
import type { RequestClosureInput } from './app/closures.js';
import { checkEligibility } from './app/check-eligibility.js';
import { disableAccount, enableAccount } from './app/disable-account.js';
import { workOnce } from './app/worker.js';
import { statementsLibrary } from './adapters/statements/export-statements.js';
import { loadPolicy } from './config/policy-file.js';
import { OffboardError } from './domain/errors.js';
import type { Audience, Lang, RenderedVerdict } from './domain/messages.js';
import type { PolicyDocument } from './domain/policy.js';
import { openContext } from './main/context.js';
import type { Clock } from './ports/clock.js';
import type { PlatformPort } from './ports/platform.js';

export { OffboardError, ERROR_CATALOGUE, ERROR_TEMPLATES, hintFor } from './domain/errors.js';
export type { ErrorCode, ErrorHints, ErrorParams, TemplatedCode } from './domain/errors.js';
export { CONSENTS } from './domain/consent.js';
export type { ConsentName } from './domain/consent.js';
export { evaluate, BLOCKER_CODES } from './domain/eligibility.js';
export type { Blocker, BlockerCode, Verdict, Severity } from './domain/eligibility.js';
export { renderVerdict } from './domain/messages.js';
export type { RenderedVerdict, Lang, Audience } from './domain/messages.js';
export type {
  AccountFacts,
  EligibilityFacts,
  AccountStatus,
  BalanceFact,
  OrderFact,
  TransferFact,
  DisputeFact,
  AuthorizationFact,
  AuthorizationKind,
  CredentialFact,
  CredentialKind,
  HoldFact,
  HoldKind,
} from './domain/facts.js';
export type { Policy, PolicyDocument } from './domain/policy.js';
export type { RecordClass, RetentionPeriods } from './domain/retention.js';
export type { Closure, ClosureState } from './domain/closure.js';
export type {
  PlatformPort,
  HolderContact,
  PlatformErasure,
  TransactionTuple,
  TransactionPage,
  TransactionPageRequest,
} from './ports/platform.js';
export { signWebhook, verifyWebhook } from './adapters/webhooks/webhooks.js';
export type { WebhookSignatureHeaders } from './adapters/webhooks/webhooks.js';
export { STATEMENT_FORMATS } from './adapters/statements/export-statements.js';
export type { Manifest, StatementFormat } from './adapters/statements/export-statements.js';

export interface OffboardOptions {
  /** sqlite:PATH, sqlite::memory:, postgres://... (default: OFFBOARD_DATABASE_URL, else sqlite:./offboard.db). */
  db?: string;
  /** A policy file path or an already validated document (default: OFFBOARD_POLICY, else built-in defaults). */
  policy?: string | PolicyDocument;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /**
   * The platform whose accounts offboard reads and acts on: any object implementing
   * `PlatformPort` (docs/library.md shows one). Default: the builtin reference ledger in
   * offboard's own database (the sandbox platform).
   */
  platform?: PlatformPort;
}

export interface Offboard {
  /** Every reason the account cannot be closed yet, each with its fix. */
  checkEligibility(
    accountId: string,
    options?: { now?: Date; lang?: Lang; audience?: Audience },
  ): Promise<RenderedVerdict>;
  requestClosure(
    input: Omit<RequestClosureInput, 'actor'> & { actor?: RequestClosureInput['actor'] },
  ): ReturnType<typeof requestClosure>;
  confirmClosure(accountId: string, code: string): ReturnType<typeof confirmClosure>;
  cancelClosure(accountId: string): ReturnType<typeof cancelClosure>;
  closureStatus(accountId: string): ReturnType<typeof closureStatus>;
  disable(accountId: string, reason: string): ReturnType<typeof disableAccount>;
  enable(accountId: string, options: { reverified: boolean }): ReturnType<typeof enableAccount>;
  /** Writes the account's statements (CSV, JSON Lines, PDF) and the signed manifest into `out`. */
  exportStatements: ReturnType<typeof statementsLibrary>['exportStatements'];
  /** Checks an export folder against its manifest and signature. */
  verifyExport: ReturnType<typeof statementsLibrary>['verifyExport'];
  /** One worker pass: what was due moved one step. */
  work(options?: { concurrency?: number }): ReturnType<typeof workOnce>;
  close(): Promise<void>;
}

export async function createOffboard(options: OffboardOptions = {}): Promise<Offboard> {
  const env = options.env ?? process.env;
  let policy: PolicyDocument;
  if (typeof options.policy === 'object') {
    policy = options.policy;
  } else {
    const loaded = loadPolicy({ file: options.policy, env });
    if (!loaded.ok)
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_POLICY',
        'the policy is invalid',
        loaded.errors.map((e) => e.text),
      );
    policy = loaded.policy;
  }
  const ctx = await openContext({
    db: options.db,
    env,
    policy,
    clock: options.clock,
    platform: options.platform,
  });
  const platformActor = { kind: 'platform' as const, id: 'library' };
  const rulesOf = async (accountId: string) => ctx.rules(await ctx.jurisdiction(accountId));
  return {
    checkEligibility: async (accountId, o = {}) =>
      (
        await checkEligibility(ctx.app, ctx.rules, accountId, {
          now: o.now ?? ctx.clock.now(),
          lang: o.lang ?? 'en',
          audience: o.audience ?? 'holder',
        })
      ).verdict,
    requestClosure: (input) =>
      requestClosure(ctx.app, ctx.rules, { ...input, actor: input.actor ?? platformActor }),
    confirmClosure: (accountId, code) =>
      confirmClosure(ctx.app, ctx.rules, {
        accountId,
        code,
        actor: { kind: 'holder', id: accountId },
      }),
    cancelClosure: (accountId) =>
      cancelClosure(ctx.app, ctx.rules, { accountId, actor: { kind: 'holder', id: accountId } }),
    closureStatus: (accountId) => closureStatus(ctx.app, accountId),
    disable: async (accountId, reason) =>
      disableAccount(ctx.app, await rulesOf(accountId), {
        accountId,
        reason,
        actor: platformActor,
      }),
    enable: async (accountId, o) =>
      enableAccount(ctx.app, await rulesOf(accountId), {
        accountId,
        reverified: o.reverified,
        actor: platformActor,
      }),
    work: async (o = {}) => {
      const outcomes = await workOnce(ctx.app, ctx.rules, {
        owner: `library:${process.pid}`,
        leaseMs: 60_000,
        concurrency: o.concurrency ?? 4,
      });
      await ctx.afterWorkerPass(`library:${process.pid}`);
      return outcomes;
    },
    ...statementsLibrary({ platform: ctx.app.platform, clock: ctx.clock }, env),
    close: () => ctx.close(),
  };
}

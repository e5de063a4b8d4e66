import { raise } from '../domain/errors.js';
import type { AccountFacts } from '../domain/facts.js';
import type { Actor, AppContext, WorkflowRules } from './context.js';
import { checkDisableLinkSignature } from './disable-links.js';
import { notifyHolder, record } from './notifications.js';

/** Credential kinds an attacker could use to act or to move money: revoked on disable. */
const REVOKED_ON_DISABLE = new Set(['api_key', 'session', 'device', 'withdrawal_address']);

export interface DisableResult {
  disablementId: number;
  alreadyDisabled: boolean;
  revokedCredentials: number;
  cancelledOrders: number;
  cancelledWithdrawals: number;
  enableNotBefore: string;
}

/** Why an account was disabled, as the audit log and webhooks record it: who asked, never their words. */
export type DisableReasonCode =
  'holder_request' | 'disable_link' | 'agent_request' | 'platform_request';

function disableReasonCode(actor: Actor): DisableReasonCode {
  switch (actor.kind) {
    case 'holder':
      return actor.id === DISABLE_LINK_ACTOR_ID ? 'disable_link' : 'holder_request';
    case 'agent':
      return 'agent_request';
    case 'platform':
    case 'worker':
    case 'system':
      return 'platform_request';
  }
}

/** The actor id of a disable through a signed link. */
const DISABLE_LINK_ACTOR_ID = 'disable-link';

async function requireFacts(ctx: AppContext, accountId: string): Promise<AccountFacts> {
  const facts = await ctx.platform.facts(accountId);
  if (!facts) throw raise('OFFBOARD_ERR_UNKNOWN_ACCOUNT', { accountId });
  return facts;
}

/**
 * The emergency brake, at once: block login, revoke API keys, sessions, devices and
 * withdrawal addresses, cancel open orders and cancellable withdrawals. Balances stay.
 * The disablement row is written first; every platform action is keyed by it, so running
 * disable again after a crash finishes the job without doing anything twice.
 */
export async function disableAccount(
  ctx: AppContext,
  rules: WorkflowRules,
  input: {
    accountId: string;
    reason: string;
    actor: Actor;
    /** A disable link's hash: used up in the same transaction as the disablement, so a disable that fails leaves it working. */
    linkHash?: string;
  },
): Promise<DisableResult> {
  const now = ctx.clock.now();
  const facts = await requireFacts(ctx, input.accountId);
  if (facts.status === 'closed')
    throw raise('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE', {
      accountId: input.accountId,
      status: 'closed',
      refused: 'disable',
    });
  const contact = await ctx.platform.contact(input.accountId);
  const { id, enableNotBefore, alreadyDisabled } = await ctx.unitOfWork.run(async (repos) => {
    // Every holder token issued until now dies for good, even once the account is enabled
    // again: whoever disabled it may be locking out a thief who holds one.
    await repos.holderTokens.raiseCutoff(input.accountId, now.getTime());
    if (input.linkHash !== undefined) {
      const problem = await repos.disableLinks.consume(input.linkHash, now);
      if (problem) throw raise('OFFBOARD_ERR_INVALID_LINK', { problem });
    }
    const open = await repos.disablements.findOpen(input.accountId);
    if (open)
      return {
        id: open.id,
        enableNotBefore: open.enableNotBefore.getTime(),
        alreadyDisabled: true,
      };
    const enableAt = now.getTime() + rules.disableMinimumMs;
    const disablementId = await repos.disablements.insert({
      accountId: input.accountId,
      disabledAt: now,
      reason: input.reason,
      actor: input.actor,
      enableNotBefore: new Date(enableAt),
    });
    if (contact) {
      await notifyHolder(
        ctx,
        repos,
        contact,
        input.accountId,
        'account.disabled',
        { enableAfter: new Date(enableAt).toISOString() },
        `disable:${disablementId}`,
        now,
      );
    }
    // The free-text reason may name a person or an investigation: it stays in the
    // disablement row (where erasure reaches it), never in the audit chain, the webhooks or
    // anything the holder reads. Audit last: the chain's lock is then held only until commit.
    await record(repos, {
      actor: input.actor,
      action: 'account.disable',
      accountId: input.accountId,
      data: { disablementId, reasonCode: disableReasonCode(input.actor) },
      event: 'account.disabled',
      now,
    });
    return { id: disablementId, enableNotBefore: enableAt, alreadyDisabled: false };
  });
  const key = `disable:${id}`;
  await ctx.platform.setDisabled(input.accountId, true, `${key}:status`);
  let revokedCredentials = 0;
  for (const credential of facts.credentials) {
    if (!REVOKED_ON_DISABLE.has(credential.kind)) continue;
    await ctx.platform.revokeCredential(
      input.accountId,
      credential.id,
      `${key}:credential:${credential.id}`,
    );
    revokedCredentials += 1;
  }
  for (const order of facts.openOrders)
    await ctx.platform.cancelOrder(input.accountId, order.id, `${key}:order:${order.id}`);
  let cancelledWithdrawals = 0;
  for (const transfer of facts.pendingTransfers) {
    if (transfer.direction !== 'withdrawal' || !transfer.cancellable) continue;
    await ctx.platform.cancelWithdrawal(
      input.accountId,
      transfer.id,
      `${key}:withdrawal:${transfer.id}`,
    );
    cancelledWithdrawals += 1;
  }
  return {
    disablementId: id,
    alreadyDisabled,
    revokedCredentials,
    cancelledOrders: facts.openOrders.length,
    cancelledWithdrawals,
    enableNotBefore: new Date(enableNotBefore).toISOString(),
  };
}

/**
 * Re-enables a disabled account: refused before the policy's minimum wait, and without
 * re-verification when the policy asks for it. Revoked credentials stay revoked.
 */
export async function enableAccount(
  ctx: AppContext,
  rules: WorkflowRules,
  input: { accountId: string; reverified: boolean; actor: Actor },
): Promise<{ disablementId: number; enabledAt: string }> {
  const now = ctx.clock.now();
  await requireFacts(ctx, input.accountId);
  const open = await ctx.repos.disablements.findOpen(input.accountId);
  if (!open)
    throw raise('OFFBOARD_ERR_INVALID_STATE', {
      accountId: input.accountId,
      reason: 'not_disabled',
    });
  if (now.getTime() < open.enableNotBefore.getTime()) {
    throw raise('OFFBOARD_ERR_TOO_EARLY', {
      accountId: input.accountId,
      enableFrom: open.enableNotBefore,
    });
  }
  if (rules.requireReverification && !input.reverified) {
    throw raise('OFFBOARD_ERR_REVERIFICATION_REQUIRED', { accountId: input.accountId });
  }
  const contact = await ctx.platform.contact(input.accountId);
  const id = open.id;
  await ctx.platform.setDisabled(input.accountId, false, `enable:${id}`);
  await ctx.unitOfWork.run(async (repos) => {
    if (!(await repos.disablements.markEnabled(id, now))) return; // a concurrent enable won; it recorded everything
    if (contact)
      await notifyHolder(
        ctx,
        repos,
        contact,
        input.accountId,
        'account.enabled',
        {},
        `enable:${id}`,
        now,
      );
    await record(repos, {
      actor: input.actor,
      action: 'account.enable',
      accountId: input.accountId,
      data: { disablementId: id, reverified: input.reverified },
      event: 'account.enabled',
      now,
    });
  });
  return { disablementId: id, enabledAt: now.toISOString() };
}

/** Redeems a disable link: the holder's one-click kill switch, no login needed. */
export async function redeemDisableLink(
  ctx: AppContext,
  rules: WorkflowRules | ((accountId: string) => Promise<WorkflowRules>),
  token: string,
): Promise<DisableResult & { accountId: string }> {
  const now = ctx.clock.now();
  const check = checkDisableLinkSignature(ctx.linkSecret, token, now);
  if (!check.ok) throw raise('OFFBOARD_ERR_INVALID_LINK', { problem: check.reason });
  // Said before anything else is read; the link is used up only with the disablement
  // (a closed account, an unreachable platform leave it working for another try).
  const problem = await ctx.repos.disableLinks.problem(check.tokenHash);
  if (problem) throw raise('OFFBOARD_ERR_INVALID_LINK', { problem });
  const resolved = typeof rules === 'function' ? await rules(check.accountId) : rules;
  const result = await disableAccount(ctx, resolved, {
    accountId: check.accountId,
    reason: 'holder used a disable link',
    actor: { kind: 'holder', id: DISABLE_LINK_ACTOR_ID },
    linkHash: check.tokenHash,
  });
  return { ...result, accountId: check.accountId };
}

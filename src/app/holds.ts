import { randomUUID } from 'node:crypto';
import { raise } from '../domain/errors.js';
import type { HoldKind } from '../domain/facts.js';
import type { Actor, AppContext } from './context.js';
import { wakeHeldErasure } from './erasure.js';
import { record } from './notifications.js';

export const HOLD_KINDS: readonly HoldKind[] = ['legal', 'compliance', 'fraud', 'regulator'];

export interface PlacedHold {
  holdId: string;
  accountId: string;
  kind: HoldKind;
  placedAt: Date;
}

async function requireAccount(ctx: AppContext, accountId: string) {
  const facts = await ctx.platform.facts(accountId);
  if (!facts) throw raise('OFFBOARD_ERR_UNKNOWN_ACCOUNT', { accountId });
  return facts;
}

/**
 * Places a hold: closure is blocked while it stands, and erasure is suspended (erasure.ts).
 * Placing one makes the account safer, so one agent may do it alone. The platform records
 * the hold in its own transaction; the audit entry follows it (they cannot share one).
 */
export async function placeHold(
  ctx: AppContext,
  input: { accountId: string; kind: HoldKind; reason: string; actor: Actor },
): Promise<PlacedHold> {
  await requireAccount(ctx, input.accountId);
  const now = ctx.clock.now();
  const holdId = `hold_${randomUUID()}`;
  await ctx.platform.placeHold(input.accountId, {
    id: holdId,
    kind: input.kind,
    reason: input.reason,
  });
  // The reason may name an investigation: it stays with the hold, for agents, not in the log.
  await ctx.unitOfWork.run((repos) =>
    record(repos, {
      actor: input.actor,
      action: 'hold.place',
      accountId: input.accountId,
      data: { holdId, kind: input.kind },
      now,
    }),
  );
  return { holdId, accountId: input.accountId, kind: input.kind, placedAt: now };
}

/** Whether the account has this hold, active. */
export async function hasActiveHold(
  ctx: AppContext,
  accountId: string,
  holdId: string,
): Promise<boolean> {
  const facts = await requireAccount(ctx, accountId);
  return facts.holds.some((h) => h.id === holdId);
}

/** Lifts a hold. Callers get here only through a second agent's approval (see agent-decisions.ts). */
export async function liftHold(
  ctx: AppContext,
  input: { accountId: string; holdId: string; actor: Actor; approvalId: string },
): Promise<void> {
  if (!(await hasActiveHold(ctx, input.accountId, input.holdId))) {
    throw raise('OFFBOARD_ERR_NOT_FOUND', {
      record: 'hold',
      id: input.holdId,
      accountId: input.accountId,
    });
  }
  const now = ctx.clock.now();
  await ctx.platform.liftHold(input.accountId, input.holdId);
  await ctx.unitOfWork.run(async (repos) => {
    // An erasure the hold suspended looks again at once (another hold may still stand).
    await wakeHeldErasure(repos, input.accountId, now);
    await record(repos, {
      actor: input.actor,
      action: 'hold.lift',
      accountId: input.accountId,
      data: { holdId: input.holdId, approvalId: input.approvalId },
      now,
    });
  });
}

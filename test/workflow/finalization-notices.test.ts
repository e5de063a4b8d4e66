import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closureStatus, requestClosure } from '../../src/app/closures.js';
import { workOnce } from '../../src/app/worker.js';
import { listMail } from '../../src/adapters/store/mailbox-repository.js';
import type { HoldKind } from '../../src/domain/facts.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import { DIALECTS } from '../support/databases.js';
import { accountOpener, openWorkflowContext } from '../support/workflow-context.js';

const CONSENT = { sweepDust: true, cancelOrders: true, revokeApps: true };
const HOUR = 3_600_000;

describe.each(DIALECTS)('what finalization does and tells the holder [%s]', (dialect) => {
  let ctx: Context;
  let dispose: () => Promise<void>;
  let account: () => Promise<string>;
  const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));

  beforeAll(async () => {
    ({ ctx, dispose } = await openWorkflowContext(dialect, clock));
    account = accountOpener(ctx, 'fin');
  });
  afterAll(async () => dispose());

  const finalize = async () => {
    for (let pass = 0; pass < 3; pass++)
      await workOnce(ctx.app, ctx.rules, { owner: 'test', leaseMs: 60_000, concurrency: 4 });
  };
  const notices = async (accountId: string, template: string) =>
    (await listMail(ctx.database, { accountId, limit: 100 })).filter(
      (m) => m.template === template,
    );

  it('sweeps no consented dust when the closure then ends blocked, and says so', async () => {
    const accountId = await account();
    await ctx.ledger.deposit(accountId, 'ETH', 100_000_000_000_000n); // 0.0001 ETH: dust
    await requestClosure(ctx.app, ctx.rules, {
      accountId,
      consent: CONSENT,
      confirmed: true,
      gracePeriodMs: HOUR,
      actor: { kind: 'holder', id: accountId },
    });
    await ctx.ledger.deposit(accountId, 'USD', 500n); // 5.00 USD arrives during the grace period
    clock.advance(HOUR);
    await finalize();

    expect((await closureStatus(ctx.app, accountId)).closure?.state).toBe('blocked');
    const eth = (await ctx.ledger.balances(accountId)).find((b) => b.asset === 'ETH');
    expect(eth?.available).toBe(100_000_000_000_000n);
    expect((await ctx.ledger.transactions(accountId)).some((t) => t.type === 'dust_sweep')).toBe(
      false,
    );
    const blocked = await notices(accountId, 'closure.blocked');
    expect(blocked).toHaveLength(2); // email and SMS
    for (const m of blocked) {
      expect(m.body).toContain('Nothing was swept, cancelled or revoked.');
      expect(m.body).toContain('5.00 USD');
    }
  });

  it('sweeps consented dust when the account then closes, and says what it swept', async () => {
    const accountId = await account();
    await ctx.ledger.deposit(accountId, 'ETH', 100_000_000_000_000n);
    await requestClosure(ctx.app, ctx.rules, {
      accountId,
      consent: CONSENT,
      confirmed: true,
      gracePeriodMs: 0,
      actor: { kind: 'holder', id: accountId },
    });
    await finalize();

    expect((await closureStatus(ctx.app, accountId)).closure?.state).toBe('closed');
    expect((await ctx.ledger.balances(accountId)).every((b) => b.available === 0n)).toBe(true);
    const completed = await notices(accountId, 'closure.completed');
    expect(completed).toHaveLength(2);
    for (const m of completed) {
      expect(m.body).toContain('swept the dust of 0.000100000000000000 ETH');
      // A closed account cannot be disabled: no link that could not work.
      expect(m.body).not.toContain('/v1/disable-links/');
    }
  });

  it.each<HoldKind>(['compliance', 'fraud', 'regulator'])(
    'never names a %s hold or its reason in the blocked notice',
    async (kind) => {
      const accountId = await account();
      await requestClosure(ctx.app, ctx.rules, {
        accountId,
        consent: CONSENT,
        confirmed: true,
        gracePeriodMs: HOUR,
        actor: { kind: 'holder', id: accountId },
      });
      // An agent places the hold while the closure is in grace.
      await ctx.ledger.placeHold(accountId, {
        id: `hold-${accountId}`,
        kind,
        reason: `SAR-4242 structuring ${kind} case`,
      });
      clock.advance(HOUR);
      await finalize();

      expect((await closureStatus(ctx.app, accountId)).closure?.state).toBe('blocked');
      const mail = await listMail(ctx.database, { accountId, limit: 100 });
      expect(mail.some((m) => m.template === 'closure.blocked')).toBe(true);
      for (const m of mail) {
        const text = `${m.subject}\n${m.body}`;
        expect(text).not.toMatch(/SAR-4242|structuring/);
        expect(text.toLowerCase()).not.toMatch(/compliance|fraud|regulator/);
      }
      const blocked = mail.find((m) => m.template === 'closure.blocked');
      expect(blocked?.body).toContain('needs a review by our team');
    },
  );
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closureStatus, confirmClosure, requestClosure } from '../../src/app/closures.js';
import { workOnce } from '../../src/app/worker.js';
import { DUST_ACCOUNT_ID } from '../../src/adapters/ledger/ledger.js';
import { seedScenarios } from '../../src/adapters/ledger/scenarios.js';
import { listMail } from '../../src/adapters/store/mailbox-repository.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock, systemClock } from '../../src/ports/clock.js';
import { cli } from '../support/cli.js';
import { openPlatformWorld, platformMatrix } from '../support/platforms.js';
import type { PlatformWorld } from '../support/platforms.js';

interface StatusJson {
  closure: { state: string; dueAt: string | null } | null;
  verdict: { blockers: { code: string }[] } | null;
}

const ALL_CONSENT = { sweepDust: true, cancelOrders: true, revokeApps: true };
const HOUR = 3_600_000;

// Both platforms on both databases: offboard's commands drive the builtin ledger in its own
// database, or the sandbox server over HTTP (`--platform URL`). The ledger's own commands
// (`seed`, `ledger ...`) run on the database that holds the accounts: on http, the sandbox's.
describe.each(platformMatrix())('closure through the CLI [%s, %s]', (dialect, platform) => {
  let world: PlatformWorld;
  const run = (...args: string[]) =>
    cli([...args, '--db', world.offboardUrl, ...world.cliArgs], world.cliEnv);
  const ledgerRun = (...args: string[]) => cli([...args, '--db', world.ledgerUrl]);

  beforeAll(async () => {
    world = await openPlatformWorld(dialect, platform, systemClock);
    await ledgerRun('seed', '--scenarios', '--whale-transactions', '50');
  });
  afterAll(async () => world.dispose());

  it('closes demo-clean, then returns money that arrives later', async () => {
    expect((await run('close', 'demo-clean', '--confirmed', '--grace', '0')).code).toBe(0);
    expect((await run('work', '--once')).code).toBe(0);
    const status = (await run('status', 'demo-clean', '--json')).json<StatusJson>();
    expect(status.closure?.state).toBe('closed');
    // Money arrives from outside: through the sandbox's deposit endpoint on http.
    const returned = world.sandbox
      ? (await world.sandbox.deposit('demo-clean', 'USD', 1234n)).returned
      : (await run('ledger', 'deposit', 'demo-clean', 'USD', '12.34', '--json')).json<{
          returned: boolean;
        }>().returned;
    expect(returned).toBe(true);
    const balances = (await ledgerRun('ledger', 'balances', 'demo-clean', '--json')).json<{
      status: string;
      balances: { total: string }[];
    }>();
    expect(balances.status).toBe('closed');
    expect(balances.balances.every((b) => Number(b.total) === 0)).toBe(true);
    // Every channel on file heard the outcome.
    const mail = (await run('mail', '--account', 'demo-clean', '--json')).json<{
      messages: { template: string; channel: string }[];
    }>();
    expect(
      mail.messages
        .filter((m) => m.template === 'closure.completed')
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['email', 'sms']);
  });

  it('refuses demo-balance with its full verdict', async () => {
    const out = await run('close', 'demo-balance', '--json');
    expect(out.code).toBe(1);
    const error = out.json<{ error: { code: string; data: { blockers: { code: string }[] } } }>()
      .error;
    expect(error.code).toBe('OFFBOARD_ERR_NOT_ELIGIBLE');
    expect(error.data.blockers.map((b) => b.code)).toEqual(['balance_remaining']);
    expect((await run('status', 'demo-balance', '--json')).json<StatusJson>().closure).toBeNull();
  });

  it('needs consent for automatic actions, then sweeps the dust and closes', async () => {
    const refused = await run('close', 'demo-dust', '--confirmed', '--grace', '0');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('OFFBOARD_ERR_CONSENT_REQUIRED');
    expect(refused.stderr).toContain(
      "closing needs the holder's consent to: sweep-dust; pass --consent sweep-dust",
    );
    expect(
      (await run('close', 'demo-dust', '--confirmed', '--consent', 'sweep-dust', '--grace', '0'))
        .code,
    ).toBe(0);
    expect((await run('work', '--once')).code).toBe(0);
    expect((await run('status', 'demo-dust', '--json')).json<StatusJson>().closure?.state).toBe(
      'closed',
    );
    const txs = (await ledgerRun('ledger', 'transactions', 'demo-dust', '--json')).json<{
      transactions: { type: string; amount: string }[];
    }>();
    expect(txs.transactions.filter((t) => t.type === 'dust_sweep').map((t) => t.amount)).toEqual([
      '-0.37',
    ]);
    const dustAccount = (
      await ledgerRun('ledger', 'transactions', DUST_ACCOUNT_ID, '--json')
    ).json<{
      transactions: { type: string; amount: string }[];
    }>();
    expect(
      dustAccount.transactions.some((t) => t.type === 'dust_sweep' && t.amount === '0.37'),
    ).toBe(true);
  });

  it('confirms with the mailed one-time code, refuses a wrong one, and cancels in grace', async () => {
    const requested = await run('close', 'demo-open-order', '--consent', 'cancel-orders', '--json');
    expect(requested.json<{ closure: { state: string }; codeSent: boolean }>()).toMatchObject({
      closure: { state: 'requested' },
      codeSent: true,
    });
    const mail = (await run('mail', '--account', 'demo-open-order', '--json')).json<{
      messages: { template: string; body: string }[];
    }>();
    const codes = mail.messages
      .filter((m) => m.template === 'closure.confirmation_required')
      .map((m) => /code: (\d{6})/.exec(m.body)?.[1]);
    expect(codes).toHaveLength(2); // email and SMS
    const code = codes[0]!;
    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await run('confirm', 'demo-open-order', wrong);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('OFFBOARD_ERR_BAD_CODE');
    expect(bad.stderr).toContain(
      'read the latest one with `offboard mail --account demo-open-order`',
    );
    const good = await run('confirm', 'demo-open-order', code, '--json');
    expect(good.json<{ closure: { state: string } }>().closure.state).toBe('grace');
    const cancelled = await run('cancel', 'demo-open-order', '--json');
    expect(cancelled.json<{ closure: { state: string } }>().closure.state).toBe('cancelled');
    expect((await run('cancel', 'demo-open-order')).code).toBe(4);
  });

  it('names an unknown account as bad input, not as a missing closure', async () => {
    for (const args of [
      ['confirm', 'nobody', '123456'],
      ['cancel', 'nobody'],
      ['status', 'nobody'],
      ['close', 'nobody'],
    ]) {
      const out = await run(...args);
      expect(out.code, args.join(' ')).toBe(2);
      expect(out.stderr).toContain('OFFBOARD_ERR_UNKNOWN_ACCOUNT');
    }
  });

  it('writes an audit chain that verifies', async () => {
    const out = await run('audit', 'verify', '--json');
    expect(out.code).toBe(0);
    expect(out.json<{ intact: boolean; entries: number }>().entries).toBeGreaterThan(5);
  });
});

// The sandbox's ledger keeps the test's clock on http, so time moves on both sides at once.
describe.each(platformMatrix())(
  'closure timing and the final check [%s, %s]',
  (dialect, platform) => {
    let world: PlatformWorld;
    let ctx: Context;
    const clock = new FixedClock(new Date('2026-03-01T09:00:00Z'));
    const worker = { owner: 'test-worker', leaseMs: 60_000, concurrency: 4 };

    beforeAll(async () => {
      world = await openPlatformWorld(dialect, platform, clock);
      ctx = world.ctx;
      await seedScenarios(world.ledgerDatabase, clock, { whaleTransactions: 20 });
    });
    afterAll(async () => world.dispose());

    it('expires an unconfirmed request after the confirmation window', async () => {
      const { closure } = await requestClosure(ctx.app, ctx.rules, {
        accountId: 'demo-whale',
        consent: ALL_CONSENT,
        confirmed: false,
        actor: { kind: 'holder', id: 'demo-whale' },
      });
      clock.advance(23 * HOUR);
      expect(await workOnce(ctx.app, ctx.rules, worker)).toEqual([]);
      clock.advance(2 * HOUR);
      await workOnce(ctx.app, ctx.rules, worker);
      expect((await closureStatus(ctx.app, 'demo-whale')).closure).toMatchObject({
        id: closure.id,
        state: 'expired',
      });
      const mail = await listMail(ctx.database, { accountId: 'demo-whale', limit: 10 });
      // demo-whale's holder has an email and no phone on file: one channel, one message.
      expect(mail.filter((m) => m.template === 'closure.expired').map((m) => m.channel)).toEqual([
        'email',
      ]);
    });

    it('waits out the grace period, and finalizes at the later of grace end and earliestEligibleAt', async () => {
      const { closure } = await requestClosure(ctx.app, ctx.rules, {
        accountId: 'demo-cooling-off',
        consent: ALL_CONSENT,
        confirmed: true,
        gracePeriodMs: HOUR,
        actor: { kind: 'holder', id: 'x' },
      });
      // The security change's cooling-off ends days after the one-hour grace period.
      expect(closure.dueAt!.getTime()).toBeGreaterThan(clock.now().getTime() + 24 * HOUR);
      clock.advance(2 * HOUR);
      expect(await workOnce(ctx.app, ctx.rules, worker)).toEqual([]);
      clock.set(new Date(closure.dueAt!.getTime() + 1));
      await workOnce(ctx.app, ctx.rules, worker);
      expect((await closureStatus(ctx.app, 'demo-cooling-off')).closure?.state).toBe('closed');
    });

    it('blocks and unfreezes when the final check still finds a blocker, telling the holder why', async () => {
      await requestClosure(ctx.app, ctx.rules, {
        accountId: 'demo-pending-deposit',
        consent: ALL_CONSENT,
        confirmed: true,
        gracePeriodMs: 0,
        actor: { kind: 'holder', id: 'x' },
      });
      await workOnce(ctx.app, ctx.rules, worker);
      const status = await closureStatus(ctx.app, 'demo-pending-deposit');
      expect(status.closure?.state).toBe('blocked');
      expect(
        (status.verdict as { blockers: { code: string }[] }).blockers.map((b) => b.code),
      ).toEqual(['pending_deposit']);
      expect((await ctx.app.platform.facts('demo-pending-deposit'))?.status).toBe('active');
      const mail = await listMail(ctx.database, { accountId: 'demo-pending-deposit', limit: 5 });
      const blocked = mail.find((m) => m.template === 'closure.blocked');
      expect(blocked?.body).toContain('20.00 EUR');
    });

    it('confirm refuses an expired code', async () => {
      await requestClosure(ctx.app, ctx.rules, {
        accountId: 'demo-clean',
        consent: ALL_CONSENT,
        confirmed: false,
        actor: { kind: 'holder', id: 'x' },
      });
      const mail = await listMail(ctx.database, { accountId: 'demo-clean', limit: 1 });
      const code = /code: (\d{6})/.exec(mail[0]!.body)![1]!;
      clock.advance(25 * HOUR);
      await expect(
        confirmClosure(ctx.app, ctx.rules, {
          accountId: 'demo-clean',
          code,
          actor: { kind: 'holder', id: 'x' },
        }),
      ).rejects.toMatchObject({ code: 'OFFBOARD_ERR_BAD_CODE' });
    });
  },
);

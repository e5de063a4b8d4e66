import * as C from '../contract.js';
import type { Check, CheckContext } from './kit.js';

/*
 * The faults checks: a call whose answer is lost, or that never arrived, or that a retry
 * overtook, repeated with the same key as offboard's client repeats it, has one effect.
 * The kit's own loopback proxy (fault-proxy.ts) makes each fault happen exactly once.
 */

const usdOf = async (ctx: CheckContext, id: string) =>
  (await ctx.facts(id)).value.balances.find((b) => b.asset === 'USD')?.available ?? '0';

/** Sends through the proxy a call the proxy was armed to break; fails if an answer arrived. */
async function broken(ctx: CheckContext, path: string, body: unknown, key: string) {
  const proxy = await ctx.proxy();
  const exchange = await ctx.send('POST', path, { body, key, via: proxy.origin });
  ctx.expect(
    exchange.response === null,
    'the kit’s fault proxy to cut this call (no answer)',
    exchange,
  );
}

export const FAULT_CHECKS: Check[] = [
  {
    id: 'faults.dropped-response-sweep-once',
    level: 'MUST',
    title:
      'a sweep whose answer was lost, retried with its key, answers the first amount and moves money once',
    async run(ctx) {
      const id = await ctx.account('dust');
      const key = ctx.key();
      const proxy = await ctx.proxy();
      const fault = proxy.arm({ kind: 'drop-response' });
      await broken(ctx, `/accounts/${id}/sweep-dust`, { asset: 'USD' }, key);
      await fault.done;
      const retry = await ctx.post(
        `/accounts/${id}/sweep-dust`,
        { asset: 'USD' },
        {
          key,
          schema: C.SweepResult,
        },
      );
      ctx.equal(
        retry.value['amount'],
        '37',
        'the retry answering the amount first swept',
        retry.exchange,
      );
      const page = await ctx.transactions(id);
      ctx.equal(
        page.items.filter((t) => t.amount === '-37').length,
        1,
        'one transaction moving the 37 out',
        page.exchange,
      );
    },
  },
  {
    id: 'faults.dropped-response-deposit-once',
    level: 'MUST',
    title:
      'a deposit whose answer was lost, retried with its key, answers the same transaction and credits once',
    async run(ctx) {
      const id = await ctx.account('clean');
      const key = ctx.key();
      const proxy = await ctx.proxy();
      const fault = proxy.arm({ kind: 'drop-response' });
      const body = { asset: 'USD', amount: '500', counterparty: 'conformance-kit' };
      await broken(ctx, `/test/accounts/${id}/deposits`, body, key);
      await fault.done;
      const retry = await ctx.deposit(id, 'USD', '500', key);
      const page = await ctx.transactions(id);
      ctx.equal(
        page.items.filter((t) => t.id === retry.value.transactionId).length,
        1,
        `transaction ${retry.value.transactionId} in the pages once`,
        page.exchange,
      );
      const balance = await usdOf(ctx, id);
      ctx.equal(balance, '500', 'the USD balance after one deposit', ctx.caller.log.at(-1) ?? null);
    },
  },
  {
    id: 'faults.reset-before-forwarding',
    level: 'MUST',
    title: 'a call cut before it reached the platform, retried with its key, acts once',
    async run(ctx) {
      const id = await ctx.account('clean');
      const key = ctx.key();
      const proxy = await ctx.proxy();
      proxy.arm({ kind: 'reset-before-forwarding' });
      const body = { asset: 'USD', amount: '500', counterparty: 'conformance-kit' };
      await broken(ctx, `/test/accounts/${id}/deposits`, body, key);
      await ctx.deposit(id, 'USD', '500', key);
      const balance = await usdOf(ctx, id);
      ctx.equal(balance, '500', 'the USD balance after one deposit', ctx.caller.log.at(-1) ?? null);
    },
  },
  {
    id: 'faults.delayed-original-once',
    level: 'MUST',
    title: 'a retry that overtakes its delayed original gets the same answer, and the two act once',
    async run(ctx) {
      const id = await ctx.account('clean');
      const key = ctx.key();
      const proxy = await ctx.proxy();
      const fault = proxy.arm({ kind: 'delay-request' });
      const body = { asset: 'USD', amount: '500', counterparty: 'conformance-kit' };
      const original = ctx.send('POST', `/test/accounts/${id}/deposits`, {
        body,
        key,
        via: proxy.origin,
      });
      await fault.arrived;
      // Released whatever the retry meets, so the original always ends.
      const retry = await ctx.deposit(id, 'USD', '500', key).finally(() => fault.release());
      const late = ctx.ok<unknown>(await original, C.DepositResult);
      ctx.equal(late, retry.value, 'the delayed original’s answer', await original);
      const balance = await usdOf(ctx, id);
      ctx.equal(balance, '500', 'the USD balance after one deposit', ctx.caller.log.at(-1) ?? null);
    },
  },
];

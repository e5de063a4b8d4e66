import * as C from '../contract.js';
import type { Check, CheckContext, WireFacts, WireTransaction } from './kit.js';

/** The action, idempotency, freeze and close checks: each action's effect, seen in the next facts read. */

const usd = (facts: WireFacts) => facts.balances.find((b) => b.asset === 'USD')?.available ?? '0';

type StatusAnswer = { accountId: string; status: string };

/** Freezes, closes, ... `id` and checks the answer and the next facts both say `status`. */
async function statusAction(
  ctx: CheckContext,
  id: string,
  action: string,
  status: string,
  body: unknown = {},
) {
  const { value, exchange } = await ctx.post<StatusAnswer>(`/accounts/${id}/${action}`, body, {
    schema: C.StatusResult,
  });
  ctx.equal(value, { accountId: id, status }, `the answer to ${action}`, exchange);
  const facts = await ctx.facts(id);
  ctx.equal(facts.value.status, status, `the status in the facts after ${action}`, facts.exchange);
}

/**
 * A deposit to an account that cannot take money: answered `returned`, the balance
 * unchanged, and the money recorded arriving and going back (never dropped).
 */
async function depositIsReturned(ctx: CheckContext, id: string) {
  const before = await ctx.facts(id);
  const earlier = new Set((await ctx.transactions(id)).items.map((t) => t.id));
  const deposit = await ctx.deposit(id, 'USD', '500');
  ctx.equal(deposit.value.returned, true, 'the deposit answered as returned', deposit.exchange);
  const after = await ctx.facts(id);
  ctx.equal(usd(after.value), usd(before.value), 'the USD balance unchanged', after.exchange);
  const page = await ctx.transactions(id);
  const added = page.items.filter((t) => !earlier.has(t.id) && t.asset === 'USD');
  ctx.expect(
    added.some((t) => t.id === deposit.value.transactionId && t.amount === '500'),
    `the deposit ${deposit.value.transactionId} of 500 recorded in the transaction pages`,
    page.exchange,
  );
  const net = added.reduce((sum, t) => sum + BigInt(t.amount) - BigInt(t.fee), 0n);
  ctx.expect(
    added.length >= 2 && net === 0n,
    'the deposit and its return recorded, netting to zero',
    page.exchange,
    `${added.length} new USD transactions netting ${net}`,
  );
}

export const ACTION_CHECKS: Check[] = [
  {
    id: 'actions.sweep-moves-balance',
    level: 'MUST',
    title: 'sweep-dust answers the amount moved and the next facts show the balance at zero',
    async run(ctx) {
      const id = await ctx.account('dust');
      const { value, exchange } = await ctx.post(
        `/accounts/${id}/sweep-dust`,
        { asset: 'USD' },
        { schema: C.SweepResult },
      );
      ctx.equal(value, { accountId: id, asset: 'USD', amount: '37' }, 'the sweep answer', exchange);
      const facts = await ctx.facts(id);
      ctx.equal(usd(facts.value), '0', 'the USD balance after the sweep', facts.exchange);
      const again = await ctx.post(`/accounts/${id}/sweep-dust`, { asset: 'USD' });
      ctx.equal(again.value['amount'], '0', 'a second sweep (new key) moving "0"', again.exchange);
    },
  },
  {
    id: 'actions.sweep-18-decimals-exact',
    level: 'MUST',
    title: 'sweeping an 18-decimal balance moves and answers it exact to the last unit',
    async run(ctx) {
      const id = await ctx.account('clean');
      const amount = '100000000000000123';
      await ctx.deposit(id, 'ETH', amount);
      const { value, exchange } = await ctx.post(`/accounts/${id}/sweep-dust`, { asset: 'ETH' });
      ctx.equal(value['amount'], amount, 'the amount swept', exchange);
      const facts = await ctx.facts(id);
      ctx.equal(
        facts.value.balances.find((b) => b.asset === 'ETH')?.available,
        '0',
        'the ETH balance after the sweep',
        facts.exchange,
      );
    },
  },
  {
    id: 'actions.cancel-order',
    level: 'MUST',
    title: 'cancelling an open order removes it from the facts and releases its locked funds',
    async run(ctx) {
      const id = await ctx.account('open-order');
      const order = (await ctx.facts(id)).value.openOrders[0]?.id ?? 'none';
      const { value, exchange } = await ctx.post(
        `/accounts/${id}/orders/${order}/cancel`,
        {},
        {
          schema: C.DoneResult,
        },
      );
      ctx.equal(value, { accountId: id, id: order }, 'the cancel answer', exchange);
      const facts = await ctx.facts(id);
      const balance = facts.value.balances.find((b) => b.asset === 'USD');
      ctx.equal(
        [facts.value.openOrders.length, balance?.available, balance?.locked],
        [0, '10000', '0'],
        '[open orders, USD available, USD locked] after the cancel',
        facts.exchange,
      );
    },
  },
  {
    id: 'actions.cancel-withdrawal',
    level: 'MUST',
    title:
      'stopping a pending withdrawal removes it and returns its amount to the available balance',
    async run(ctx) {
      const id = await ctx.account('pending-withdrawal');
      const before = await ctx.facts(id);
      const withdrawal = before.value.pendingTransfers.find((t) => t.direction === 'withdrawal');
      ctx.expect(withdrawal !== undefined, 'a pending withdrawal in the facts', before.exchange);
      const available = (f: WireFacts) =>
        BigInt(f.balances.find((b) => b.asset === withdrawal!.asset)?.available ?? '0');
      await ctx.post(
        `/accounts/${id}/withdrawals/${withdrawal!.id}/cancel`,
        {},
        {
          schema: C.DoneResult,
        },
      );
      const after = await ctx.facts(id);
      ctx.expect(
        after.value.pendingTransfers.length === 0 &&
          available(after.value) >= available(before.value) + BigInt(withdrawal!.amount),
        `no pending transfer, and ${withdrawal!.amount} back in the available balance`,
        after.exchange,
      );
    },
  },
  {
    id: 'actions.revoke-authorization',
    level: 'MUST',
    title: 'a revoked authorization is gone from the next facts',
    async run(ctx) {
      const id = await ctx.account('linked-app');
      const grant = (await ctx.facts(id)).value.authorizations[0]?.id ?? 'none';
      await ctx.post(
        `/accounts/${id}/authorizations/${grant}/revoke`,
        {},
        { schema: C.DoneResult },
      );
      const facts = await ctx.facts(id);
      ctx.equal(facts.value.authorizations, [], 'no active authorization', facts.exchange);
    },
  },
  {
    id: 'actions.revoke-credential',
    level: 'MUST',
    title: 'a revoked credential is gone from the next facts; the others stay',
    async run(ctx) {
      const id = await ctx.account('clean');
      const read = await ctx.facts(id);
      const before = read.value.credentials.map((c) => c.id);
      ctx.expect(before.length > 0, 'the clean copy has a credential to revoke', read.exchange);
      await ctx.post(
        `/accounts/${id}/credentials/${before[0] ?? 'none'}/revoke`,
        {},
        {
          schema: C.DoneResult,
        },
      );
      const facts = await ctx.facts(id);
      ctx.equal(
        facts.value.credentials.map((c) => c.id),
        before.slice(1),
        'the credentials left',
        facts.exchange,
      );
    },
  },
  {
    id: 'actions.hold-place-and-lift',
    level: 'MUST',
    title: 'a placed hold shows in the facts with its kind and reason; a lifted one is gone',
    async run(ctx) {
      const id = await ctx.account('clean');
      const hold = {
        id: `${ctx.prefix}-hold`,
        kind: 'fraud',
        reason: 'conformance check (synthetic)',
      };
      await ctx.post(`/accounts/${id}/holds`, hold, { schema: C.DoneResult });
      const held = await ctx.facts(id);
      ctx.equal(
        held.value.holds.map((h) => [h.id, h.kind, h.reason]),
        [[hold.id, hold.kind, hold.reason]],
        'the hold in the facts',
        held.exchange,
      );
      await ctx.post(`/accounts/${id}/holds/${hold.id}/lift`, {}, { schema: C.DoneResult });
      const lifted = await ctx.facts(id);
      ctx.equal(lifted.value.holds, [], 'no hold after the lift', lifted.exchange);
    },
  },
  {
    id: 'actions.disable-and-enable',
    level: 'MUST',
    title: 'disabled {true} answers and shows "disabled"; {false} brings back "active"',
    async run(ctx) {
      const id = await ctx.account('clean');
      await statusAction(ctx, id, 'disabled', 'disabled', { disabled: true });
      await statusAction(ctx, id, 'disabled', 'active', { disabled: false });
    },
  },
  {
    id: 'actions.end-state-repeat',
    level: 'MUST',
    title:
      'an action on a record already in its end state (new key) answers 200 and changes nothing',
    async run(ctx) {
      const id = await ctx.account('linked-app');
      const before = await ctx.facts(id);
      const grant = before.value.authorizations[0]?.id ?? 'none';
      await ctx.post(`/accounts/${id}/authorizations/${grant}/revoke`);
      const once = await ctx.facts(id);
      const again = await ctx.post(
        `/accounts/${id}/authorizations/${grant}/revoke`,
        {},
        {
          schema: C.DoneResult,
        },
      );
      ctx.equal(
        again.value,
        { accountId: id, id: grant },
        'the repeated revoke answer',
        again.exchange,
      );
      const after = await ctx.facts(id);
      ctx.equal(after.value, once.value, 'the facts unchanged by the repeat', after.exchange);
    },
  },
  {
    id: 'actions.erase-closed-account',
    level: 'MUST',
    title:
      'erase answers the classes erased; after identity the contact holds none of the old name, email and phone',
    async run(ctx) {
      const id = await ctx.account('clean');
      const path = `/accounts/${id}/contact`;
      type Contact = { name: string; email: string | null; phone: string | null };
      const before = await ctx.get<Contact>(path, C.Contact);
      await ctx.post(`/accounts/${id}/close`);
      for (const classes of [['security', 'preferences'], ['identity']]) {
        const { value, exchange } = await ctx.post<{ accountId: string; erased: string[] }>(
          `/accounts/${id}/erase`,
          { classes },
          { schema: C.EraseResult },
        );
        ctx.equal(value.accountId, id, 'the account the erase answer names', exchange);
        ctx.expect(
          classes.every((c) => value.erased.includes(c)),
          `the answer lists ${classes.join(' and ')} as erased`,
          exchange,
          `erased: ${value.erased.join(', ')}`,
        );
      }
      const after = await ctx.get<Contact>(path, C.Contact);
      // Erased means gone or replaced: a platform may keep a pseudonym (`erased`, an
      // address at an `.invalid` domain) where its schema wants a value.
      const gone = (field: 'name' | 'email' | 'phone') =>
        before.value[field] === null ||
        after.value[field] === null ||
        after.value[field] !== before.value[field];
      ctx.expect(
        gone('name') && gone('email') && gone('phone'),
        'the contact after erasing identity: none of the old name, email and phone',
        after.exchange,
      );
    },
  },
];

export const IDEMPOTENCY_CHECKS: Check[] = [
  {
    id: 'idempotency.key-missing',
    level: 'MUST',
    title:
      'a POST without Idempotency-Key is refused with 400 OFFBOARD_ERR_PLATFORM_KEY_MISSING and does nothing',
    async run(ctx) {
      const id = await ctx.account('clean');
      const exchange = await ctx.send('POST', `/accounts/${id}/freeze`, { body: {}, key: null });
      ctx.refused(exchange, 400, 'OFFBOARD_ERR_PLATFORM_KEY_MISSING');
      const facts = await ctx.facts(id);
      ctx.equal(facts.value.status, 'active', 'the account still active', facts.exchange);
    },
  },
  {
    id: 'idempotency.same-key-one-effect',
    level: 'MUST',
    title: 'the same request twice with one key answers the first answer both times and acts once',
    async run(ctx) {
      const id = await ctx.account('clean');
      const key = ctx.key();
      const first = await ctx.deposit(id, 'USD', '500', key);
      const second = await ctx.deposit(id, 'USD', '500', key);
      ctx.equal(second.value, first.value, 'the repeat’s answer', second.exchange);
      const facts = await ctx.facts(id);
      ctx.equal(usd(facts.value), '500', 'the USD balance after one deposit', facts.exchange);
    },
  },
  {
    id: 'idempotency.repeated-sweep-once',
    level: 'MUST',
    title:
      'a sweep repeated with its key answers the first amount and moves nothing, even after more money arrived',
    async run(ctx) {
      const id = await ctx.account('dust');
      const key = ctx.key();
      const first = await ctx.post(`/accounts/${id}/sweep-dust`, { asset: 'USD' }, { key });
      await ctx.deposit(id, 'USD', '500');
      const repeat = await ctx.post(`/accounts/${id}/sweep-dust`, { asset: 'USD' }, { key });
      ctx.equal(repeat.value, first.value, 'the repeated sweep’s answer', repeat.exchange);
      const facts = await ctx.facts(id);
      ctx.equal(
        usd(facts.value),
        '500',
        'the 500 that arrived after the sweep, kept',
        facts.exchange,
      );
    },
  },
  {
    id: 'idempotency.key-reuse-conflict',
    level: 'MUST',
    title:
      'a key reused with another body or path is refused with 409 OFFBOARD_ERR_PLATFORM_KEY_REUSED and does nothing',
    async run(ctx) {
      const id = await ctx.account('clean');
      const key = ctx.key();
      await ctx.deposit(id, 'USD', '500', key);
      const otherBody = await ctx.send('POST', `/test/accounts/${id}/deposits`, {
        body: { asset: 'USD', amount: '600', counterparty: 'conformance-kit' },
        key,
      });
      ctx.refused(otherBody, 409, 'OFFBOARD_ERR_PLATFORM_KEY_REUSED');
      const otherPath = await ctx.send('POST', `/accounts/${id}/freeze`, { body: {}, key });
      ctx.refused(otherPath, 409, 'OFFBOARD_ERR_PLATFORM_KEY_REUSED');
      const facts = await ctx.facts(id);
      ctx.equal(
        [facts.value.status, usd(facts.value)],
        ['active', '500'],
        '[status, USD] as after the first deposit alone',
        facts.exchange,
      );
    },
  },
  {
    id: 'idempotency.concurrent-duplicates-once',
    level: 'MUST',
    title: 'two identical requests racing with one key get one answer and act once',
    async run(ctx) {
      const id = await ctx.account('clean');
      const key = ctx.key();
      const [a, b] = await Promise.all([
        ctx.deposit(id, 'USD', '700', key),
        ctx.deposit(id, 'USD', '700', key),
      ]);
      ctx.equal(b.value, a.value, 'both answers alike', b.exchange);
      const facts = await ctx.facts(id);
      ctx.equal(usd(facts.value), '700', 'the USD balance after one deposit', facts.exchange);
    },
  },
  {
    id: 'idempotency.refusal-not-remembered',
    level: 'SHOULD',
    title:
      'a refused request is not remembered: repeated with its key once the cause is gone, it succeeds',
    async run(ctx) {
      const id = await ctx.account('clean');
      const key = ctx.key();
      const hold = `${ctx.prefix}-hold`;
      const refused = await ctx.send('POST', `/accounts/${id}/holds/${hold}/lift`, {
        body: {},
        key,
      });
      ctx.refused(refused, 404, 'OFFBOARD_ERR_NOT_FOUND');
      await ctx.post(`/accounts/${id}/holds`, {
        id: hold,
        kind: 'legal',
        reason: 'conformance (synthetic)',
      });
      await ctx.post(`/accounts/${id}/holds/${hold}/lift`, {}, { key, schema: C.DoneResult });
      const facts = await ctx.facts(id);
      ctx.equal(facts.value.holds, [], 'the hold lifted by the repeat', facts.exchange);
    },
  },
];

export const FREEZE_CHECKS: Check[] = [
  {
    id: 'freeze.status-frozen',
    level: 'MUST',
    title: 'freeze answers "frozen" and the next facts say so',
    async run(ctx) {
      await statusAction(ctx, await ctx.account('clean'), 'freeze', 'frozen');
    },
  },
  {
    id: 'freeze.deposit-returned',
    level: 'MUST',
    title: 'a deposit while frozen is returned as recorded transactions, never credited or lost',
    async run(ctx) {
      const id = await ctx.account('dust');
      await statusAction(ctx, id, 'freeze', 'frozen');
      await depositIsReturned(ctx, id);
    },
  },
  {
    id: 'freeze.unfreeze-restores',
    level: 'MUST',
    title: 'unfreeze answers "active" and money arriving afterwards is credited',
    async run(ctx) {
      const id = await ctx.account('clean');
      await statusAction(ctx, id, 'freeze', 'frozen');
      await statusAction(ctx, id, 'unfreeze', 'active');
      const deposit = await ctx.deposit(id, 'USD', '500');
      ctx.equal(deposit.value.returned, false, 'the deposit credited', deposit.exchange);
      const facts = await ctx.facts(id);
      ctx.equal(usd(facts.value), '500', 'the USD balance', facts.exchange);
    },
  },
  {
    id: 'freeze.unfreeze-keeps-disabled',
    level: 'SHOULD',
    title: 'unfreezing a disabled account that was frozen restores "disabled", not "active"',
    async run(ctx) {
      const id = await ctx.account('clean');
      await statusAction(ctx, id, 'disabled', 'disabled', { disabled: true });
      await statusAction(ctx, id, 'freeze', 'frozen');
      await statusAction(ctx, id, 'unfreeze', 'disabled');
    },
  },
];

export const CLOSE_CHECKS: Check[] = [
  {
    id: 'close.status-closed',
    level: 'MUST',
    title: 'close answers "closed" and the next facts say so',
    async run(ctx) {
      await statusAction(ctx, await ctx.account('clean'), 'close', 'closed');
    },
  },
  {
    id: 'close.deposit-returned',
    level: 'MUST',
    title: 'a deposit after close is returned as recorded transactions, never credited or lost',
    async run(ctx) {
      const id = await ctx.account('clean');
      await statusAction(ctx, id, 'close', 'closed');
      await depositIsReturned(ctx, id);
    },
  },
  {
    id: 'close.final',
    level: 'MUST',
    title:
      'nothing reopens a closed account: unfreeze and enable answer 409 OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE',
    async run(ctx) {
      const id = await ctx.account('clean');
      await statusAction(ctx, id, 'close', 'closed');
      const unfreeze = await ctx.send('POST', `/accounts/${id}/unfreeze`, {
        body: {},
        key: ctx.key(),
      });
      ctx.refused(unfreeze, 409, 'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE');
      const enable = await ctx.send('POST', `/accounts/${id}/disabled`, {
        body: { disabled: false },
        key: ctx.key(),
      });
      ctx.refused(enable, 409, 'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE');
      const facts = await ctx.facts(id);
      ctx.equal(facts.value.status, 'closed', 'the account still closed', facts.exchange);
    },
  },
];

const ids = (items: WireTransaction[]) => items.map((t) => t.id);

export const TRANSACTION_CHECKS: Check[] = [
  {
    id: 'transactions.shape-and-order',
    level: 'MUST',
    title: "pages have the contract's shape, oldest first, each id once, fees not negative",
    async run(ctx) {
      const id = await ctx.account('dust');
      for (const amount of ['100', '200', '300']) await ctx.deposit(id, 'USD', amount);
      const { items, exchange } = await ctx.transactions(id);
      ctx.equal(
        items.slice(-3).map((t) => [t.type, t.asset, t.decimals, t.amount]),
        ['100', '200', '300'].map((a) => ['deposit', 'USD', 2, a]),
        'the three deposits just made, last and in order',
        exchange,
      );
      ctx.expect(new Set(ids(items)).size === items.length, 'each transaction once', exchange);
      const times = items.map((t) => Date.parse(t.createdAt));
      ctx.expect(
        times.every((t, i) => i === 0 || t >= times[i - 1]!),
        'createdAt never decreasing (oldest first)',
        exchange,
      );
      ctx.expect(
        items.every((t) => !t.fee.startsWith('-')),
        'no negative fee',
        exchange,
      );
    },
  },
  {
    id: 'transactions.pages-complete',
    level: 'MUST',
    title: 'small pages together hold exactly what one large page holds, in the same order',
    async run(ctx) {
      const id = await ctx.account('clean');
      for (let n = 1; n <= 5; n++) await ctx.deposit(id, 'USD', String(n * 100));
      const whole = await ctx.transactions(id, 1000);
      const paged = await ctx.transactions(id, 2);
      ctx.equal(ids(paged.items), ids(whole.items), 'the ids read 2 a page', paged.exchange);
      ctx.expect(paged.pages >= 4, 'at least 4 pages of 2', paged.exchange, `${paged.pages} pages`);
    },
  },
  {
    id: 'transactions.stable-under-inserts',
    level: 'MUST',
    title:
      'transactions recorded while pages are read appear once, after those already read; none skipped',
    async run(ctx) {
      const id = await ctx.account('clean');
      for (let n = 1; n <= 3; n++) await ctx.deposit(id, 'USD', String(n * 100));
      const path = `/accounts/${id}/transactions`;
      const first = await ctx.get<{ transactions: WireTransaction[]; next: string | null }>(
        `${path}?limit=2`,
        C.TransactionPage,
      );
      const arrived = [
        (await ctx.deposit(id, 'USD', '777')).value.transactionId,
        (await ctx.deposit(id, 'USD', '888')).value.transactionId,
      ];
      const read = [...first.value.transactions];
      let after = first.value.next;
      let last = first.exchange;
      while (after !== null) {
        const page = await ctx.get<{ transactions: WireTransaction[]; next: string | null }>(
          `${path}?limit=2&after=${encodeURIComponent(after)}`,
          C.TransactionPage,
        );
        read.push(...page.value.transactions);
        after = page.value.next;
        last = page.exchange;
      }
      const whole = await ctx.transactions(id, 1000);
      ctx.equal(ids(read), ids(whole.items), 'the ids read across the inserts', last);
      ctx.equal(ids(read).slice(-2), arrived, 'the two new deposits last', last);
    },
  },
  {
    id: 'transactions.bad-cursor',
    level: 'SHOULD',
    title: 'a cursor no page gave answers 400 OFFBOARD_ERR_INVALID_ARGUMENT',
    async run(ctx) {
      const id = await ctx.account('clean');
      const exchange = await ctx.send(
        'GET',
        `/accounts/${id}/transactions?after=${encodeURIComponent('not a cursor!')}`,
      );
      ctx.refused(exchange, 400, 'OFFBOARD_ERR_INVALID_ARGUMENT');
    },
  },
];

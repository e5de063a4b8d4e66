import * as C from '../contract.js';
import { FIXTURE_SCENARIOS } from '../contract.js';
import type { FixtureScenario } from '../contract.js';
import type { Check, WireFacts } from './kit.js';

/** The fixtures, authentication, facts and error checks: what a platform answers to reads and refusals. */

const DEMO_IDS = FIXTURE_SCENARIOS.map((s) => `demo-${s}`);
const DAY_MS = 86_400_000;

export const FIXTURE_CHECKS: Check[] = [
  {
    id: 'fixtures.scenarios',
    level: 'MUST',
    title: 'POST /test/fixtures with {} creates every demo scenario account and names them',
    async run(ctx) {
      const { value, exchange } = await ctx.post<{ accountIds: string[] }>(
        '/test/fixtures',
        {},
        { schema: C.FixturesResult },
      );
      const missing = DEMO_IDS.filter((id) => !value.accountIds.includes(id));
      ctx.expect(
        missing.length === 0,
        `accountIds naming ${DEMO_IDS.join(', ')}`,
        exchange,
        `no ${missing.join(', ')}`,
      );
    },
  },
  {
    id: 'fixtures.fresh-copy',
    level: 'MUST',
    title:
      'POST /test/fixtures with {scenario, accountId} creates a fresh copy of a scenario under a new id',
    async run(ctx) {
      const id = await ctx.account('dust');
      const { value, exchange } = await ctx.facts(id);
      ctx.equal(value.status, 'active', 'the copy is active', exchange);
      ctx.equal(
        value.balances.find((b) => b.asset === 'USD')?.available,
        '37',
        "the copy of demo-dust holds demo-dust's 0.37 USD",
        exchange,
      );
    },
  },
];

const STALE_SECONDS = 600;

export const AUTH_CHECKS: Check[] = [
  {
    id: 'auth.unsigned-refused',
    level: 'MUST',
    title: 'a request without signature headers is refused with 401 OFFBOARD_ERR_PLATFORM_UNSIGNED',
    async run(ctx) {
      const exchange = await ctx.send('GET', '/accounts/count', { signing: { kind: 'none' } });
      ctx.refused(exchange, 401, 'OFFBOARD_ERR_PLATFORM_UNSIGNED');
    },
  },
  {
    id: 'auth.bad-signature-refused',
    level: 'MUST',
    title:
      'a request signed with another secret is refused with 401 OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE',
    async run(ctx) {
      const exchange = await ctx.send('GET', '/accounts/count', {
        signing: { kind: 'secret', secret: 'not-the-shared-secret-0000' },
      });
      ctx.refused(exchange, 401, 'OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE');
    },
  },
  {
    id: 'auth.tampered-body-refused',
    level: 'MUST',
    title: 'a body other than the one signed is refused with 401 and has no effect',
    async run(ctx) {
      const id = await ctx.account('clean');
      const before = await ctx.facts(id);
      const path = `/test/accounts/${id}/deposits`;
      const exchange = await ctx.send('POST', path, {
        body: { asset: 'USD', amount: '100000', counterparty: 'conformance-kit' },
        key: ctx.key(),
        signing: {
          kind: 'body',
          signedBody: JSON.stringify({
            asset: 'USD',
            amount: '1',
            counterparty: 'conformance-kit',
          }),
        },
      });
      ctx.refused(exchange, 401, 'OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE');
      const after = await ctx.facts(id);
      ctx.equal(
        after.value.balances,
        before.value.balances,
        'the balances untouched',
        after.exchange,
      );
    },
  },
  {
    id: 'auth.stale-timestamp-refused',
    level: 'MUST',
    title: `a request signed ${STALE_SECONDS} s ago is refused with 401 OFFBOARD_ERR_PLATFORM_STALE_REQUEST`,
    async run(ctx) {
      const exchange = await ctx.send('GET', '/accounts/count', {
        signing: { kind: 'at', signedAt: new Date(Date.now() - STALE_SECONDS * 1000) },
      });
      ctx.refused(exchange, 401, 'OFFBOARD_ERR_PLATFORM_STALE_REQUEST');
    },
  },
  {
    id: 'auth.future-timestamp-refused',
    level: 'MUST',
    title: `a request signed ${STALE_SECONDS} s ahead is refused with 401 OFFBOARD_ERR_PLATFORM_STALE_REQUEST`,
    async run(ctx) {
      const exchange = await ctx.send('GET', '/accounts/count', {
        signing: { kind: 'at', signedAt: new Date(Date.now() + STALE_SECONDS * 1000) },
      });
      ctx.refused(exchange, 401, 'OFFBOARD_ERR_PLATFORM_STALE_REQUEST');
    },
  },
  {
    id: 'auth.checked-before-validation',
    level: 'SHOULD',
    title: 'an unsigned request with a malformed body gets 401, not a validation error',
    async run(ctx) {
      const exchange = await ctx.send('POST', '/facts/query', {
        body: { wrong: true },
        signing: { kind: 'none' },
      });
      ctx.refused(exchange, 401, 'OFFBOARD_ERR_PLATFORM_UNSIGNED');
    },
  },
];

const balanceOf = (facts: WireFacts, asset: string) =>
  facts.balances.find((b) => b.asset === asset);

export const FACTS_CHECKS: Check[] = [
  {
    id: 'facts.shape',
    level: 'MUST',
    title: "every demo scenario's facts have the contract's shape (POST /facts/query)",
    async run(ctx) {
      const { value, exchange } = await ctx.post<{ accounts: WireFacts[]; missing: string[] }>(
        '/facts/query',
        { accountIds: DEMO_IDS },
        { schema: C.FactsBatch },
      );
      ctx.equal(
        value.accounts.map((a) => a.accountId),
        DEMO_IDS,
        'facts of every demo account, in the order asked',
        exchange,
      );
    },
  },
  {
    id: 'facts.exact-amounts',
    level: 'MUST',
    title: 'facts carry the scenarios’ exact amounts as decimal strings beside their decimals',
    async run(ctx) {
      const holds = async (
        scenario: FixtureScenario,
        asset: string,
        decimals: number,
        available: string,
      ) => {
        const { value, exchange } = await ctx.facts(await ctx.account(scenario));
        const balance = balanceOf(value, asset);
        ctx.equal(
          balance && [balance.decimals, balance.available],
          [decimals, available],
          `the ${scenario} copy's ${asset} [decimals, available]`,
          exchange,
        );
      };
      await holds('dust', 'USD', 2, '37');
      await holds('balance', 'EUR', 2, '25000');
      await holds('negative', 'USD', 2, '-1250');
      await holds('everything', 'ETH', 18, '100000000000000');
    },
  },
  {
    id: 'facts.18-decimal-exact',
    level: 'MUST',
    title:
      'an 18-decimal amount reads back exact to the last unit, in facts and in transaction pages',
    async run(ctx) {
      const id = await ctx.account('clean');
      const amount = '123456789012345678';
      const deposit = await ctx.deposit(id, 'ETH', amount);
      const facts = await ctx.facts(id);
      const eth = balanceOf(facts.value, 'ETH');
      ctx.equal(
        [eth?.decimals, eth?.available],
        [18, amount],
        'the ETH balance after depositing 0.123456789012345678 ETH',
        facts.exchange,
      );
      const page = await ctx.transactions(id);
      const tx = page.items.find((t) => t.id === deposit.value.transactionId);
      ctx.equal(
        tx && [tx.decimals, tx.amount],
        [18, amount],
        `transaction ${deposit.value.transactionId} in the pages`,
        page.exchange,
      );
    },
  },
  {
    id: 'facts.scenario-states',
    level: 'MUST',
    title:
      'each scenario’s facts show the state it names (order, transfers, dispute, grant, holds, ...)',
    async run(ctx) {
      const read = async (scenario: Parameters<typeof ctx.account>[0]) =>
        ctx.facts(await ctx.account(scenario));
      const order = await read('open-order');
      ctx.equal(
        order.value.openOrders.map((o) => [o.asset, o.locked]),
        [['USD', '10000']],
        'one open order locking 100.00 USD',
        order.exchange,
      );
      const withdrawal = await read('pending-withdrawal');
      ctx.equal(
        withdrawal.value.pendingTransfers.map((t) => [t.direction, t.asset, t.amount]),
        [['withdrawal', 'BTC', '5000000']],
        'one pending withdrawal of 0.05 BTC',
        withdrawal.exchange,
      );
      const deposit = await read('pending-deposit');
      ctx.equal(
        deposit.value.pendingTransfers.map((t) => [t.direction, t.asset, t.amount]),
        [['deposit', 'EUR', '2000']],
        'one pending deposit of 20.00 EUR',
        deposit.exchange,
      );
      const dispute = await read('dispute');
      ctx.equal(
        dispute.value.disputes.map((d) => d.amount),
        ['4999'],
        'one open chargeback of 49.99',
        dispute.exchange,
      );
      const linked = await read('linked-app');
      ctx.equal(linked.value.authorizations.length, 1, 'one active authorization', linked.exchange);
      const cooling = await read('cooling-off');
      const change = cooling.value.lastActivity['securityChange'];
      ctx.expect(
        change != null && Date.now() - Date.parse(change) < DAY_MS,
        'a security change within the last day',
        cooling.exchange,
        String(change),
      );
      for (const kind of ['legal', 'compliance'] as const) {
        const held = await read(`hold-${kind}`);
        ctx.equal(
          held.value.holds.map((h) => h.kind),
          [kind],
          `one ${kind} hold`,
          held.exchange,
        );
      }
    },
  },
  {
    id: 'facts.batch-query',
    level: 'MUST',
    title:
      'POST /facts/query answers in the order asked, each id once, unknown ids in `missing`, as single reads do',
    async run(ctx) {
      const a = await ctx.account('dust');
      const b = await ctx.account('balance');
      const nobody = `${ctx.prefix}-nobody`;
      const { value, exchange } = await ctx.post<{ accounts: WireFacts[]; missing: string[] }>(
        '/facts/query',
        { accountIds: [b, nobody, a, b] },
        { schema: C.FactsBatch },
      );
      ctx.equal(
        [value.accounts.map((f) => f.accountId), value.missing],
        [[b, a], [nobody]],
        '[accounts in the order asked, missing]',
        exchange,
      );
      const single = await ctx.facts(a);
      ctx.equal(value.accounts[1], single.value, `the batch's facts of ${a}`, single.exchange);
    },
  },
  {
    id: 'facts.listing-and-count',
    level: 'MUST',
    title: 'GET /accounts pages through account ids with `after`; GET /accounts/count counts them',
    async run(ctx) {
      const made = [
        await ctx.account('clean'),
        await ctx.account('clean'),
        await ctx.account('clean'),
      ];
      const seen: string[] = [];
      let after = ctx.prefix;
      for (let page = 0; page < 50; page++) {
        const { value, exchange } = await ctx.get<{ accountIds: string[]; next: string | null }>(
          `/accounts?limit=2&after=${encodeURIComponent(after)}`,
          C.AccountList,
        );
        ctx.expect(value.accountIds.length <= 2, 'at most `limit` ids a page', exchange);
        const repeated = value.accountIds.filter((id) => seen.includes(id));
        ctx.expect(repeated.length === 0, 'no id twice across pages', exchange, repeated.join());
        seen.push(...value.accountIds);
        if (value.accountIds.length === 2)
          ctx.equal(value.next, value.accountIds[1], '`next` of a full page', exchange);
        if (value.next === null || !value.accountIds.every((id) => id.startsWith(ctx.prefix)))
          break;
        after = value.next;
      }
      const absent = made.filter((id) => !seen.includes(id));
      ctx.expect(
        absent.length === 0,
        `the new accounts ${made.join(', ')} listed after ${ctx.prefix}`,
        ctx.caller.log.at(-1) ?? null,
        `no ${absent.join(', ')}`,
      );
      const { value, exchange } = await ctx.get<{ count: number }>('/accounts/count', C.Count);
      ctx.expect(
        value.count >= made.length + DEMO_IDS.length,
        `a count of at least ${made.length + DEMO_IDS.length}`,
        exchange,
      );
    },
  },
  {
    id: 'facts.contact',
    level: 'MUST',
    title: "GET /accounts/{id}/contact answers the holder's name, channels and jurisdiction",
    async run(ctx) {
      const id = await ctx.account('dust');
      const contact = await ctx.get<{ jurisdiction: string }>(`/accounts/${id}/contact`, C.Contact);
      const facts = await ctx.facts(id);
      ctx.equal(
        contact.value.jurisdiction,
        facts.value.jurisdiction,
        'the jurisdiction the facts give',
        contact.exchange,
      );
    },
  },
];

export const ERROR_CHECKS: Check[] = [
  {
    id: 'errors.unknown-account',
    level: 'MUST',
    title: 'an unknown account answers 404 OFFBOARD_ERR_UNKNOWN_ACCOUNT in the error shape',
    async run(ctx) {
      const exchange = await ctx.send('GET', `/accounts/${ctx.prefix}-nobody/facts`);
      ctx.refused(exchange, 404, 'OFFBOARD_ERR_UNKNOWN_ACCOUNT');
      const write = await ctx.send('POST', `/accounts/${ctx.prefix}-nobody/freeze`, {
        body: {},
        key: ctx.key(),
      });
      ctx.refused(write, 404, 'OFFBOARD_ERR_UNKNOWN_ACCOUNT');
    },
  },
  {
    id: 'errors.unknown-record',
    level: 'MUST',
    title: "a record that is not the account's answers 404 OFFBOARD_ERR_NOT_FOUND",
    async run(ctx) {
      const mine = await ctx.account('clean');
      const theirs = await ctx.facts(await ctx.account('open-order'));
      const order = theirs.value.openOrders[0]?.id ?? 'none';
      const exchange = await ctx.send('POST', `/accounts/${mine}/orders/${order}/cancel`, {
        body: {},
        key: ctx.key(),
      });
      ctx.refused(exchange, 404, 'OFFBOARD_ERR_NOT_FOUND');
      const after = await ctx.facts(theirs.value.accountId);
      ctx.equal(
        after.value.openOrders.length,
        1,
        "the other account's order still open",
        after.exchange,
      );
    },
  },
  {
    id: 'errors.unknown-asset',
    level: 'MUST',
    title: 'an unknown asset answers 404 OFFBOARD_ERR_UNKNOWN_ASSET',
    async run(ctx) {
      const id = await ctx.account('clean');
      const exchange = await ctx.send('POST', `/accounts/${id}/sweep-dust`, {
        body: { asset: 'NO-SUCH-ASSET' },
        key: ctx.key(),
      });
      ctx.refused(exchange, 404, 'OFFBOARD_ERR_UNKNOWN_ASSET');
    },
  },
  {
    id: 'errors.invalid-request',
    level: 'MUST',
    title:
      'malformed JSON and an unknown field answer 400 OFFBOARD_ERR_INVALID_REQUEST, never a 500',
    async run(ctx) {
      const id = await ctx.account('dust');
      const unknown = await ctx.send('POST', `/accounts/${id}/sweep-dust`, {
        body: { asset: 'USD', surprise: true },
        key: ctx.key(),
      });
      ctx.refused(unknown, 400, 'OFFBOARD_ERR_INVALID_REQUEST');
      const malformed = await ctx.send('POST', `/accounts/${id}/sweep-dust`, {
        raw: '{"asset": "USD"',
        key: ctx.key(),
      });
      ctx.refused(malformed, 400, 'OFFBOARD_ERR_INVALID_REQUEST');
      const after = await ctx.facts(id);
      ctx.equal(
        balanceOf(after.value, 'USD')?.available,
        '37',
        'the refused sweeps moved nothing',
        after.exchange,
      );
    },
  },
  {
    id: 'errors.unknown-route',
    level: 'SHOULD',
    title: 'an unknown endpoint answers 404 OFFBOARD_ERR_UNKNOWN_ROUTE in the error shape',
    async run(ctx) {
      const exchange = await ctx.send('GET', '/no-such-endpoint');
      ctx.refused(exchange, 404, 'OFFBOARD_ERR_UNKNOWN_ROUTE');
    },
  },
];

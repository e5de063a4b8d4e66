import { expect } from 'vitest';
import { DUST_ACCOUNT_ID } from '../../src/adapters/ledger/ledger.js';
import type { Database } from '../../src/adapters/store/database.js';
import type { RequestedClosure } from './workflow-population.js';
import { describeExit, runOffboard } from './workflow-processes.js';

/*
 * What must hold after workers finalized a batch of closures, however often they were
 * killed or however many ran at once (DESIGN.md part 5: "a worker killed at any instant
 * loses nothing ... idempotency keys keep effects single"). Each check reads the database
 * the workers wrote, never their output.
 */

const key = (accountId: string, asset: string) => `${accountId}/${asset}`;

export interface LedgerSnapshot {
  /** available + locked per account and asset. */
  totals: Map<string, bigint>;
  available: Map<string, bigint>;
  /** The newest transaction id: later rows are the workers'. */
  lastTransactionId: number;
}

export async function snapshotLedger(database: Database): Promise<LedgerSnapshot> {
  const rows = await database.db
    .selectFrom('balances')
    .select(['account_id', 'asset', 'available', 'locked'])
    .execute();
  const totals = new Map<string, bigint>();
  const available = new Map<string, bigint>();
  for (const r of rows) {
    totals.set(key(r.account_id, r.asset), BigInt(r.available) + BigInt(r.locked));
    available.set(key(r.account_id, r.asset), BigInt(r.available));
  }
  const last = await database.db
    .selectFrom('transactions')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return { totals, available, lastTransactionId: Number(last?.id ?? 0) };
}

export interface Outcome {
  closed: RequestedClosure[];
  blocked: RequestedClosure[];
  /** Accepted closures not yet due (a cooling-off wait): the workers must leave them alone. */
  waiting: RequestedClosure[];
}

/**
 * Every due closure ended closed or blocked, with its decision and verdict stored; a
 * closure not yet due is still in grace, untouched.
 */
export async function assertEveryClosureSettled(
  database: Database,
  requested: readonly RequestedClosure[],
  now: Date,
): Promise<Outcome> {
  const rows = await database.db
    .selectFrom('closures')
    .select(['id', 'state', 'decision', 'verdict', 'version', 'lease_owner'])
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  expect(rows.length, 'one closure row per accepted request, no more').toBe(requested.length);
  const outcome: Outcome = { closed: [], blocked: [], waiting: [] };
  const unsettled: string[] = [];
  for (const request of requested) {
    const row = byId.get(request.closureId);
    if (!row) throw new Error(`closure ${request.closureId} of ${request.accountId} is missing`);
    if (request.dueAt > now) {
      expect(
        row,
        `${request.accountId} is not due before ${request.dueAt.toISOString()}`,
      ).toMatchObject({ state: 'grace', decision: null, version: 1 });
      outcome.waiting.push(request);
      continue;
    }
    // Three versions: requested in grace (1), finalizing (2), ended (3); a repeated step
    // would have added one. An ended closure holds no lease.
    const settled = Number(row.version) === 3 && row.lease_owner === null;
    if (settled && row.state === 'closed' && row.decision === 'close') outcome.closed.push(request);
    else if (settled && row.state === 'blocked' && row.decision === 'block')
      outcome.blocked.push(request);
    else
      unsettled.push(
        `${request.accountId} ${request.closureId}: ${row.state}/${row.decision} v${row.version} lease ${row.lease_owner} [${request.blockers.join(', ')}]`,
      );
  }
  expect(
    unsettled,
    'closures left open, moved too often, still leased, or contradicting their decision',
  ).toEqual([]);
  for (const blocked of outcome.blocked) {
    const verdict = JSON.parse(byId.get(blocked.closureId)!.verdict ?? 'null') as {
      blockers?: unknown[];
    } | null;
    expect(
      verdict?.blockers?.length ?? 0,
      `blocked ${blocked.accountId} keeps the verdict that blocked it`,
    ).toBeGreaterThan(0);
  }
  return outcome;
}

/**
 * Closed accounts are closed, empty and stripped of credentials and authorizations;
 * blocked and waiting accounts are active again (finalization unfroze them, or never began).
 */
export async function assertAccountsMatchOutcome(
  database: Database,
  outcome: Outcome,
): Promise<void> {
  const accounts = new Map(
    (await database.db.selectFrom('accounts').select(['id', 'status']).execute()).map((a) => [
      a.id,
      a.status,
    ]),
  );
  const balances = await database.db
    .selectFrom('balances')
    .select(['account_id', 'asset', 'available', 'locked'])
    .execute();
  const activeCredentials = await database.db
    .selectFrom('credentials')
    .select('account_id')
    .where('status', '=', 'active')
    .execute();
  const activeAuthorizations = await database.db
    .selectFrom('authorizations')
    .select('account_id')
    .where('status', '=', 'active')
    .execute();
  const closedIds = new Set(outcome.closed.map((c) => c.accountId));
  const closedStatuses = outcome.closed.map((c) => [c.accountId, accounts.get(c.accountId)]);
  expect(closedStatuses).toEqual(outcome.closed.map((c) => [c.accountId, 'closed']));
  const openStatuses = [...outcome.blocked, ...outcome.waiting].map((c) => [
    c.accountId,
    accounts.get(c.accountId),
  ]);
  expect(openStatuses, 'blocked accounts are unfrozen').toEqual(
    [...outcome.blocked, ...outcome.waiting].map((c) => [c.accountId, 'active']),
  );
  const leftovers = balances.filter(
    (b) => closedIds.has(b.account_id) && (BigInt(b.available) !== 0n || BigInt(b.locked) !== 0n),
  );
  expect(leftovers, 'closed accounts hold nothing').toEqual([]);
  expect(
    activeCredentials.filter((c) => closedIds.has(c.account_id)),
    'closed accounts have no live credential',
  ).toEqual([]);
  expect(
    activeAuthorizations.filter((a) => closedIds.has(a.account_id)),
    'closed accounts have no live authorization',
  ).toEqual([]);
  // Nothing else was closed along the way.
  const closedAccounts = [...accounts]
    .filter(([, status]) => status === 'closed')
    .map(([id]) => id)
    .sort();
  expect(closedAccounts).toEqual([...closedIds].sort());
}

/**
 * Each (account, asset) the requests found as dust was swept exactly once, its whole
 * available balance, into the platform's dust account; nothing else was swept.
 */
export async function assertDustSweptOnce(
  database: Database,
  requested: readonly RequestedClosure[],
  before: LedgerSnapshot,
  now: Date,
): Promise<number> {
  const sweeps = await database.db
    .selectFrom('transactions')
    .select(['account_id', 'asset', 'amount', 'fee', 'status', 'counterparty'])
    .where('type', '=', 'dust_sweep')
    .execute();
  const debits = sweeps.filter((s) => s.account_id !== DUST_ACCOUNT_ID);
  const credits = sweeps.filter((s) => s.account_id === DUST_ACCOUNT_ID);
  const count = new Map<string, number>();
  for (const d of debits)
    count.set(key(d.account_id, d.asset), (count.get(key(d.account_id, d.asset)) ?? 0) + 1);
  const expected = requested
    .filter((r) => r.dueAt <= now)
    .flatMap((r) => r.dustAssets.map((asset) => key(r.accountId, asset)));
  expect(
    [...count].filter(([, n]) => n !== 1),
    'never two sweeps of one account and asset',
  ).toEqual([]);
  expect([...count.keys()].sort(), 'exactly the consented dust was swept').toEqual(
    [...new Set(expected)].sort(),
  );
  const wrongAmounts = debits
    .filter(
      (d) =>
        BigInt(d.amount) !== -(before.available.get(key(d.account_id, d.asset)) ?? 0n) ||
        BigInt(d.fee) !== 0n ||
        d.status !== 'completed',
    )
    .map(
      (d) =>
        `${d.account_id} ${d.asset} ${d.amount} (had ${before.available.get(key(d.account_id, d.asset))})`,
    );
  expect(wrongAmounts, 'a sweep takes the whole available balance, for no fee').toEqual([]);
  // Each debit has its credit on the platform's dust account: the money went somewhere.
  const legs = (
    rows: typeof sweeps,
    sign: bigint,
    who: (r: (typeof sweeps)[number]) => string | null,
  ) => rows.map((r) => `${who(r)} ${r.asset} ${BigInt(r.amount) * sign}`).sort();
  expect(legs(credits, 1n, (r) => r.counterparty)).toEqual(legs(debits, -1n, (r) => r.account_id));
  return debits.length;
}

/**
 * Money is conserved: the ledger rule (available + locked = net of completed transactions)
 * holds for every account and asset; the workers' only movements are dust sweeps; every
 * asset's total over all accounts is what it was; the dust account gained what holders lost.
 */
export async function assertMoneyConserved(
  database: Database,
  before: LedgerSnapshot,
): Promise<void> {
  const after = await snapshotLedger(database);
  const completed = await database.db
    .selectFrom('transactions')
    .select(['id', 'account_id', 'asset', 'type', 'amount', 'fee', 'status'])
    .execute();
  const net = new Map<string, bigint>();
  for (const t of completed) {
    if (t.status !== 'completed') continue;
    net.set(
      key(t.account_id, t.asset),
      (net.get(key(t.account_id, t.asset)) ?? 0n) + BigInt(t.amount) - BigInt(t.fee),
    );
  }
  const broken = [...new Set([...after.totals.keys(), ...net.keys()])]
    .filter((k) => (after.totals.get(k) ?? 0n) !== (net.get(k) ?? 0n))
    .map((k) => `${k}: balance ${after.totals.get(k) ?? 0n}, transactions ${net.get(k) ?? 0n}`);
  expect(broken, 'available + locked = sum of completed (amount - fee)').toEqual([]);

  const fresh = completed.filter((t) => Number(t.id) > before.lastTransactionId);
  expect(
    fresh.filter((t) => t.type !== 'dust_sweep').map((t) => `${t.id} ${t.account_id} ${t.type}`),
    'finalization moves money only by dust sweeps',
  ).toEqual([]);

  const perAsset = (totals: Map<string, bigint>) => {
    const sums = new Map<string, bigint>();
    for (const [k, v] of totals) {
      const asset = k.slice(k.lastIndexOf('/') + 1);
      sums.set(asset, (sums.get(asset) ?? 0n) + v);
    }
    return Object.fromEntries(
      [...sums].filter(([, v]) => v !== 0n).map(([a, v]) => [a, v.toString()]),
    );
  };
  expect(perAsset(after.totals), 'no asset gained or lost money overall').toEqual(
    perAsset(before.totals),
  );

  const swept = new Map<string, bigint>();
  for (const t of fresh)
    if (t.account_id !== DUST_ACCOUNT_ID)
      swept.set(t.asset, (swept.get(t.asset) ?? 0n) - BigInt(t.amount));
  const gained = new Map<string, bigint>();
  for (const [k, v] of after.totals) {
    if (!k.startsWith(`${DUST_ACCOUNT_ID}/`)) continue;
    const asset = k.slice(DUST_ACCOUNT_ID.length + 1);
    gained.set(asset, v - (before.totals.get(k) ?? 0n));
  }
  const show = (m: Map<string, bigint>) =>
    Object.fromEntries([...m].filter(([, v]) => v !== 0n).map(([a, v]) => [a, v.toString()]));
  expect(show(gained), 'the dust account gained exactly what holders lost to sweeps').toEqual(
    show(swept),
  );
}

/**
 * Every step's durable effects exist once per closure: one request, one timer and one
 * finalization audit entry; one freeze, and one close or one unfreeze, in the ledger's
 * idempotency records; one completion or blocking event and one notice per channel.
 * `ledger` is where the accounts live when that is not offboard's database (a platform
 * behind HTTP), and the prefix its ledger puts before the keys offboard sent.
 */
export async function assertOneEffectEach(
  database: Database,
  outcome: Outcome,
  ledger: { database: Database; keyPrefix: string } = { database, keyPrefix: '' },
): Promise<void> {
  const audit = await database.db
    .selectFrom('audit_log')
    .select(['action', 'data'])
    .where('action', 'like', 'closure.%')
    .execute();
  const counts = new Map<string, number>();
  for (const entry of audit) {
    const closureId = (JSON.parse(entry.data) as { closureId?: string }).closureId ?? '?';
    const k = `${closureId} ${entry.action}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const finalized = [...outcome.closed, ...outcome.blocked];
  const expected = new Map<string, number>();
  for (const c of finalized)
    for (const action of ['closure.request', 'closure.timer', 'closure.finalized'])
      expected.set(`${c.closureId} ${action}`, 1);
  for (const c of outcome.waiting) expected.set(`${c.closureId} closure.request`, 1);
  const wrong = [...new Set([...counts.keys(), ...expected.keys()])]
    .filter((k) => counts.get(k) !== expected.get(k))
    .map((k) => `${k}: ${counts.get(k) ?? 0} entries, expected ${expected.get(k) ?? 0}`)
    .sort();
  expect(wrong, 'audit entries per closure and action').toEqual([]);

  const effects = await ledger.database.db
    .selectFrom('ledger_effects')
    .select(['key', 'action'])
    .where('key', 'like', `${ledger.keyPrefix}closure:%`)
    .execute();
  const has = new Set(effects.map((e) => e.key.slice(ledger.keyPrefix.length)));
  const missing: string[] = [];
  const unexpected: string[] = [];
  const want = (k: string, present: boolean) => {
    if (present && !has.has(k)) missing.push(k);
    if (!present && has.has(k)) unexpected.push(k);
  };
  for (const c of finalized) want(`closure:${c.closureId}:freeze`, true);
  for (const c of outcome.closed) {
    want(`closure:${c.closureId}:close`, true);
    want(`closure:${c.closureId}:unfreeze`, false);
  }
  for (const c of outcome.blocked) {
    want(`closure:${c.closureId}:unfreeze`, true);
    want(`closure:${c.closureId}:close`, false);
  }
  for (const c of outcome.waiting)
    for (const step of ['freeze', 'close', 'unfreeze'])
      want(`closure:${c.closureId}:${step}`, false);
  expect({ missing, unexpected }, 'idempotency records of freeze, close and unfreeze').toEqual({
    missing: [],
    unexpected: [],
  });
  expect(
    effects.filter((e) => e.action === 'status-closed').length,
    'one close per closed account',
  ).toBe(outcome.closed.length);

  const events = await database.db
    .selectFrom('outbox')
    .select(['event', 'payload'])
    .where('event', 'in', ['closure.completed', 'closure.blocked'])
    .execute();
  const emitted = events
    .map((e) => `${(JSON.parse(e.payload) as { closureId: string }).closureId} ${e.event}`)
    .sort();
  const announced = [
    ...outcome.closed.map((c) => `${c.closureId} closure.completed`),
    ...outcome.blocked.map((c) => `${c.closureId} closure.blocked`),
  ].sort();
  expect(emitted, 'one outbox event per finalization').toEqual(announced);

  const mail = await database.db
    .selectFrom('mailbox')
    .select(['account_id', 'channel', 'template', (eb) => eb.fn.countAll<number>().as('n')])
    .where('template', 'in', ['closure.completed', 'closure.blocked'])
    .groupBy(['account_id', 'channel', 'template'])
    .execute();
  expect(
    mail.filter((m) => Number(m.n) !== 1),
    'one notice per channel',
  ).toEqual([]);
  const told = [...new Set(mail.map((m) => `${m.account_id} ${m.template}`))].sort();
  const shouldTell = [
    ...outcome.closed.map((c) => `${c.accountId} closure.completed`),
    ...outcome.blocked.map((c) => `${c.accountId} closure.blocked`),
  ].sort();
  expect(told, 'every finalized holder is told the outcome').toEqual(shouldTell);
}

/** `offboard audit verify` walks the whole hash chain and exits 0 when it is intact. */
export async function assertAuditIntact(url: string): Promise<void> {
  const verified = await runOffboard(['audit', 'verify', '--json', '--db', url]);
  expect(verified.code, describeExit('audit verify', verified)).toBe(0);
  expect(JSON.parse(verified.stdout.trim().split('\n').pop() ?? 'null')).toMatchObject({
    intact: true,
  });
}

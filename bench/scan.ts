import { createReadStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Random } from '../src/adapters/ledger/population.js';
import { checkEligibility } from '../src/app/check-eligibility.js';
import { openContext } from '../src/main/context.js';
import { flag, line, percentile, round, runCli, scratchDir, textFlag, UsageError } from './util.js';

/*
 * Scan: `offboard scan` on SQLite (the real CLI, wall time, process start included)
 * against the floor: the same facts read by plain better-sqlite3 prepared statements,
 * batch by batch, with nothing done to the rows. The aim is against the full facts read.
 * Scan reads all but the credentials (no blocker concerns them), so a second figure
 * compares it with the plain read of exactly those tables: what offboard itself costs
 * over the SQL it runs. Then the latency of one in-process eligibility check.
 */

/** offboard's scan batch (src/app/scan.ts). */
const BATCH = 1000;
const CHECKS = 2000;
const WARM_UP = 300;

export async function run(args: string[]): Promise<void> {
  const platform = textFlag(args, 'platform', 'builtin');
  if (platform === 'http') return (await import('./platform-http.js')).scanOverHttp(args);
  if (platform !== 'builtin') throw new UsageError('--platform takes builtin or http');
  const accounts = flag(args, 'accounts', 1_000_000);
  const transactions = flag(args, 'transactions', 10_000_000);
  const seed = flag(args, 'random-seed', 1);
  const keep = textFlag(args, 'keep');
  const dir = keep === undefined ? scratchDir('scan') : resolve(keep);
  try {
    mkdirSync(dir, { recursive: true });
    // The file name says what is in it, so --keep never reuses a different population.
    const path = join(dir, `scan-${accounts}-${transactions}-${seed}.db`);
    const url = `sqlite:${path}`;
    line('population', `${accounts} accounts, ${transactions} transactions (SQLite)`);
    if (keep !== undefined && existsSync(path)) {
      line('seed (untimed)', `reusing ${path}`);
    } else {
      rmSync(path, { force: true });
      const seeded = runCli([
        'seed',
        '--db',
        url,
        '--accounts',
        String(accounts),
        '--transactions',
        String(transactions),
        '--random-seed',
        String(seed),
      ]);
      line('seed (untimed)', `${round(seeded.seconds, 1)} s`);
    }
    // Both sides read from the page cache, not the disk: whichever ran first would pay for the reads otherwise.
    await readWhole(path);

    const baseline = baselineScan(path, { credentials: true });
    line(
      'baseline plain SQL walk',
      `${round(baseline.seconds)} s, ${Math.round(baseline.accounts / baseline.seconds)} accounts/s (${baseline.rows} rows)`,
    );
    const lean = baselineScan(path, { credentials: false });
    line(
      '  the same without credentials',
      `${round(lean.seconds)} s, ${Math.round(lean.accounts / lean.seconds)} accounts/s (${lean.rows} rows)`,
    );

    const scanned = runCli(['scan', '--db', url]);
    const summary = scanned.json as {
      accounts: number;
      eligible: number;
      seconds: number;
      accountsPerSecond: number;
    };
    line(
      'offboard scan (wall)',
      `${round(scanned.seconds)} s, ${Math.round(summary.accounts / scanned.seconds)} accounts/s (${summary.eligible} eligible)`,
    );
    line(
      '  scan loop alone (CLI clock)',
      `${summary.seconds} s, ${summary.accountsPerSecond} accounts/s`,
    );
    if (summary.accounts !== baseline.accounts)
      throw new Error(
        `offboard scanned ${summary.accounts} accounts, the baseline walked ${baseline.accounts}`,
      );
    const ratio = scanned.seconds / baseline.seconds;
    line('ratio offboard/baseline', `${round(ratio)} (aim: at most 1.2)`);
    const leanRatio = scanned.seconds / lean.seconds;
    line('  over the tables scan reads', `${round(leanRatio)}`);

    const latency = await checkLatency(url, accounts, seed);
    line(
      `check latency (${CHECKS} calls)`,
      `p50 ${round(latency.p50, 3)} ms, p99 ${round(latency.p99, 3)} ms, max ${round(latency.max, 3)} ms (aim: p99 < 2 ms)`,
    );

    process.stdout.write(
      `${JSON.stringify({
        bench: 'scan',
        accounts: summary.accounts,
        offboard_s: round(scanned.seconds),
        baseline_s: round(baseline.seconds),
        ratio: round(ratio),
        lean_baseline_s: round(lean.seconds),
        lean_ratio: round(leanRatio),
        accounts_per_s: Math.round(summary.accounts / scanned.seconds),
        baseline_accounts_per_s: Math.round(baseline.accounts / baseline.seconds),
        p50_ms: round(latency.p50),
        p99_ms: round(latency.p99),
      })}\n`,
    );
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

async function readWhole(path: string): Promise<void> {
  for (const file of [path, `${path}-wal`]) {
    if (!existsSync(file)) continue;
    for await (const _chunk of createReadStream(file, { highWaterMark: 1 << 22 })) {
      // reading is the point
    }
  }
}

/**
 * The floor: offboard's own queries (the account walk, the eight fact queries of
 * src/adapters/ledger/ledger-facts.ts, or all but the credentials', and the open closures
 * of the batch) as plain prepared statements, rows materialized and dropped. No
 * evaluation, no conversion.
 */
function baselineScan(
  path: string,
  options: { credentials: boolean },
): { seconds: number; accounts: number; rows: number } {
  const raw = new BetterSqlite3(path, { readonly: true });
  try {
    const first = raw
      .prepare(`select "id" from "accounts" where "holder_id" != ? order by "id" limit ?`)
      .pluck();
    const next = raw
      .prepare(
        `select "id" from "accounts" where "id" > ? and "holder_id" != ? order by "id" limit ?`,
      )
      .pluck();
    // One statement per batch size: every full batch reuses the same prepared statements.
    const prepared = new Map<number, BetterSqlite3.Statement[]>();
    const statementsFor = (n: number): BetterSqlite3.Statement[] => {
      let found = prepared.get(n);
      if (found) return found;
      const list = `(${new Array<string>(n).fill('?').join(', ')})`;
      found = [
        `select * from "accounts" where "id" in ${list}`,
        `select "balances"."account_id", "balances"."asset", "balances"."available", "balances"."locked", "assets"."decimals", "assets"."price_minor", "assets"."allow_negative" from "balances" inner join "assets" on "assets"."code" = "balances"."asset" where "balances"."account_id" in ${list}`,
        `select "orders"."id", "orders"."account_id", "orders"."asset", "orders"."side", "orders"."locked", "orders"."created_at", "assets"."decimals" from "orders" inner join "assets" on "assets"."code" = "orders"."asset" where "orders"."account_id" in ${list} and "orders"."status" = 'open'`,
        `select "transactions"."id", "transactions"."account_id", "transactions"."asset", "transactions"."type", "transactions"."amount", "transactions"."created_at", "transactions"."cancellable", "assets"."decimals" from "transactions" inner join "assets" on "assets"."code" = "transactions"."asset" where "transactions"."account_id" in ${list} and "transactions"."status" = 'pending'`,
        `select "disputes"."id", "disputes"."account_id", "disputes"."kind", "disputes"."asset", "disputes"."amount", "disputes"."opened_at", "assets"."decimals" from "disputes" inner join "assets" on "assets"."code" = "disputes"."asset" where "disputes"."account_id" in ${list} and "disputes"."status" = 'open'`,
        `select "id", "account_id", "kind", "name", "granted_at" from "authorizations" where "account_id" in ${list} and "status" = 'active'`,
        ...(options.credentials
          ? [
              `select "id", "account_id", "kind", "label", "created_at" from "credentials" where "account_id" in ${list} and "status" = 'active'`,
            ]
          : []),
        `select "id", "account_id", "kind", "reason", "placed_at" from "holds" where "account_id" in ${list} and "status" = 'active'`,
        `select "id", "account_id", "state" from "closures" where "account_id" in ${list} and "state" in ('requested', 'grace', 'finalizing', 'escalated')`,
      ].map((text) => raw.prepare(text));
      prepared.set(n, found);
      return found;
    };
    let accounts = 0;
    let rows = 0;
    let after: string | undefined;
    const started = process.hrtime.bigint();
    for (;;) {
      const ids = (
        after === undefined ? first.all('platform', BATCH) : next.all(after, 'platform', BATCH)
      ) as string[];
      if (ids.length === 0) break;
      for (const statement of statementsFor(ids.length)) rows += statement.all(ids).length;
      accounts += ids.length;
      after = ids[ids.length - 1];
      if (ids.length < BATCH) break;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, accounts, rows };
  } finally {
    raw.close();
  }
}

/** One eligibility check at a time for random seeded accounts, in process, after a warm-up. */
async function checkLatency(
  url: string,
  accounts: number,
  seed: number,
): Promise<{ p50: number; p99: number; max: number }> {
  const ctx = await openContext({ db: url });
  try {
    // The population's ids (src/adapters/ledger/population.ts): acct- and a zero-padded number.
    const width = Math.max(7, String(accounts).length);
    const random = new Random(seed + 1);
    const pick = () => `acct-${String(random.int(1, accounts)).padStart(width, '0')}`;
    const now = new Date();
    const options = { now, lang: 'en', audience: 'holder' } as const;
    for (let i = 0; i < WARM_UP; i++) await checkEligibility(ctx.app, ctx.rules, pick(), options);
    const samples = new Array<number>(CHECKS);
    for (let i = 0; i < CHECKS; i++) {
      const id = pick();
      const started = process.hrtime.bigint();
      await checkEligibility(ctx.app, ctx.rules, id, options);
      samples[i] = Number(process.hrtime.bigint() - started) / 1e6;
    }
    samples.sort((a, b) => a - b);
    return {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: samples[samples.length - 1]!,
    };
  } finally {
    await ctx.close();
  }
}

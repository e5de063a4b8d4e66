import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { evaluateFacts } from '../src/app/check-eligibility.js';
import { requestClosure } from '../src/app/closures.js';
import { openContext } from '../src/main/context.js';
import type { PlatformPort } from '../src/ports/platform.js';
import { CpuSampler, serverCounters } from './cpu.js';
import type { CpuFigures, ServerCounters } from './cpu.js';
import {
  benchPostgresUrl,
  CLI,
  flag,
  line,
  round,
  runCli,
  scratchDir,
  scratchPostgres,
  spawnTimed,
  textFlag,
  UsageError,
} from './util.js';

/*
 * Closures: end-to-end closures per second through `offboard work --once` worker
 * processes (grace 0, already confirmed, so every closure is due at once), on SQLite with
 * one worker and on PostgreSQL with each count of `--workers` (default 1, 4 and 8, each a
 * separate process, to show where adding processes stops paying), against pg-boss on the
 * same PostgreSQL server moving the same number of no-op jobs with the same worker
 * processes and concurrency. Setting up (seeding, requesting the closures, enqueueing the jobs) is
 * outside the clock; each clock runs from spawning the workers until every closure is
 * terminal (every job completed).
 */

const REPO = new URL('..', import.meta.url).pathname;
const QUEUE = 'bench';
const OPEN_STATES = ['requested', 'grace', 'finalizing', 'escalated'];

export async function run(args: string[]): Promise<void> {
  const platform = textFlag(args, 'platform', 'builtin');
  if (platform === 'http') return (await import('./platform-http.js')).closuresOverHttp(args);
  if (platform !== 'builtin') throw new UsageError('--platform takes builtin or http');
  const closures = flag(args, 'closures', 2000);
  const concurrency = flag(args, 'concurrency', 4);
  // pg-boss's work() sleeps its polling interval after every fetch, so its rate is capped
  // whatever the size: a smaller run measures the same rate in less time.
  const workJobs = flag(args, 'pgboss-work-jobs', Math.min(closures, 100));
  const adminUrl = benchPostgresUrl(args);
  const workers = workerCounts(args);
  if (closures < 1) throw new UsageError('--closures takes at least 1');
  // About 60% of seeded accounts can be closed with consent alone (clean, dust, linked apps,
  // open orders); twice as many as needed is enough for any seed.
  const population = closures * 2;
  line(
    'closures',
    `${closures} per run, grace 0, confirmed; each worker a separate process: work --once --concurrency ${concurrency}; PostgreSQL with ${workers.join(', ')} of them`,
  );

  const dir = scratchDir('closures');
  let sqlite: Measured;
  try {
    sqlite = await measureOffboard(
      `sqlite:${join(dir, 'closures.db')}`,
      population,
      closures,
      1,
      concurrency,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report('offboard SQLite, 1 worker', sqlite);
  reportCost(sqlite);
  const offboard = new Map<number, Measured>();
  for (const n of workers) {
    const m = await withScratchPostgres(adminUrl, `closures_${n}w`, (url) =>
      measureOffboard(url, population, closures, n, concurrency),
    );
    report(`offboard PostgreSQL, ${workersLabel(n)}`, m);
    reportCost(m);
    offboard.set(n, m);
  }
  const boss = new Map<number, Measured>();
  for (const n of workers) {
    const m = await withScratchPostgres(adminUrl, `pgboss_${n}w`, (url) =>
      measurePgBoss(url, closures, n, concurrency, 'fetch'),
    );
    report(`pg-boss fetch/complete, ${workersLabel(n)}`, m);
    reportCost(m, 'per job');
    boss.set(n, m);
  }
  const work = new Map<number, Measured>();
  for (const n of workers) {
    const m = await withScratchPostgres(adminUrl, `pgboss_work_${n}w`, (url) =>
      measurePgBoss(url, workJobs, n, concurrency, 'work'),
    );
    report(`pg-boss work(), ${workersLabel(n)}`, m);
    work.set(n, m);
  }

  const fewest = workers[0]!;
  const figures: Record<string, number> = {};
  for (const n of workers) {
    const closuresPerS = offboard.get(n)!.perSecond;
    const ratio = closuresPerS / boss.get(n)!.perSecond;
    const scaling = closuresPerS / offboard.get(fewest)!.perSecond;
    const aim = n === 4 && fewest === 1 ? ' (aim: at least 2.5)' : '';
    line(
      `ratio PostgreSQL ${workersLabel(n)}`,
      `${round(ratio)} closures/s per pg-boss fetch job/s (aim: at least 1.0); ` +
        `${round(closuresPerS / work.get(n)!.perSecond)} per work() job/s; ` +
        `${round(scaling)} x ${workersLabel(fewest)}${aim}`,
    );
    figures[`pg_${n}w_per_s`] = round(closuresPerS, 1);
    figures[`pgboss_${n}w_per_s`] = round(boss.get(n)!.perSecond, 1);
    figures[`pgboss_work_${n}w_per_s`] = round(work.get(n)!.perSecond, 1);
    figures[`ratio_${n}w`] = round(ratio);
    figures[`ratio_${n}w_vs_work`] = round(closuresPerS / work.get(n)!.perSecond);
    figures[`scaling_${n}w`] = round(scaling);
    const cost = offboard.get(n)!.cost;
    if (cost) figures[`pg_${n}w_worker_cpu_ms`] = round(cost.workerCpuMs, 2);
    if (cost?.server) {
      figures[`pg_${n}w_postgres_cpu_ms`] = round(cost.server.cpuMs, 2);
      figures[`pg_${n}w_commits`] = round(cost.server.commits, 1);
      if (cost.server.walSyncs !== null)
        figures[`pg_${n}w_wal_syncs`] = round(cost.server.walSyncs, 1);
    }
  }
  process.stdout.write(
    `${JSON.stringify({
      bench: 'closures',
      closures,
      concurrency,
      workers,
      pgboss_work_jobs: workJobs,
      cores: availableParallelism(),
      sqlite_1w_per_s: round(sqlite.perSecond, 1),
      ...figures,
      // The aim's figure under the name earlier runs printed it with.
      ...(figures['ratio_4w'] === undefined ? {} : { ratio: figures['ratio_4w'] }),
    })}\n`,
  );
}

function workersLabel(n: number): string {
  return n === 1 ? '1 worker' : `${n} workers`;
}

/** `--workers 1,4,8`: the worker process counts to run on PostgreSQL, ascending. */
function workerCounts(args: string[]): number[] {
  const text = textFlag(args, 'workers', '1,4,8');
  const counts = text.split(',').map(Number);
  if (counts.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw new UsageError('--workers takes worker process counts separated by commas, e.g. 1,4,8');
  return [...new Set(counts)].sort((a, b) => a - b);
}

export interface Measured {
  count: number;
  seconds: number;
  perSecond: number;
  note: string;
  /** What one closure cost, where it could be measured (Linux). */
  cost?: ClosureCost;
}

/** Per closure: CPU milliseconds of the workers and of PostgreSQL, commits and WAL flushes. */
interface ClosureCost {
  workerCpuMs: number;
  /** The PostgreSQL figures; null on SQLite. */
  server: { cpuMs: number; commits: number; walSyncs: number | null } | null;
}

/** Divides a run's CPU and server counters by the closures (or jobs) it moved. */
function costPerItem(
  items: number,
  used: CpuFigures | null,
  before: ServerCounters | null,
  after: ServerCounters | null,
): ClosureCost | undefined {
  if (!used) return undefined;
  const per = (amount: number) => amount / items;
  return {
    workerCpuMs: per(used.workers * 1000),
    server:
      before && after
        ? {
            cpuMs: per(used.postgres * 1000),
            commits: per(after.commits - before.commits),
            walSyncs:
              before.walSyncs !== null && after.walSyncs !== null
                ? per(after.walSyncs - before.walSyncs)
                : null,
          }
        : null,
  };
}

/**
 * What a closure (or a pg-boss job) cost the machine, and the most per second its cores
 * allow at that cost: the rate a run cannot pass however many workers it adds.
 */
function reportCost(m: Measured, label = 'per closure'): void {
  if (!m.cost) return;
  const { workerCpuMs, server } = m.cost;
  const cpuMs = workerCpuMs + (server?.cpuMs ?? 0);
  const cores = availableParallelism();
  const parts = server
    ? [
        `CPU ${round(workerCpuMs, 2)} ms in workers + ${round(server.cpuMs, 2)} ms in PostgreSQL`,
        `${round(server.commits, 1)} commits` +
          (server.walSyncs === null ? '' : `, ${round(server.walSyncs, 1)} WAL flushes`),
      ]
    : [`CPU ${round(workerCpuMs, 2)} ms in the worker`];
  parts.push(`${cores} cores allow ${round((cores * 1000) / cpuMs, 1)}/s at this CPU`);
  line(`  ${label}`, parts.join('; '));
}

export function report(label: string, m: Measured): void {
  line(
    label,
    `${round(m.seconds)} s, ${round(m.perSecond, 1)}/s (${m.count}${m.note ? `; ${m.note}` : ''})`,
  );
}

async function withScratchPostgres<T>(
  adminUrl: string,
  label: string,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const scratch = await scratchPostgres(adminUrl, label);
  try {
    return await fn(scratch.url);
  } finally {
    await scratch.drop();
  }
}

/** Seeds, requests `closures` closures (untimed), then times `workers` worker processes until every closure is terminal. */
async function measureOffboard(
  url: string,
  population: number,
  closures: number,
  workers: number,
  concurrency: number,
): Promise<Measured> {
  runCli([
    'seed',
    '--db',
    url,
    '--accounts',
    String(population),
    '--transactions',
    String(population),
    '--random-seed',
    '1',
  ]);
  await requestClosures(url, closures);
  const database = url.startsWith('postgres') ? new URL(url).pathname.slice(1) : null;
  const before = database ? await serverCounters(url) : null;
  const cpu = new CpuSampler(database);
  const started = process.hrtime.bigint();
  const runs = Array.from({ length: workers }, () => {
    const run = spawnTimed(
      process.execPath,
      [CLI, 'work', '--once', '--concurrency', String(concurrency), '--db', url, '--json'],
      { env: { ...process.env, OFFBOARD_DEBUG: '1' } },
    );
    cpu.watch(run.child.pid);
    return run.done;
  });
  const results = await Promise.all(runs);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = cpu.stop();
  const after = database ? await serverCounters(url) : null;
  for (const r of results)
    if (r.code !== 0) throw new Error(`offboard work exited ${r.code}: ${r.stderr}${r.stdout}`);
  const states = await closureStates(url);
  const open = OPEN_STATES.reduce((sum, s) => sum + (states[s] ?? 0), 0);
  const total = Object.values(states).reduce((sum, n) => sum + n, 0);
  if (open > 0 || total !== closures) {
    throw new Error(
      `${open} of ${total} closures still open after the workers exited (${JSON.stringify(states)}); worker errors:\n${results.map((r) => r.stderr).join('')}`,
    );
  }
  // Steps that failed and were repeated (OFFBOARD_DEBUG prints each one as "offboard: <closure id>: <error>").
  const failures = results.flatMap((r) =>
    r.stderr.split('\n').filter((l) => l.startsWith('offboard: cl_')),
  );
  const kinds = [...new Set(failures.map((l) => l.replace(/^offboard: cl_[^:]+: /, '')))];
  const note =
    Object.entries(states)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ') +
    (failures.length > 0
      ? `; ${failures.length} worker step errors: ${kinds.join(' | ').slice(0, 200)}`
      : '');
  const cost = costPerItem(closures, used, before, after);
  return {
    count: closures,
    seconds,
    perSecond: closures / seconds,
    note,
    ...(cost ? { cost } : {}),
  };
}

/**
 * Requests closures, in id order, on the accounts consent alone can close (no blocker the
 * holder, support or time must clear), until there are `closures` of them.
 */
export async function requestClosures(
  url: string,
  closures: number,
  platform?: PlatformPort,
): Promise<void> {
  const ctx = await openContext({ db: url, ...(platform ? { platform } : {}) });
  try {
    const consent = { sweepDust: true, cancelOrders: true, revokeApps: true };
    const actor = { kind: 'platform', id: 'bench' } as const;
    let requested = 0;
    let after: string | undefined;
    while (requested < closures) {
      const ids = await ctx.app.platform.listAccounts({ after, limit: 500 });
      if (ids.length === 0)
        throw new Error(
          `only ${requested} closable accounts in the population; ${closures} needed`,
        );
      after = ids[ids.length - 1];
      const now = ctx.clock.now();
      const facts = await ctx.app.platform.factsBatch(ids);
      const closable = ids.filter((id) => {
        const f = facts.get(id);
        return (
          f !== undefined &&
          evaluateFacts(ctx.rules, f, now).blockers.every((b) => b.severity === 'automatic')
        );
      });
      const take = closable.slice(0, closures - requested);
      // PostgreSQL takes requests side by side; SQLite has one connection, so one at a time.
      const width = ctx.database.dialect === 'postgres' ? 8 : 1;
      for (let i = 0; i < take.length; i += width) {
        await Promise.all(
          take.slice(i, i + width).map((accountId) =>
            requestClosure(ctx.app, ctx.rules, {
              accountId,
              consent,
              confirmed: true,
              gracePeriodMs: 0,
              actor,
            }),
          ),
        );
      }
      requested += take.length;
    }
  } finally {
    await ctx.close();
  }
}

export async function closureStates(url: string): Promise<Record<string, number>> {
  const ctx = await openContext({ db: url, migrate: false });
  try {
    const rows = await ctx.database.db
      .selectFrom('closures')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } finally {
    await ctx.close();
  }
}

/*
 * One pg-boss worker process (plain Node, like the offboard CLI: no TypeScript loader in
 * the clock). `fetch` mode is pg-boss at its fastest with the worker's own loop: fetch
 * `concurrency` jobs at once (offboard's worker claims `concurrency` closures at once), run
 * the no-op handler on each side by side, complete them in one call, fetch again at once,
 * and exit when the queue comes back empty (as `work --once` does). `work` mode is pg-boss's
 * own worker, `work(name, { batchSize: concurrency, pollingIntervalSeconds: 0.5 })`, which
 * runs until the bench stops it.
 */
const PGBOSS_WORKER = `
import PgBoss from 'pg-boss';
const { BENCH_URL: url, BENCH_QUEUE: queue, BENCH_MODE: mode } = process.env;
const concurrency = Number(process.env.BENCH_CONCURRENCY);
const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, migrate: false, max: concurrency + 2 });
boss.on('error', (error) => process.stderr.write(String(error.stack ?? error) + '\\n'));
await boss.start();
const handler = async (_job) => {};
if (mode === 'fetch') {
  for (;;) {
    const jobs = await boss.fetch(queue, { batchSize: concurrency });
    if (jobs.length === 0) break;
    await Promise.all(jobs.map(handler));
    await boss.complete(queue, jobs.map((j) => j.id));
  }
  await boss.stop({ graceful: false, wait: true });
  process.exit(0);
} else {
  await boss.work(queue, { batchSize: concurrency, pollingIntervalSeconds: 0.5 }, (jobs) => Promise.all(jobs.map(handler)));
  process.once('SIGTERM', () => process.exit(0));
}
`;

/** Enqueues `jobs` no-op jobs (untimed), then times `workers` pg-boss worker processes until all are completed. */
async function measurePgBoss(
  url: string,
  jobs: number,
  workers: number,
  concurrency: number,
  mode: 'fetch' | 'work',
): Promise<Measured> {
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  boss.on('error', (error) => process.stderr.write(`pg-boss: ${String(error)}\n`));
  await boss.start();
  await boss.createQueue(QUEUE);
  for (let i = 0; i < jobs; i += 1000) {
    await boss.insert(
      Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({
        name: QUEUE,
        data: { n: i + k },
      })),
    );
  }
  await boss.stop({ graceful: false, wait: true });

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const completed = async () =>
      Number(
        (
          await client.query<{ n: number }>(
            `select count(*)::int as n from pgboss.job where name = $1 and state = 'completed'`,
            [QUEUE],
          )
        ).rows[0]!.n,
      );
    const env = {
      ...process.env,
      BENCH_URL: url,
      BENCH_QUEUE: QUEUE,
      BENCH_MODE: mode,
      BENCH_CONCURRENCY: String(concurrency),
    };
    // CPU is counted in fetch mode only: in work mode this process polls the same database.
    const database = mode === 'fetch' ? new URL(url).pathname.slice(1) : null;
    const before = database ? await serverCounters(url) : null;
    const cpu = database ? new CpuSampler(database) : null;
    const started = process.hrtime.bigint();
    const runs = Array.from({ length: workers }, () => {
      const run = spawnTimed(process.execPath, ['--input-type=module', '-e', PGBOSS_WORKER], {
        env,
        cwd: REPO,
      });
      cpu?.watch(run.child.pid);
      return run;
    });
    let seconds: number;
    if (mode === 'fetch') {
      const results = await Promise.all(runs.map((r) => r.done));
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const r of results)
        if (r.code !== 0) throw new Error(`pg-boss worker exited ${r.code}: ${r.stderr}`);
    } else {
      // work() never exits by itself: the clock stops when the last job is completed.
      const exited = Promise.race(runs.map((r) => r.done.then((d) => d)));
      let failure: string | null = null;
      void exited.then((d) => (failure = `a pg-boss worker exited ${d.code}: ${d.stderr}`));
      while ((await completed()) < jobs) {
        if (failure) throw new Error(failure);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const r of runs) r.child.kill('SIGTERM');
      await Promise.all(runs.map((r) => r.done));
    }
    const used = cpu?.stop() ?? null;
    const after = database ? await serverCounters(url) : null;
    const done = await completed();
    if (done !== jobs) throw new Error(`pg-boss completed ${done} of ${jobs} jobs`);
    const cost = costPerItem(jobs, used, before, after);
    const note =
      mode === 'fetch'
        ? `fetch ${concurrency} at once, complete, repeat`
        : `work() batchSize ${concurrency}, polling 0.5 s`;
    return { count: jobs, seconds, perSecond: jobs / seconds, note, ...(cost ? { cost } : {}) };
  } finally {
    await client.end();
  }
}

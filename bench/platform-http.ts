import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { HttpPlatform } from '../src/adapters/platform-http/client.js';
import { closureStates, report, requestClosures } from './closures.js';
import type { Measured } from './closures.js';
import { CLI, flag, line, round, runCli, scratchDir, spawnTimed, UsageError } from './util.js';

/*
 * The platform behind HTTP against the builtin ledger, in the same run, on the same
 * population (`--platform http` of the closures and scan benches). The builtin side is
 * offboard as it runs out of the box: the ledger in its own SQLite database, read and acted
 * on in-process. The HTTP side is the same population in a database of the sandbox platform
 * server (`offboard sandbox serve`, a process of its own on loopback), which offboard reaches
 * only through its HTTP client: signed requests, idempotency keys, facts in batches of 500.
 * Both share the machine, so the HTTP figure pays for the platform's own work as well.
 * The figure that matters is the ratio, HTTP over builtin (aim: at least 0.5).
 */

const OPEN_STATES = ['requested', 'grace', 'finalizing', 'escalated'];
const SECRET = randomBytes(24).toString('hex');
/** A guard against a hung start only. */
const START_LIMIT_MS = 120_000;

/** `offboard sandbox serve` over `databaseUrl` on a free port; resolves once it listens. */
async function startSandbox(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const run = spawnTimed(
    process.execPath,
    [CLI, 'sandbox', 'serve', '--port', '0', '--db', databaseUrl],
    {
      env: { ...process.env, OFFBOARD_PLATFORM_SECRET: SECRET },
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`the sandbox did not start: ${seen}`)),
      START_LIMIT_MS,
    );
    run.child.stdout!.on('data', (chunk: string) => {
      seen += chunk;
      const found = /listening on (http:\/\/\S+?)\/offboard-platform\/v1/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    void run.done.then((d) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited ${d.code}: ${d.stderr}`));
    });
  });
  return {
    url,
    stop: async () => {
      run.child.kill('SIGTERM');
      await run.done;
    },
  };
}

function seed(url: string, accounts: number, transactions: number, randomSeed: number): number {
  return runCli([
    'seed',
    '--db',
    url,
    '--accounts',
    String(accounts),
    '--transactions',
    String(transactions),
    '--random-seed',
    String(randomSeed),
  ]).seconds;
}

/** One `work --once` process on offboard's database, timed until it exits with every closure terminal. */
async function timeWorker(
  url: string,
  closures: number,
  concurrency: number,
  platform: string[],
): Promise<Measured> {
  const run = spawnTimed(
    process.execPath,
    [
      CLI,
      'work',
      '--once',
      '--concurrency',
      String(concurrency),
      '--db',
      url,
      '--json',
      ...platform,
    ],
    { env: { ...process.env, OFFBOARD_DEBUG: '1', OFFBOARD_PLATFORM_SECRET: SECRET } },
  );
  const result = await run.done;
  if (result.code !== 0)
    throw new Error(`offboard work exited ${result.code}: ${result.stderr}${result.stdout}`);
  const states = await closureStates(url);
  const open = OPEN_STATES.reduce((sum, s) => sum + (states[s] ?? 0), 0);
  if (open > 0)
    throw new Error(`${open} closures still open after the worker exited: ${result.stderr}`);
  const failures = result.stderr.split('\n').filter((l) => l.startsWith('offboard: cl_')).length;
  const note =
    Object.entries(states)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ') + (failures > 0 ? `; ${failures} worker step errors` : '');
  return { count: closures, seconds: result.seconds, perSecond: closures / result.seconds, note };
}

/** `npm run bench -- closures --platform http [--closures N] [--concurrency C]` */
export async function closuresOverHttp(args: string[]): Promise<void> {
  const closures = flag(args, 'closures', 1000);
  const concurrency = flag(args, 'concurrency', 4);
  if (closures < 1) throw new UsageError('--closures takes at least 1');
  // About 60% of seeded accounts can be closed with consent alone: twice as many is enough.
  const population = closures * 2;
  line(
    'closures over HTTP',
    `${closures} per run, grace 0, confirmed; SQLite, one worker: work --once --concurrency ${concurrency}`,
  );
  const dir = scratchDir('closures-http');
  try {
    const builtinDb = `sqlite:${join(dir, 'builtin.db')}`;
    seed(builtinDb, population, population, 1);
    await requestClosures(builtinDb, closures);
    const builtin = await timeWorker(builtinDb, closures, concurrency, []);
    report('builtin ledger, in-process', builtin);

    const platformDb = `sqlite:${join(dir, 'platform.db')}`;
    const offboardDb = `sqlite:${join(dir, 'offboard.db')}`;
    seed(platformDb, population, population, 1);
    const sandbox = await startSandbox(platformDb);
    let http: Measured;
    try {
      await requestClosures(
        offboardDb,
        closures,
        new HttpPlatform({ url: sandbox.url, secret: SECRET }),
      );
      http = await timeWorker(offboardDb, closures, concurrency, ['--platform', sandbox.url]);
    } finally {
      await sandbox.stop();
    }
    report('sandbox platform over HTTP', http);
    const ratio = http.perSecond / builtin.perSecond;
    line('ratio HTTP/builtin', `${round(ratio)} (aim: at least 0.5)`);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'closures',
        platform: 'http',
        closures,
        concurrency,
        builtin_per_s: round(builtin.perSecond, 1),
        http_per_s: round(http.perSecond, 1),
        ratio: round(ratio),
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ScanSummary {
  accounts: number;
  eligible: number;
  seconds: number;
  accountsPerSecond: number;
}

/** `npm run bench -- scan --platform http [--accounts N] [--transactions M]` */
export async function scanOverHttp(args: string[]): Promise<void> {
  const accounts = flag(args, 'accounts', 100_000);
  const transactions = flag(args, 'transactions', accounts * 10);
  const randomSeed = flag(args, 'random-seed', 1);
  line('scan over HTTP', `${accounts} accounts, ${transactions} transactions (SQLite)`);
  const dir = scratchDir('scan-http');
  try {
    const platformDb = `sqlite:${join(dir, 'platform.db')}`;
    const seconds = seed(platformDb, accounts, transactions, randomSeed);
    line('seed (untimed)', `${round(seconds, 1)} s`);

    // The same population both ways: in-process on its database, then served over HTTP.
    const builtin = runCli(['scan', '--db', platformDb]);
    const inProcess = builtin.json as ScanSummary;
    const builtinRate = inProcess.accounts / builtin.seconds;
    line(
      'builtin ledger, in-process (wall)',
      `${round(builtin.seconds)} s, ${Math.round(builtinRate)} accounts/s (${inProcess.eligible} eligible)`,
    );

    const sandbox = await startSandbox(platformDb);
    let remote: ReturnType<typeof runCli>;
    try {
      remote = runCli(
        ['scan', '--db', `sqlite:${join(dir, 'offboard.db')}`, '--platform', sandbox.url],
        { ...process.env, OFFBOARD_PLATFORM_SECRET: SECRET },
      );
    } finally {
      await sandbox.stop();
    }
    const overHttp = remote.json as ScanSummary;
    const httpRate = overHttp.accounts / remote.seconds;
    line(
      'sandbox platform over HTTP (wall)',
      `${round(remote.seconds)} s, ${Math.round(httpRate)} accounts/s (${overHttp.eligible} eligible)`,
    );
    if (overHttp.accounts !== inProcess.accounts || overHttp.eligible !== inProcess.eligible)
      throw new Error(
        `the scans disagree: builtin ${inProcess.accounts} accounts, ${inProcess.eligible} eligible; HTTP ${overHttp.accounts}, ${overHttp.eligible}`,
      );
    const ratio = httpRate / builtinRate;
    line('ratio HTTP/builtin', `${round(ratio)} (aim: at least 0.5)`);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'scan',
        platform: 'http',
        accounts,
        transactions,
        builtin_accounts_per_s: Math.round(builtinRate),
        http_accounts_per_s: Math.round(httpRate),
        ratio: round(ratio),
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { createApiKey } from '../src/app/api-keys.js';
import { emitPopulation, Random } from '../src/adapters/ledger/population.js';
import { seedReferenceData } from '../src/adapters/ledger/scenarios.js';
import { bulkLoad } from '../src/adapters/store/bulk-loader.js';
import { openDatabase } from '../src/adapters/store/database.js';
import { migrateToLatest } from '../src/adapters/store/migrate.js';
import { storeOf } from '../src/adapters/store/repositories.js';
import { sandboxKeyring } from '../src/adapters/crypto/keyring.js';
import { systemClock } from '../src/ports/clock.js';
import { CLI, flag, line, round, scratchDir, spawnTimed } from './util.js';

/*
 * API: requests per second and p99 latency of GET /v1/accounts/{id}/eligibility (an API key
 * with the read scope, a random seeded account per request) against the same server's
 * /healthz, which does no work: the ratio is what the eligibility check costs over the
 * bare HTTP stack. The server is the real built CLI (`offboard serve`) in a child process
 * on 127.0.0.1, so autocannon's own work does not share its event loop.
 */

export async function run(args: string[]): Promise<void> {
  const accounts = flag(args, 'accounts', 10_000);
  const transactions = flag(args, 'transactions', 100_000);
  const seconds = flag(args, 'duration', 10);
  const connections = flag(args, 'connections', 32);
  const seed = flag(args, 'random-seed', 1);
  const dir = scratchDir('api');
  const url = `sqlite:${join(dir, 'api.db')}`;
  try {
    line('population', `${accounts} accounts, ${transactions} transactions (SQLite)`);
    const key = await prepare(url, accounts, transactions, seed);

    const server = spawnTimed(
      process.execPath,
      [CLI, 'serve', '--db', url, '--port', '0', '--host', '127.0.0.1'],
      {
        env: { ...process.env, OFFBOARD_LOG_LEVEL: 'warn' },
      },
    );
    try {
      const base = await listeningUrl(server.child);
      line('server', `${base} (offboard serve, child process)`);
      const ids = Array.from(
        { length: accounts },
        (_, i) => `acct-${String(i + 1).padStart(Math.max(7, String(accounts).length), '0')}`,
      );
      const random = new Random(seed);
      const pick = () => ids[Math.floor(random.next() * ids.length)]!;

      // Warm up both routes (JIT, SQLite page cache), then measure each for the same time.
      await load(base, '/healthz', null, null, 2, connections);
      await load(base, '/v1/accounts/x/eligibility', key, pick, 2, connections);
      const healthz = await load(base, '/healthz', null, null, seconds, connections);
      const eligibility = await load(
        base,
        '/v1/accounts/x/eligibility',
        key,
        pick,
        seconds,
        connections,
      );
      for (const [name, r] of [
        ['healthz', healthz],
        ['eligibility', eligibility],
      ] as const) {
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`${name}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
      }

      line(
        'baseline GET /healthz',
        `${Math.round(healthz.requests.average)} req/s, p99 ${healthz.latency.p99} ms`,
      );
      line(
        'GET /v1/accounts/{id}/eligibility',
        `${Math.round(eligibility.requests.average)} req/s, p99 ${eligibility.latency.p99} ms`,
      );
      const ratio = eligibility.requests.average / healthz.requests.average;
      line('ratio eligibility/healthz', `${round(ratio)} (aim: at least 0.5)`);
      process.stdout.write(
        `${JSON.stringify({
          bench: 'api',
          accounts,
          transactions,
          connections,
          duration_s: seconds,
          eligibility_rps: Math.round(eligibility.requests.average),
          eligibility_p99_ms: eligibility.latency.p99,
          healthz_rps: Math.round(healthz.requests.average),
          healthz_p99_ms: healthz.latency.p99,
          ratio: round(ratio),
        })}\n`,
      );
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seeds the population and creates a read-only API key; returns the key. */
async function prepare(
  url: string,
  accounts: number,
  transactions: number,
  seed: number,
): Promise<string> {
  const database = await openDatabase(url);
  try {
    await migrateToLatest(database);
    await seedReferenceData(database, systemClock);
    await bulkLoad(database, (sink) =>
      emitPopulation(sink, { accounts, transactions, randomSeed: seed, now: systemClock.now() }),
    );
    const { key } = await createApiKey(storeOf(database, await sandboxKeyring(database)), {
      name: 'bench',
      scopes: ['read'],
      now: systemClock.now(),
      actor: { kind: 'system', id: 'bench' },
    });
    return key;
  } finally {
    await database.close();
  }
}

/** The server prints `offboard listening on URL` once it listens. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${seen}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer | string) => {
      seen += String(chunk);
      const match = /listening on (http:\/\/\S+?)[\s(]/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${seen}`)));
  });
}

function load(
  base: string,
  path: string,
  key: string | null,
  pick: (() => string) | null,
  seconds: number,
  connections: number,
): Promise<Result> {
  return autocannon({
    url: `${base}${path}`,
    connections,
    duration: seconds,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    requests: [
      {
        method: 'GET',
        // A different seeded account on every request: no row stays hot by accident.
        setupRequest: (request) =>
          pick ? { ...request, path: `/v1/accounts/${pick()}/eligibility` } : request,
      },
    ],
  });
}

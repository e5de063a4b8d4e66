import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import { parseDuration } from '../../../domain/duration.js';
import { OffboardError } from '../../../domain/errors.js';
import { SCENARIO_IDS } from '../../ledger/scenario-catalogue.js';
import type { Policy, PolicyDocument } from '../../../domain/policy.js';
import type { Context } from '../../../main/context.js';
import { redactDatabaseUrl, resolveDatabaseUrl } from '../../store/database-url.js';
import type { Database } from '../../store/database.js';
import type { RunningServer, ServeOptions } from '../../http/server.js';
import type { StatementsConfig } from '../../http/routes/exports.js';
import {
  generateSigningKey,
  loadSigningKey,
  SIGNING_KEY_ENV,
  signingKeyFromEnv,
} from '../../statements/signing-key.js';
import type { SigningKey } from '../../statements/signing-key.js';
import type { AgentRole } from '../../http/tokens.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, loadPolicyOrThrow, parseCount } from '../command-kit.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const holderTokensModule = () => import('../../../app/holder-tokens.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const tokensModule = () => import('../../http/tokens.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const agentKeysModule = () => import('../../http/agent-keys.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const resetModule = () => import('../../store/reset.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const scenariosModule = () => import('../../ledger/scenarios.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const apiKeysModule = () => import('../../../app/api-keys.js');

/**
 * The HTTP stack (Fastify, OpenAPI, every route) loads only for `serve` and `demo`: every
 * other command starts without paying for it.
 */
async function startServer(ctx: Context, options: ServeOptions): Promise<RunningServer> {
  const http = await import('../../http/server.js');
  return http.startServer(ctx, options);
}

const DEMO_WHALE_TRANSACTIONS = 20_000;
const DEMO_AGENTS: readonly { id: string; roles: AgentRole[] }[] = [
  { id: 'agent-ada', roles: ['support', 'compliance', 'admin'] },
  // A second agent, so overrides can get their four-eyes approval in the demo.
  { id: 'agent-bo', roles: ['compliance'] },
];

function duration(value: unknown, option: string): number {
  const parsed = parseDuration(String(value));
  if (!parsed.ok)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${option}: "${String(value)}" is not a duration; use e.g. 30m, 1h, 7d`,
    );
  return parsed.ms;
}

/** A token's lifetime: a positive duration. */
function lifetime(value: unknown): number {
  const ms = duration(value, '--ttl');
  if (ms <= 0)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--ttl must be longer than 0; use e.g. 30m, 1h, 7d`,
    );
  return ms;
}

function port(value: unknown): number {
  const n = parseCount(value, '--port', 0);
  if (n > 65_535)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--port must be at most 65535, got ${n}`,
    );
  return n;
}

/**
 * Exports go below OFFBOARD_EXPORT_DIR (default ./offboard-exports), signed with the key
 * OFFBOARD_SIGNING_KEY names. The demo, when no key is named, makes a sandbox key there
 * once and keeps using it.
 */
function statementsConfig(env: NodeJS.ProcessEnv, sandbox: boolean): StatementsConfig {
  const dir = resolve(env['OFFBOARD_EXPORT_DIR'] ?? 'offboard-exports');
  let key: Promise<SigningKey> | null = null;
  const load = async (): Promise<SigningKey> => {
    if (env[SIGNING_KEY_ENV] || !sandbox) return signingKeyFromEnv(env);
    const path = join(dir, 'sandbox-signing-key.pem');
    if (existsSync(path)) return loadSigningKey(path);
    await mkdir(dir, { recursive: true });
    return generateSigningKey(path);
  };
  return {
    dir,
    signingKey: () => {
      key ??= load().catch((error: unknown) => {
        key = null; // a fixed configuration is picked up on the next request
        throw error;
      });
      return key;
    },
  };
}

/** Resolves on SIGINT or SIGTERM: a server runs until then. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The same policy with another grace period everywhere: the demo shows a closure finish in a minute, not a week. */
function withGrace(document: PolicyDocument, gracePeriodMs: number): PolicyDocument {
  const change = (p: Policy): Policy => ({ ...p, closure: { ...p.closure, gracePeriodMs } });
  return {
    base: change(document.base),
    jurisdictions: new Map([...document.jurisdictions].map(([k, p]) => [k, change(p)])),
  };
}

export function registerServe(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('serve')
    .description(
      'run the HTTP service: holder, platform and agent APIs, /docs, /healthz, /readyz, /metrics',
    )
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--worker', 'also run the worker in this process (finalize closures, deliver webhooks)')
    .option('--trust-proxy', 'behind a reverse proxy: take client addresses from X-Forwarded-For')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const server = await startServer(ctx, {
          port: port(opts['port']),
          host: String(opts['host']),
          tokenSecret: await (await tokensModule()).tokenSecret(ctx.database, deps.io.env),
          agentKeys: await (await agentKeysModule()).agentKeys(ctx.database, deps.io.env),
          logger: { level: deps.io.env['OFFBOARD_LOG_LEVEL'] ?? 'info' },
          trustProxy: Boolean(opts['trustProxy']),
          statements: statementsConfig(deps.io.env, false),
          worker: opts['worker']
            ? {
                pollMs: 1000,
                leaseMs: 60_000,
                concurrency: 4,
                onError: (e) => ctx.app.onError?.(e, 'worker'),
              }
            : undefined,
        });
        // Links in notifications point here unless the operator named the public address.
        if (!deps.io.env['OFFBOARD_PUBLIC_URL']) ctx.app.publicUrl = server.url;
        // Listen for signals before saying so: a supervisor (or a test) that stops the
        // process as soon as it reads the line must not meet the default SIGTERM action.
        const stopped = untilSignal();
        deps.io.stderr(
          `offboard listening on ${server.url} (docs: ${server.url}/docs)${server.worker ? ', worker running' : ''}\n`,
        );
        await stopped;
        await server.close();
        return 0;
      }),
    );

  program
    .command('demo')
    .description(
      'the sandbox in one command: migrate, seed the scenarios, run the API and the worker, print credentials',
    )
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--grace <duration>',
      "grace period of closures in the demo (the policy's is days)",
      '1m',
    )
    .option(
      '--whale-transactions <n>',
      "transactions in demo-whale's history",
      String(DEMO_WHALE_TRANSACTIONS),
    )
    .option('--ttl <duration>', 'lifetime of the printed tokens', '12h')
    .option(
      '--reset',
      "start from a fresh sandbox: empty the demo's database first (refused if it holds accounts that are not the demo's)",
    )
    .option('--json', 'print the URLs and credentials as one JSON line')
    .action(
      action(
        deps,
        exit,
        async (_none, opts) => {
          const policy = withGrace(
            await loadPolicyOrThrow(opts.policy, deps.io.env),
            duration(opts['grace'], '--grace'),
          );
          const ttlMs = lifetime(opts['ttl']);
          const whale = parseCount(opts['whaleTransactions'], '--whale-transactions', 1);
          const listenPort = port(opts['port']);
          const url = resolveDatabaseUrl(opts.db, deps.io.env);
          if (opts['reset']) {
            // An earlier demo still running on the port would have its database emptied
            // under it, and this one would then fail anyway: find out first.
            await ensurePortFree(listenPort, String(opts['host']));
            await (await resetModule()).resetDatabase(url, refuseNonDemoData);
          }
          const ctx = await deps.openContext({ db: url, env: deps.io.env, policy });
          let server: RunningServer | null = null;
          try {
            const seeded = await (await scenariosModule()).seedScenarios(ctx.database, ctx.clock, {
              whaleTransactions: whale,
            });
            // Scenario accounts from an earlier run keep what was done to them there.
            const reused = seeded.created.length < seeded.accounts.length;
            const agents = await (await agentKeysModule()).agentKeys(ctx.database, deps.io.env);
            server = await startServer(ctx, {
              port: listenPort,
              host: String(opts['host']),
              tokenSecret: await (await tokensModule()).tokenSecret(ctx.database, deps.io.env),
              agentKeys: agents,
              logger: { level: 'warn', stream: process.stderr },
              statements: statementsConfig(deps.io.env, true),
              worker: {
                pollMs: 1000,
                leaseMs: 60_000,
                concurrency: 4,
                onError: (e) => ctx.app.onError?.(e, 'worker'),
              },
            });
            if (!deps.io.env['OFFBOARD_PUBLIC_URL']) ctx.app.publicUrl = server.url;
            const credentials = await demoCredentials(
              ctx,
              deps.io.env,
              agents.signingKey,
              ttlMs,
              String(opts['grace']),
            );
            const info = {
              url: server.url,
              docs: `${server.url}/docs`,
              openapi: `${server.url}/openapi.json`,
              database: redactDatabaseUrl(ctx.database.url),
              reused,
              ...credentials,
            };
            // Signals first, then the line a script waits for (see serve).
            const stopped = untilSignal();
            if (opts.json) printJson(deps.io, info);
            else deps.io.stdout(demoText(info));
            await stopped;
          } finally {
            await server?.close();
            await ctx.close();
          }
          return 0;
        },
        { needsContext: false },
      ),
    );

  const token = program
    .command('token')
    .description(
      "mint tokens for the HTTP service: holder tokens with OFFBOARD_TOKEN_SECRET (else the database's own secret), sandbox agent tokens with the database's agent key",
    );
  token
    .command('holder <account>')
    .description(
      'a holder token for one account (what the platform signs for a signed-in holder); refused for a disabled or closed account',
    )
    .option('--ttl <duration>', 'lifetime', '1h')
    .option('--json', 'print {"token","expiresAt"} as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        // Every input is checked before anything is written (the secret is made on first use).
        const ttlMs = lifetime(opts['ttl']);
        await (await holderTokensModule()).assertHolderTokenMintable(ctx.app, account); // unknown, disabled, closed: an error, not a useless token
        const minted = (await tokensModule()).mintHolderToken(
          await (await tokensModule()).tokenSecret(ctx.database, deps.io.env),
          account,
          ctx.clock.now(),
          ttlMs,
        );
        if (opts.json)
          printJson(deps.io, {
            token: minted.token,
            accountId: account,
            expiresAt: minted.expiresAt.toISOString(),
          });
        else deps.io.stdout(`${minted.token}\n`);
        return 0;
      }),
    );
  token
    .command('agent <agent-id>')
    .description(
      "a sandbox agent token with roles, signed with the database's agent key (in production agents come from your identity provider)",
    )
    .requiredOption('--roles <list>', 'support, compliance, admin (comma-separated)')
    .option('--ttl <duration>', 'lifetime', '8h')
    .option('--json', 'print {"token","expiresAt"} as JSON')
    .action(
      action(deps, exit, async (ctx, opts, agentId: string) => {
        const roles = (await tokensModule()).parseRoles(String(opts['roles']));
        if (!roles)
          throw new OffboardError(
            'OFFBOARD_ERR_INVALID_ARGUMENT',
            `--roles takes support, compliance, admin (comma-separated); got "${String(opts['roles'])}"`,
          );
        const ttlMs = lifetime(opts['ttl']);
        const minted = (await tokensModule()).mintAgentToken(
          await (await agentKeysModule()).agentSigningKey(ctx.database, deps.io.env),
          agentId,
          roles,
          ctx.clock.now(),
          ttlMs,
        );
        if (opts.json)
          printJson(deps.io, {
            token: minted.token,
            agentId,
            roles,
            expiresAt: minted.expiresAt.toISOString(),
          });
        else deps.io.stdout(`${minted.token}\n`);
        return 0;
      }),
    );
}

/** Fails with OFFBOARD_ERR_PORT_IN_USE when something listens on the port now (0 is always free). */
async function ensurePortFree(listenPort: number, host: string): Promise<void> {
  if (listenPort === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(listenPort, host, () => probe.close(() => resolve()));
  }).catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') return; // startServer says why
    throw new OffboardError(
      'OFFBOARD_ERR_PORT_IN_USE',
      `port ${listenPort} is in use on ${host}: another process listens there (an earlier offboard demo still running?). Stop it, or pass another port with --port (--port 0 picks a free one)`,
    );
  });
}

/** --reset empties only a sandbox: a database with accounts of its own is not the demo's. */
async function refuseNonDemoData(database: Database): Promise<void> {
  const foreign = await (await scenariosModule()).nonScenarioAccounts(database);
  if (foreign.length > 0)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--reset refused: ${redactDatabaseUrl(database.url)} holds accounts that are not the demo's (${foreign.join(', ')}, ...); --reset empties only a demo database. Point --db at another file, e.g. --db sqlite:./offboard-demo.db`,
    );
}

interface DemoCredentials {
  apiKey: string;
  agents: { id: string; roles: AgentRole[]; token: string }[];
  holders: Record<string, string>;
  expiresAt: string;
  grace: string;
}

async function demoCredentials(
  ctx: Context,
  env: NodeJS.ProcessEnv,
  agentKey: KeyObject | null,
  ttlMs: number,
  grace: string,
): Promise<DemoCredentials> {
  const now = ctx.clock.now();
  const secret = await (await tokensModule()).tokenSecret(ctx.database, env);
  const { key } = await (await apiKeysModule()).createApiKey(ctx.app, {
    name: 'demo',
    scopes: ['read', 'write', 'admin'],
    now,
    actor: { kind: 'system', id: 'demo' },
  });
  const { mintAgentToken, mintHolderToken } = await tokensModule();
  const holders: Record<string, string> = {};
  for (const id of SCENARIO_IDS) holders[id] = mintHolderToken(secret, id, now, ttlMs).token;
  // With an identity provider configured, agents sign in there: offboard has no key to mint with.
  const agents = agentKey
    ? DEMO_AGENTS.map((a) => ({
        ...a,
        token: mintAgentToken(agentKey, a.id, a.roles, now, ttlMs).token,
      }))
    : [];
  return {
    apiKey: key,
    agents,
    holders,
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    grace,
  };
}

function demoText(
  info: DemoCredentials & {
    url: string;
    docs: string;
    openapi: string;
    database: string;
    reused: boolean;
  },
): string {
  const clean = info.holders['demo-clean'] ?? '';
  const lines = [
    `offboard demo: the API and the worker are running on ${info.database}`,
    ...(info.reused
      ? [
          '',
          `  Reusing the demo accounts already in ${info.database}: they keep what earlier runs`,
          '  did to them (demo-clean may be closed already, and the walkthrough below then',
          '  answers 409). Run `offboard demo --reset` to start from a fresh sandbox.',
        ]
      : []),
    '',
    `  API       ${info.url}`,
    `  docs      ${info.docs}`,
    `  OpenAPI   ${info.openapi}`,
    '',
    'API key (scopes read, write, admin; shown once):',
    `  ${info.apiKey}`,
    '',
    `agent tokens (until ${info.expiresAt}):`,
    ...info.agents.map((a) => `  ${a.id.padEnd(10)} ${a.roles.join(',').padEnd(24)} ${a.token}`),
    '',
    `holder tokens (until ${info.expiresAt}):`,
    ...Object.entries(info.holders).map(([id, t]) => `  ${id.padEnd(24)} ${t}`),
    '',
    'Try it (demo-clean closes a minute after confirmation):',
    `  H=${clean}`,
    `  K=${info.apiKey}`,
    `  curl -s -H "Authorization: Bearer $H" ${info.url}/v1/me/eligibility`,
    `  curl -s -X POST -H "Authorization: Bearer $H" -H 'Content-Type: application/json' -d '{}' ${info.url}/v1/me/closure`,
    `  curl -s -H "Authorization: Bearer $K" '${info.url}/v1/sandbox/mailbox?account=demo-clean&limit=2'`,
    `  curl -s -X POST -H "Authorization: Bearer $H" -H 'Content-Type: application/json' -d '{"code":"CODE"}' ${info.url}/v1/me/closure/confirm`,
    `  curl -s -H "Authorization: Bearer $H" ${info.url}/v1/me/closure`,
    '',
    `Closures here have a ${info.grace} grace period (--grace). Ctrl-C stops.`,
    '',
  ];
  return lines.join('\n');
}

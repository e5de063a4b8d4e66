import { createServer } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import type { Policy, PolicyDocument } from '../../../domain/policy.js';
import type { Context } from '../../../main/context.js';
import { SCENARIO_IDS } from '../../ledger/scenario-catalogue.js';
import { redactDatabaseUrl, resolveDatabaseUrl } from '../../store/database-url.js';
import type { Database } from '../../store/database.js';
import type { RunningServer } from '../../http/server.js';
import type { AgentRole } from '../../http/tokens.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, loadPolicyOrThrow, parseCount, parseDurationOption } from '../command-kit.js';
import { printJson } from '../output.js';
import {
  agentKeysModule,
  port,
  startServer,
  statementsConfig,
  tokensModule,
  untilSignal,
} from './server-kit.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const resetModule = () => import('../../store/reset.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const scenariosModule = () => import('../../ledger/scenarios.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const apiKeysModule = () => import('../../../app/api-keys.js');

const DEMO_WHALE_TRANSACTIONS = 20_000;
const DEMO_AGENTS: readonly { id: string; roles: AgentRole[] }[] = [
  { id: 'agent-ada', roles: ['support', 'compliance', 'admin'] },
  // A second agent, so overrides can get their four-eyes approval in the demo.
  { id: 'agent-bo', roles: ['compliance'] },
];

/** The same policy with another grace period everywhere: the demo shows a closure finish in a minute, not a week. */
function withGrace(document: PolicyDocument, gracePeriodMs: number): PolicyDocument {
  const change = (p: Policy): Policy => ({ ...p, closure: { ...p.closure, gracePeriodMs } });
  return {
    base: change(document.base),
    jurisdictions: new Map([...document.jurisdictions].map(([k, p]) => [k, change(p)])),
    retention: document.retention,
  };
}

export function registerDemo(program: Command, deps: CliDeps, exit: ExitBox): void {
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
            parseDurationOption(opts.grace, '--grace'),
          );
          const ttlMs = parseDurationOption(opts.ttl, '--ttl', { positive: true });
          const whale = parseCount(opts.whaleTransactions, '--whale-transactions', 1);
          const listenPort = port(opts.port);
          const url = resolveDatabaseUrl(opts.db, deps.io.env);
          if (opts.reset) {
            // An earlier demo still running on the port would have its database emptied
            // under it, and this one would then fail anyway: find out first.
            await ensurePortFree(listenPort, opts.host);
            await (await resetModule()).resetDatabase(url, refuseNonDemoData);
          }
          const ctx = await deps.openContext({
            db: url,
            env: deps.io.env,
            policy,
            platformUrl: null,
          });
          let server: RunningServer | null = null;
          try {
            const seeded = await (
              await scenariosModule()
            ).seedScenarios(ctx.database, ctx.clock, {
              whaleTransactions: whale,
            });
            // Scenario accounts from an earlier run keep what was done to them there.
            const reused = seeded.created.length < seeded.accounts.length;
            const agents = await (await agentKeysModule()).agentKeys(ctx.database, deps.io.env);
            server = await startServer(ctx, {
              port: listenPort,
              host: opts.host,
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
              opts.grace,
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
  const { key } = await (
    await apiKeysModule()
  ).createApiKey(ctx.app, {
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

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import type { Policy, PolicyDocument } from '../../../domain/policy.js';
import type { Context } from '../../../main/context.js';
import type { PlatformPort } from '../../../ports/platform.js';
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

// Loaded with --platform-http only: the sandbox platform server and offboard's client.
const sandboxModule = () => import('../../platform-http/sandbox-server.js');
const clientModule = () => import('../../platform-http/client.js');
// Loaded when the command runs: `offboard --help` must not load the database stack.
const signInLinksModule = () => import('../../../app/sign-in-links.js');

const DEMO_WHALE_TRANSACTIONS = 20_000;
// Loaded when the command runs: `offboard --help` must not load the database stack.
const agentSignInModule = () => import('../../../app/agent-sign-in.js');

/**
 * The demo's agents: support reads, compliance decides, and a supervisor (admin) gives
 * the second pair of eyes an override needs.
 */
const DEMO_AGENTS: readonly { id: string; roles: AgentRole[] }[] = [
  { id: 'agent-ana', roles: ['support'] },
  { id: 'agent-bo', roles: ['compliance'] },
  { id: 'agent-cy', roles: ['compliance', 'admin'] },
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
    .option(
      '--platform-http',
      'run the sandbox platform server beside the demo, over its own database, drive it through the HTTP platform contract, and print each request to it',
    )
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
          const { platformSiblingUrl, resetDatabase } = await resetModule();
          const platformHttp = Boolean(opts.platformHttp);
          // The platform's accounts live in a database of their own, never in offboard's.
          const sibling = platformHttp ? platformSiblingUrl(url) : null;
          if (opts.reset) {
            // An earlier demo still running on the port would have its database emptied
            // under it, and this one would then fail anyway: find out first.
            await ensurePortFree(listenPort, opts.host);
            await resetDatabase(url, refuseNonDemoData);
            if (sibling) await resetDatabase(sibling, refuseNonDemoData);
          }
          const platform = platformHttp
            ? await startDemoPlatform(deps, sibling, opts.json ? 'stderr' : 'stdout')
            : null;
          let ctx: Context;
          try {
            ctx = await deps.openContext({
              db: url,
              env: deps.io.env,
              policy,
              ...(platform ? { platform: platform.client } : { platformUrl: null }),
            });
          } catch (error) {
            await platform?.close();
            throw error;
          }
          let server: RunningServer | null = null;
          try {
            const seeded = await (
              await scenariosModule()
            ).seedScenarios(platform?.ctx.database ?? ctx.database, ctx.clock, {
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
              server.url,
            );
            const info = {
              url: server.url,
              docs: `${server.url}/docs`,
              openapi: `${server.url}/openapi.json`,
              database: redactDatabaseUrl(ctx.database.url),
              ...(platform
                ? {
                    platform: platform.url,
                    platformDatabase: redactDatabaseUrl(platform.ctx.database.url),
                  }
                : {}),
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
            await platform?.close();
          }
          return 0;
        },
        { needsContext: false },
      ),
    );
}

interface DemoPlatform {
  /** Where the sandbox platform listens (the contract's prefix added). */
  url: string;
  /** The sandbox's own context: its database holds the scenario accounts. */
  ctx: Context;
  /** offboard's HTTP client, pointed at it. */
  client: PlatformPort;
  close(): Promise<void>;
}

/**
 * `demo --platform-http`: the sandbox platform server in this process on a free loopback
 * port, over the database beside the demo's (`sibling`; else a temporary file, removed at
 * the end), with a random secret only this process knows. Every request it answers is
 * printed as one line, so a newcomer watches the contract's traffic.
 */
async function startDemoPlatform(
  deps: CliDeps,
  sibling: string | null,
  stream: 'stdout' | 'stderr',
): Promise<DemoPlatform> {
  const temporary = sibling ? null : mkdtempSync(join(tmpdir(), 'offboard-demo-platform-'));
  const removeTemporary = () => {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  };
  let ctx: Context;
  try {
    ctx = await deps.openContext({
      db: sibling ?? `sqlite:${join(temporary!, 'platform.db')}`,
      env: deps.io.env,
      platformUrl: null,
    });
  } catch (error) {
    removeTemporary();
    throw error;
  }
  const secret = randomBytes(32).toString('hex');
  const { buildSandboxApp } = await sandboxModule();
  const { HttpPlatform, PREFIX } = await clientModule();
  const print = deps.io[stream];
  const app = await buildSandboxApp(
    { database: ctx.database, clock: ctx.clock, secret, testMode: true },
    {
      onExchange: (e) => {
        const path = e.path.startsWith(PREFIX) ? e.path.slice(PREFIX.length) : e.path;
        print(`platform  ${e.method.padEnd(4)} ${path} ${e.status} ${e.ms.toFixed(1)} ms\n`);
      },
    },
  );
  let address: string;
  try {
    address = await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    await ctx.close();
    removeTemporary();
    throw error;
  }
  return {
    url: `${address}${PREFIX}`,
    ctx,
    client: new HttpPlatform({ url: address, secret }),
    close: async () => {
      await app.close();
      await ctx.close();
      removeTemporary();
    },
  };
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
  /** `console`: a one-time sign-in link to the agent console. */
  agents: { id: string; roles: AgentRole[]; token: string; console: string }[];
  holders: Record<string, string>;
  /** One-time links into the holder's page, per scenario account still open. */
  signInLinks: Record<string, string>;
  expiresAt: string;
  grace: string;
}

async function demoCredentials(
  ctx: Context,
  env: NodeJS.ProcessEnv,
  agentKey: KeyObject | null,
  ttlMs: number,
  grace: string,
  url: string,
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
  const { issueSignInLink } = await signInLinksModule();
  const signInLinks: Record<string, string> = {};
  for (const id of SCENARIO_IDS) {
    // An account an earlier run disabled or closed gets no link: it cannot sign in.
    const link = await issueSignInLink(ctx.app, id, now, ttlMs).catch((error: unknown) => {
      if (error instanceof OffboardError && error.code === 'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE')
        return null;
      throw error;
    });
    if (link) signInLinks[id] = `${url}/account/sign-in?token=${link.token}`;
  }
  // With an identity provider configured, agents sign in there: offboard has no key to mint with.
  const { createAgentSignInLink } = await agentSignInModule();
  const agents = [];
  if (agentKey)
    for (const a of DEMO_AGENTS) {
      const link = await createAgentSignInLink(ctx.app, { agentId: a.id, roles: a.roles, ttlMs });
      agents.push({
        ...a,
        token: mintAgentToken(agentKey, a.id, a.roles, now, ttlMs).token,
        console: `${url}/console/sign-in?link=${link.token}`,
      });
    }
  return {
    apiKey: key,
    agents,
    holders,
    signInLinks,
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
    platform?: string;
    platformDatabase?: string;
    reused: boolean;
  },
): string {
  const clean = info.holders['demo-clean'] ?? '';
  const lines = [
    `offboard demo: the API and the worker are running on ${info.database}`,
    ...(info.reused
      ? [
          '',
          `  Reusing the demo accounts already in ${info.platformDatabase ?? info.database}: they keep what earlier runs`,
          '  did to them (demo-clean may be closed already, and the walkthrough below then',
          '  answers 409). Run `offboard demo --reset` to start from a fresh sandbox.',
        ]
      : []),
    '',
    `  API       ${info.url}`,
    `  docs      ${info.docs}`,
    `  OpenAPI   ${info.openapi}`,
    ...(info.platform
      ? [
          `  platform  ${info.platform} (the sandbox platform over HTTP, on ${info.platformDatabase})`,
          '',
          '  Every request offboard sends the platform prints as a line below the walkthrough:',
          '  platform  METHOD PATH STATUS TIME (docs/platform-contract.md explains each path).',
        ]
      : []),
    '',
    'API key (scopes read, write, admin; shown once):',
    `  ${info.apiKey}`,
    '',
    `agent tokens (until ${info.expiresAt}):`,
    ...info.agents.map((a) => `  ${a.id.padEnd(10)} ${a.roles.join(',').padEnd(24)} ${a.token}`),
    '',
    'agent console sign-in links (one-time each; open one per browser profile):',
    ...info.agents.map((a) => `  ${a.id.padEnd(10)} ${a.console}`),
    `  console   ${info.url}/console`,
    '',
    `holder tokens (until ${info.expiresAt}):`,
    ...Object.entries(info.holders).map(([id, t]) => `  ${id.padEnd(24)} ${t}`),
    '',
    `the holder's page: one-time sign-in links (each works once, until ${info.expiresAt}):`,
    ...Object.entries(info.signInLinks).map(([id, link]) => `  ${id.padEnd(24)} ${link}`),
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

import type { Command } from '@commander-js/extra-typings';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import {
  agentKeysModule,
  port,
  startServer,
  statementsConfig,
  tokensModule,
  untilSignal,
} from './server-kit.js';

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
          port: port(opts.port),
          host: opts.host,
          tokenSecret: await (await tokensModule()).tokenSecret(ctx.database, deps.io.env),
          agentKeys: await (await agentKeysModule()).agentKeys(ctx.database, deps.io.env),
          logger: { level: deps.io.env['OFFBOARD_LOG_LEVEL'] ?? 'info' },
          trustProxy: Boolean(opts.trustProxy),
          statements: statementsConfig(deps.io.env, false),
          worker: opts.worker
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
}

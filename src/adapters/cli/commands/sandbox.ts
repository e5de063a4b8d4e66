import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { port, untilSignal } from './server-kit.js';

// Loaded when the command runs: `offboard --help` must not load Fastify.
const sandboxModule = () => import('../../platform-http/sandbox-server.js');
const listenModule = () => import('../../http/server.js');

export const PLATFORM_SECRET_ENV = 'OFFBOARD_PLATFORM_SECRET';

/** `offboard sandbox serve`: the builtin ledger as a platform behind the HTTP contract. */
export function registerSandbox(program: Command, deps: CliDeps, exit: ExitBox): void {
  const sandbox = program
    .command('sandbox')
    .description('the sandbox platform: the builtin ledger as a platform of its own');
  sandbox
    .command('serve')
    .description(
      'serve the builtin ledger through the platform contract (docs/platform-contract.md), with its own database (--db)',
    )
    .option('--port <port>', 'port to listen on', '8090')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--secret <secret>',
      `the shared HMAC secret requests are signed with (default: ${PLATFORM_SECRET_ENV}; prefer the variable: options show in process lists)`,
    )
    .option(
      '--test-mode',
      'also serve the test-only fixtures endpoints (/offboard-platform/v1/test/...)',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', "the PEM private key of --tls-cert's certificate")
    .option(
      '--client-ca <file>',
      'require mutual TLS: refuse connections without a client certificate signed by this PEM CA (needs --tls-cert)',
    )
    .action(
      action(
        deps,
        exit,
        async (ctx, opts) => {
          const tls = sandboxTls(opts);
          const secret = opts.secret ?? deps.io.env[PLATFORM_SECRET_ENV];
          if (!secret || secret.length < 16)
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `the sandbox platform needs a shared secret of at least 16 characters: set ${PLATFORM_SECRET_ENV} (or pass --secret)`,
            );
          const listenOn = { port: port(opts.port), host: opts.host };
          const { buildSandboxApp } = await sandboxModule();
          const app = await buildSandboxApp(
            {
              database: ctx.database,
              clock: ctx.clock,
              secret,
              testMode: Boolean(opts.testMode),
            },
            tls ? { tls } : {},
          ).catch((error: unknown) => {
            // Node refuses a certificate and key that do not parse or do not match.
            if (!tls) throw error;
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `--tls-cert, --tls-key and --client-ca must hold PEM certificates and the certificate's own key (${(error as Error).message})`,
            );
          });
          let address: string;
          try {
            address = await app.listen(listenOn);
          } catch (error) {
            await app.close();
            throw (await listenModule()).listenError(error, listenOn);
          }
          // Listen for signals before saying so: a test may stop the process as soon as it reads the line.
          const stopped = untilSignal();
          deps.io.stdout(
            `offboard sandbox: listening on ${address}/offboard-platform/v1${tls?.clientCa ? ' (client certificates required)' : ''}${opts.testMode ? ' (test mode: fixtures on)' : ''}\n`,
          );
          await stopped;
          await app.close();
          return 0;
        },
        { builtinLedger: true },
      ),
    );
}

/** The sandbox's TLS files: --tls-cert and --tls-key together, --client-ca only with them. */
function sandboxTls(opts: {
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
}): { cert: Buffer; key: Buffer; clientCa?: Buffer } | null {
  if (opts.tlsCert === undefined && opts.tlsKey === undefined) {
    if (opts.clientCa !== undefined)
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_ARGUMENT',
        '--client-ca needs --tls-cert and --tls-key: client certificates are asked for over TLS only',
      );
    return null;
  }
  if (opts.tlsCert === undefined || opts.tlsKey === undefined)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      '--tls-cert and --tls-key go together: pass both',
    );
  const read = (option: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_ARGUMENT',
        `${option}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
  };
  return {
    cert: read('--tls-cert', opts.tlsCert),
    key: read('--tls-key', opts.tlsKey),
    ...(opts.clientCa === undefined ? {} : { clientCa: read('--client-ca', opts.clientCa) }),
  };
}

/** `offboard platform contract`: the contract's OpenAPI 3.1 document on stdout. */
export function registerPlatform(program: Command, deps: CliDeps, exit: ExitBox): void {
  const platform = program.command('platform').description('the HTTP platform contract');
  platform
    .command('contract')
    .description('print the platform contract as an OpenAPI 3.1 document (JSON)')
    .action(
      action(
        deps,
        exit,
        async () => {
          const { contractDocument } = await sandboxModule();
          deps.io.stdout(`${JSON.stringify(await contractDocument(), null, 2)}\n`);
          return 0;
        },
        { needsContext: false },
      ),
    );
}

import { writeFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { escapeControl } from '../output.js';
import type { Progress } from '../progress.js';
import { startProgress } from '../progress.js';
import { PLATFORM_SECRET_ENV } from './sandbox.js';

// Loaded when the command runs: `offboard --help` must not load the kit or its schemas.
const runnerModule = () => import('../../platform-http/conformance/runner.js');
const reportModule = () => import('../../platform-http/conformance/report.js');

/**
 * `offboard conformance`: runs the conformance kit against a platform that implements the
 * HTTP contract (docs/platform-contract.md). Exit 0 when every MUST check passes, 1 when
 * one failed; the platform unreachable is OFFBOARD_ERR_PLATFORM_UNAVAILABLE (exit 3).
 */
export function registerConformance(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('conformance')
    .description(
      'check a platform against the HTTP platform contract (it must run in test mode); --platform URL says which',
    )
    .option(
      '--secret <secret>',
      `the shared HMAC secret (default: ${PLATFORM_SECRET_ENV}; prefer the variable: options show in process lists)`,
    )
    .option('--only <groups>', 'only these groups, comma-separated (fixtures always run)')
    .option('--junit <file>', 'also write the report as JUnit XML to this file')
    .option('--json', 'print the report as one JSON document')
    .action(
      action(
        deps,
        exit,
        async (_ctx, opts) => {
          const platform = opts.platform ?? deps.io.env['OFFBOARD_PLATFORM_URL'];
          if (!platform || platform === 'builtin')
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              'name the platform to check: --platform http://HOST:PORT (its contract in test mode)',
            );
          const secret = opts.secret ?? deps.io.env[PLATFORM_SECRET_ENV];
          if (!secret)
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `the platform's shared secret is needed to sign requests: set ${PLATFORM_SECRET_ENV} (or pass --secret)`,
            );
          const { runConformance, parseGroups } = await runnerModule();
          const report = await reportModule();
          const only = opts.only === undefined ? undefined : parseGroups(opts.only);
          let progress: Progress | null = null;
          const result = await runConformance({
            platform,
            secret,
            ...(only ? { only } : {}),
            onCheck: (_check, done, total) => {
              progress ??= startProgress(deps.io, 'conformance', total, Boolean(opts.json));
              progress.update(done);
            },
          }).finally(() => (progress as Progress | null)?.stop());
          if (opts.junit !== undefined) {
            try {
              writeFileSync(opts.junit, report.renderJunit(result));
            } catch (error) {
              throw new OffboardError(
                'OFFBOARD_ERR_INVALID_ARGUMENT',
                `cannot write --junit ${escapeControl(opts.junit)}: ${error instanceof Error ? error.message : String(error)}`,
              );
            }
          }
          deps.io.stdout(opts.json ? `${JSON.stringify(result)}\n` : report.renderText(result));
          return result.ok ? EXIT_OK : EXIT_NEGATIVE;
        },
        { needsContext: false },
      ),
    );
}

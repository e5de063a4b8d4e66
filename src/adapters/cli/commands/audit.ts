import type { Command } from '@commander-js/extra-typings';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { EXIT_NEGATIVE } from '../exit-codes.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const recordsModule = () => import('../../../app/records.js');

export function registerAudit(program: Command, deps: CliDeps, exit: ExitBox): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description(
      'walk the chain: exit 0 when intact, 1 naming the first entry altered, deleted, inserted or reordered',
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const verdict = await (await recordsModule()).verifyAuditChain(ctx.app);
        if (opts.json) printJson(deps.io, verdict);
        else if (verdict.intact) deps.io.stdout(`audit log intact: ${verdict.entries} entries\n`);
        else
          deps.io.stdout(
            `audit log BROKEN at entry ${verdict.seq} (${verdict.problem}): ${verdict.message}\n`,
          );
        return verdict.intact ? 0 : EXIT_NEGATIVE;
      }),
    );
}

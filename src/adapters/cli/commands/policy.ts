import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import { describePolicy, describeRetention, policyFor } from '../../../domain/policy.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const policyFileModule = () => import('../../../config/policy-file.js');

export function registerPolicy(program: Command, deps: CliDeps, exit: ExitBox): void {
  const policy = program.command('policy').description('the closure policy file');
  policy
    .command('check <file>')
    .description(
      'validate a policy file and print the effective policy (exit 2 with every error when invalid)',
    )
    .option(
      '--jurisdiction <code>',
      'print the policy in force for this ISO 3166 alpha-2 jurisdiction',
    )
    .option('--json', 'print the effective policy as JSON')
    .action(
      action(
        deps,
        exit,
        async (_ctx, opts, file: string) => {
          const result = (await policyFileModule()).loadPolicyFile(file);
          if (!result.ok) {
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_POLICY',
              `${file} is invalid (${result.errors.length} error${result.errors.length === 1 ? '' : 's'})`,
              result.errors.map((e) => e.text),
            );
          }
          const jurisdiction = opts.jurisdiction ?? null;
          if (jurisdiction !== null && !/^[A-Za-z]{2}$/.test(jurisdiction)) {
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `--jurisdiction takes an ISO 3166 alpha-2 code such as DE, got "${jurisdiction}"`,
            );
          }
          // Retention is per jurisdiction: one's periods when it is named (null: none), else the table.
          const table = describeRetention(result.policy);
          const retention =
            jurisdiction === null ? table : (table[jurisdiction.toUpperCase()] ?? null);
          const effective = {
            ...describePolicy(policyFor(result.policy, jurisdiction)),
            retention,
          };
          if (opts.json) printJson(deps.io, { file, valid: true, jurisdiction, policy: effective });
          else deps.io.stdout(`${file}: valid\n${JSON.stringify(effective, null, 2)}\n`);
          return 0;
        },
        { needsContext: false },
      ),
    );
}

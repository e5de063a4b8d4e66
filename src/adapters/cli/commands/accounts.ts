import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import type { AccountStatus } from '../../ledger/ledger.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseCount } from '../command-kit.js';
import { escapeControl, printJson } from '../output.js';

const STATUSES: readonly AccountStatus[] = ['active', 'disabled', 'frozen', 'closed'];

export function registerAccounts(program: Command, deps: CliDeps, exit: ExitBox): void {
  const accounts = program
    .command('accounts')
    .description("the holders' accounts in the builtin ledger");

  accounts
    .command('list')
    .description('list accounts in id order: id, status, jurisdiction, opened at')
    .option('--status <status>', `only accounts in this status: ${STATUSES.join(', ')}`)
    .option('--limit <n>', 'at most N accounts', '100')
    .option('--after <id>', 'start after this account id (the last one of the previous page)')
    .option('--json', 'print the accounts as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts) => {
          const limit = parseCount(opts.limit, '--limit', 1);
          const status = STATUSES.find((s) => s === opts.status);
          if (opts.status !== undefined && status === undefined) {
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `--status takes ${STATUSES.join(', ')}, got "${opts.status}"`,
            );
          }
          // One more than asked tells whether another page follows.
          const rows = await ctx.ledger.listAccounts({
            limit: limit + 1,
            status,
            after: opts.after,
          });
          const page = rows.slice(0, limit);
          const next = rows.length > limit ? (page[page.length - 1]?.id ?? null) : null;
          const shown = page.map((a) => ({
            id: a.id,
            status: a.status,
            jurisdiction: a.jurisdiction,
            openedAt: a.openedAt.toISOString(),
          }));
          if (opts.json) {
            printJson(deps.io, { accounts: shown, next });
            return 0;
          }
          if (shown.length === 0)
            deps.io.stdout(
              status === undefined
                ? 'no accounts; create the demo ones with `offboard seed --scenarios` or open one with `offboard ledger open`\n'
                : `no ${status} accounts\n`,
            );
          for (const a of shown)
            deps.io.stdout(
              `${escapeControl(a.id).padEnd(28)} ${a.status.padEnd(8)} ${a.jurisdiction}  opened ${a.openedAt}\n`,
            );
          if (next !== null)
            deps.io.stdout(`(more: \`offboard accounts list --after ${escapeControl(next)}\`)\n`);
          return 0;
        },
        { builtinLedger: true },
      ),
    );
}

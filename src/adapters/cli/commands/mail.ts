import type { Command } from '@commander-js/extra-typings';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseCount } from '../command-kit.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const recordsModule = () => import('../../../app/records.js');

export function registerMail(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('mail')
    .description(
      'the sandbox mailbox: messages sent to holders (codes, closure news, disable links)',
    )
    .option('--account <id>', "only this account's messages")
    .option('--limit <n>', 'the newest N messages', '20')
    .option('--json', 'print the messages as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const messages = await (
          await recordsModule()
        ).listMailbox(ctx.app, {
          accountId: opts.account,
          limit: parseCount(opts.limit, '--limit', 1),
        });
        if (opts.json) {
          printJson(deps.io, {
            messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
          });
          return 0;
        }
        if (messages.length === 0) deps.io.stdout('no messages\n');
        for (const m of messages) {
          deps.io.stdout(
            `#${m.id} ${m.createdAt.toISOString()} to ${m.channel}:${m.address} (${m.accountId})\n  ${m.subject}\n  ${m.body.replace(/\n/g, '\n  ')}\n\n`,
          );
        }
        return 0;
      }),
    );
}

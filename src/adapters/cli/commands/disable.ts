import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const disableLinksModule = () => import('../../../app/disable-links.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const disableAccountModule = () => import('../../../app/disable-account.js');

export function registerDisable(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('disable [account]')
    .description(
      'disable at once: revoke keys, sessions, devices, withdrawal addresses; cancel orders; balances stay',
    )
    .option(
      '--reason <text>',
      'why (kept in the disablement record, never shown to the holder; the audit log records who asked)',
    )
    .option(
      '--link <url>',
      "redeem a disable link instead (the holder's one-click kill switch): the whole link from the message, or its last part",
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string | undefined) => {
        if (opts.link) {
          const result = await (
            await disableAccountModule()
          ).redeemDisableLink(
            ctx.app,
            async (id) => ctx.rules(await ctx.jurisdiction(id)),
            (await disableLinksModule()).disableLinkToken(opts.link),
          );
          if (opts.json) printJson(deps.io, result);
          else deps.io.stdout(`${result.accountId} disabled through its disable link\n`);
          return 0;
        }
        if (!account)
          throw new OffboardError(
            'OFFBOARD_ERR_USAGE',
            'name the account to disable, or pass --link URL',
          );
        if (!opts.reason)
          throw new OffboardError(
            'OFFBOARD_ERR_USAGE',
            'say why with --reason TEXT (kept in the disablement record, never shown to the holder)',
          );
        const rules = ctx.rules(await ctx.jurisdiction(account));
        const result = await (
          await disableAccountModule()
        ).disableAccount(ctx.app, rules, {
          accountId: account,
          reason: opts.reason,
          actor: { kind: 'platform', id: 'cli' },
        });
        if (opts.json) printJson(deps.io, { accountId: account, ...result });
        else {
          deps.io.stdout(
            `${account} ${result.alreadyDisabled ? 'was already disabled' : 'disabled'}: ${result.revokedCredentials} credentials revoked, ${result.cancelledOrders} orders and ${result.cancelledWithdrawals} withdrawals cancelled\n`,
          );
          deps.io.stdout(
            `  it can be enabled again from ${result.enableNotBefore}, after re-verification\n`,
          );
        }
        return 0;
      }),
    );

  program
    .command('enable <account>')
    .description(
      "enable a disabled account again (after the policy's minimum wait and re-verification)",
    )
    .option('--reverified', 'the platform has re-verified the holder')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        const rules = ctx.rules(await ctx.jurisdiction(account));
        const result = await (
          await disableAccountModule()
        ).enableAccount(ctx.app, rules, {
          accountId: account,
          reverified: Boolean(opts.reverified),
          actor: { kind: 'platform', id: 'cli' },
        });
        if (opts.json) printJson(deps.io, { accountId: account, ...result });
        else deps.io.stdout(`${account} enabled; its old credentials stay revoked\n`);
        return 0;
      }),
    );
}

import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseDurationOption } from '../command-kit.js';
import { printJson } from '../output.js';
import { agentKeysModule, tokensModule } from './server-kit.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const holderTokensModule = () => import('../../../app/holder-tokens.js');

export function registerToken(program: Command, deps: CliDeps, exit: ExitBox): void {
  const token = program
    .command('token')
    .description(
      "mint tokens for the HTTP service: holder tokens with OFFBOARD_TOKEN_SECRET (else the database's own secret), sandbox agent tokens with the database's agent key",
    );
  token
    .command('holder <account>')
    .description(
      'a holder token for one account (what the platform signs for a signed-in holder); refused for a disabled or closed account',
    )
    .option('--ttl <duration>', 'lifetime', '1h')
    .option('--json', 'print {"token","expiresAt"} as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        // Every input is checked before anything is written (the secret is made on first use).
        const ttlMs = parseDurationOption(opts.ttl, '--ttl', { positive: true });
        await (await holderTokensModule()).assertHolderTokenMintable(ctx.app, account); // unknown, disabled, closed: an error, not a useless token
        const minted = (await tokensModule()).mintHolderToken(
          await (await tokensModule()).tokenSecret(ctx.database, deps.io.env),
          account,
          ctx.clock.now(),
          ttlMs,
        );
        if (opts.json)
          printJson(deps.io, {
            token: minted.token,
            accountId: account,
            expiresAt: minted.expiresAt.toISOString(),
          });
        else deps.io.stdout(`${minted.token}\n`);
        return 0;
      }),
    );
  token
    .command('agent <agent-id>')
    .description(
      "a sandbox agent token with roles, signed with the database's agent key (in production agents come from your identity provider)",
    )
    .requiredOption('--roles <list>', 'support, compliance, admin (comma-separated)')
    .option('--ttl <duration>', 'lifetime', '8h')
    .option('--json', 'print {"token","expiresAt"} as JSON')
    .action(
      action(deps, exit, async (ctx, opts, agentId: string) => {
        const roles = (await tokensModule()).parseRoles(opts.roles);
        if (!roles)
          throw new OffboardError(
            'OFFBOARD_ERR_INVALID_ARGUMENT',
            `--roles takes support, compliance, admin (comma-separated); got "${opts.roles}"`,
          );
        const ttlMs = parseDurationOption(opts.ttl, '--ttl', { positive: true });
        const minted = (await tokensModule()).mintAgentToken(
          await (await agentKeysModule()).agentSigningKey(ctx.database, deps.io.env),
          agentId,
          roles,
          ctx.clock.now(),
          ttlMs,
        );
        if (opts.json)
          printJson(deps.io, {
            token: minted.token,
            agentId,
            roles,
            expiresAt: minted.expiresAt.toISOString(),
          });
        else deps.io.stdout(`${minted.token}\n`);
        return 0;
      }),
    );
}

import type { Command } from '@commander-js/extra-typings';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const apiKeysModule = () => import('../../../app/api-keys.js');

/** `offboard keys create|list|revoke`: the platform's API keys for the HTTP service. */
export function registerApiKeyCommands(keys: Command, deps: CliDeps, exit: ExitBox): void {
  keys
    .command('create')
    .description(
      'create an API key for the HTTP service; it is printed once and only its hash is kept',
    )
    .requiredOption('--scopes <list>', 'what it may do: read, write, admin (comma-separated)')
    .option('--name <name>', 'a label to recognise it by', 'api key')
    .option('--json', 'print {"key","id","scopes"} as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const scopes = (await apiKeysModule()).parseScopes(opts.scopes);
        const { key, info } = await (
          await apiKeysModule()
        ).createApiKey(ctx.app, {
          name: opts.name,
          scopes,
          now: ctx.clock.now(),
          actor: { kind: 'platform', id: 'cli' },
        });
        if (opts.json) {
          printJson(deps.io, {
            key,
            id: info.id,
            name: info.name,
            scopes: info.scopes,
            createdAt: info.createdAt.toISOString(),
          });
        } else {
          deps.io.stdout(`${key}\n`);
          deps.io.stderr(
            `API key ${info.id} (${info.scopes.join(', ')}): store it now, it is not shown again\n`,
          );
        }
        return 0;
      }),
    );

  keys
    .command('list')
    .description('the API keys: id, name, scopes, created, revoked (never the secrets)')
    .option('--json', 'print the keys as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const all = await (await apiKeysModule()).listApiKeys(ctx.app);
        if (opts.json) {
          printJson(deps.io, {
            keys: all.map((k) => ({
              id: k.id,
              name: k.name,
              scopes: k.scopes,
              createdAt: k.createdAt.toISOString(),
              revokedAt: k.revokedAt?.toISOString() ?? null,
            })),
          });
          return 0;
        }
        if (all.length === 0)
          deps.io.stdout('no API keys; create one with `offboard keys create --scopes read`\n');
        for (const k of all) {
          deps.io.stdout(
            `${k.id}  ${k.scopes.join(',').padEnd(16)} ${k.createdAt.toISOString()}  ${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}  ${k.name}\n`,
          );
        }
        return 0;
      }),
    );

  keys
    .command('revoke <id>')
    .description('revoke an API key (services stop accepting it within 10 seconds)')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, id: string) => {
        await (
          await apiKeysModule()
        ).revokeApiKey(ctx.app, {
          id,
          now: ctx.clock.now(),
          actor: { kind: 'platform', id: 'cli' },
        });
        if (opts.json) printJson(deps.io, { id, revoked: true });
        else deps.io.stdout(`API key ${id} revoked\n`);
        return 0;
      }),
    );
}

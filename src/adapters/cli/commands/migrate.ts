import type { Command } from '@commander-js/extra-typings';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const databaseUrlModule = () => import('../../store/database-url.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const migrateModule = () => import('../../store/migrate.js');

export function registerMigrate(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (idempotent)')
    .option('--json', 'print the result as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts) => {
          const result = await (await migrateModule()).migrateToLatest(ctx.database);
          const database = (await databaseUrlModule()).redactDatabaseUrl(ctx.database.url);
          if (opts.json)
            printJson(deps.io, { database, applied: result.applied, migrations: result.current });
          else if (result.applied.length === 0)
            deps.io.stdout(
              `schema already current on ${database} (${result.current.length} migrations); nothing applied\n`,
            );
          else
            deps.io.stdout(
              `applied ${result.applied.length} migration${result.applied.length === 1 ? '' : 's'} on ${database}: ${result.applied.join(', ')}; schema current\n`,
            );
          return 0;
        },
        // Open without migrating, so this command can say what it applied.
        { migrate: false },
      ),
    );
}

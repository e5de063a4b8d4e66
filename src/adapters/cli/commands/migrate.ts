import type { Command } from 'commander';
import { migrateToLatest } from '../../store/migrate.js';
import { redactDatabaseUrl } from '../../store/database-url.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { printJson } from '../output.js';

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
          const result = await migrateToLatest(ctx.database);
          const database = redactDatabaseUrl(ctx.database.url);
          if (opts.json) printJson(deps.io, { database, applied: result.applied, migrations: result.current });
          else if (result.applied.length === 0) deps.io.stdout(`schema already current on ${database} (${result.current.length} migrations); nothing applied\n`);
          else deps.io.stdout(`applied ${result.applied.length} migration${result.applied.length === 1 ? '' : 's'} on ${database}: ${result.applied.join(', ')}; schema current\n`);
          return 0;
        },
        // Open without migrating, so this command can say what it applied.
        { migrate: false },
      ),
    );
}

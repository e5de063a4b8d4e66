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
      action(deps, exit, async (ctx, opts) => {
        // openContext already migrated; this run reports the state (and is harmless again).
        const result = await migrateToLatest(ctx.database);
        if (opts.json) printJson(deps.io, { database: redactDatabaseUrl(ctx.database.url), migrations: result.current });
        else deps.io.stdout(`schema current on ${redactDatabaseUrl(ctx.database.url)} (${result.current.length} migrations)\n`);
        return 0;
      }),
    );
}

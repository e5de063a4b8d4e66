import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import { DEFAULT_WHALE_TRANSACTIONS } from '../../ledger/scenario-catalogue.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseCount } from '../command-kit.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const scenariosModule = () => import('../../ledger/scenarios.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const populationModule = () => import('../../ledger/population.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const bulkLoaderModule = () => import('../../store/bulk-loader.js');

export function registerSeed(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('seed')
    .description('create the demo scenario accounts, or a synthetic population for benchmarks')
    .option('--scenarios', 'create the demo scenario accounts (demo-clean, demo-dust, ...)')
    .option(
      '--whale-transactions <n>',
      `transactions in demo-whale's history when it is created (default: ${DEFAULT_WHALE_TRANSACTIONS})`,
    )
    .option('--accounts <n>', 'create a synthetic population of N accounts')
    .option('--transactions <m>', 'spread M transactions over the population', '0')
    .option('--random-seed <s>', 'seed of the population generator (same seed, same rows)', '1')
    .option('--id-prefix <prefix>', "prefix of the population's account ids", 'acct-')
    .option('--json', 'print the result as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts) => {
          if (!opts.scenarios && opts.accounts === undefined) {
            throw new OffboardError(
              'OFFBOARD_ERR_USAGE',
              'say what to seed: --scenarios, or --accounts N [--transactions M]',
            );
          }
          if (opts.scenarios) {
            const asked = opts.whaleTransactions;
            const whale =
              asked === undefined
                ? DEFAULT_WHALE_TRANSACTIONS
                : parseCount(asked, '--whale-transactions', 1);
            const result = await (
              await scenariosModule()
            ).seedScenarios(ctx.database, ctx.clock, { whaleTransactions: whale });
            // Seeding never rewrites an account's history: say so rather than ignore the number.
            const notices =
              asked !== undefined && !result.created.includes('demo-whale')
                ? [
                    `demo-whale exists already, so --whale-transactions ${whale} was not applied; seed a fresh database to change its history`,
                  ]
                : [];
            if (opts.json)
              printJson(deps.io, { accounts: result.accounts, created: result.created, notices });
            else {
              deps.io.stdout(`scenario accounts (${result.created.length} created now):\n`);
              for (const id of result.accounts) deps.io.stdout(`  ${id}\n`);
            }
            for (const notice of notices) deps.io.stderr(`offboard: notice: ${notice}\n`);
          }
          if (opts.accounts === undefined) return 0; // --scenarios alone
          const accounts = parseCount(opts.accounts, '--accounts', 1);
          const transactions = parseCount(opts.transactions, '--transactions', 0);
          const randomSeed = parseCount(opts.randomSeed, '--random-seed', 0);
          await (await scenariosModule()).seedReferenceData(ctx.database, ctx.clock);
          const progress = startProgress(deps.io, 'seeding', accounts, Boolean(opts.json));
          const started = process.hrtime.bigint();
          const { emitPopulation } = await populationModule();
          const summary = await (
            await bulkLoaderModule()
          ).bulkLoad(ctx.database, (sink) =>
            emitPopulation(sink, {
              accounts,
              transactions,
              randomSeed,
              now: ctx.clock.now(),
              idPrefix: opts.idPrefix,
              onProgress: (done) => progress.update(done),
            }),
          );
          progress.stop();
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const rowsPerSecond = Math.round(summary.rows / seconds);
          if (opts.json) {
            printJson(deps.io, { ...summary, seconds: Number(seconds.toFixed(3)), rowsPerSecond });
          } else {
            deps.io.stdout(
              `seeded ${summary.accounts} accounts, ${summary.transactions} transactions (${summary.rows} rows) in ${seconds.toFixed(1)} s: ${rowsPerSecond} rows/s\n`,
            );
          }
          return 0;
        },
        { builtinLedger: true },
      ),
    );
}

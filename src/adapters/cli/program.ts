import { Command, CommanderError } from '@commander-js/extra-typings';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { OffboardError } from '../../domain/errors.js';
import type { CliDeps, ExitBox } from './command-kit.js';
import { registerWebhooks } from '../webhooks/cli.js';
import { registerAccounts } from './commands/accounts.js';
import { registerApiKeyCommands } from './commands/api-keys.js';
import { registerAudit } from './commands/audit.js';
import { registerCheck } from './commands/check.js';
import { registerClosure } from './commands/closure.js';
import { registerConformance } from './commands/conformance.js';
import { registerDisable } from './commands/disable.js';
import { registerErasure } from './commands/erasure.js';
import { registerLedger } from './commands/ledger.js';
import { registerMail } from './commands/mail.js';
import { registerPolicy } from './commands/policy.js';
import { registerMigrate } from './commands/migrate.js';
import { registerSeed } from './commands/seed.js';
import { registerDemo } from './commands/demo.js';
import { registerSandbox, registerPlatform } from './commands/sandbox.js';
import { registerServe } from './commands/serve.js';
import { registerToken } from './commands/token.js';
import { registerExport } from './commands/export.js';
import { registerSigningKeyCommands } from './commands/signing-keys.js';
import { registerWork } from './commands/work.js';
import { registerTickets } from './commands/tickets.js';
import { reportError, terminalSafe } from './output.js';

export const VERSION = '0.1.0';

/** Builds the `offboard` program; each command settles its exit code in `exit`. */
export function buildProgram(deps: CliDeps, exit: ExitBox): Command {
  const program = new Command('offboard')
    .description('offboard: explain, close, disable and export accounts safely')
    .version(VERSION)
    .option(
      '--db <url>',
      'database URL: sqlite:PATH, sqlite::memory:, postgres://... (default: OFFBOARD_DATABASE_URL, else sqlite:./offboard.db)',
    )
    .option(
      '--policy <file>',
      'policy YAML file (default: OFFBOARD_POLICY, else the built-in defaults)',
    )
    .option(
      '--platform <url>',
      'the platform to drive: an HTTP platform contract URL, or builtin (default: OFFBOARD_PLATFORM_URL, else builtin; secret in OFFBOARD_PLATFORM_SECRET)',
    )
    .exitOverride()
    .configureOutput(outputOf(deps));
  registerMigrate(program, deps, exit);
  registerSeed(program, deps, exit);
  registerLedger(program, deps, exit);
  registerAccounts(program, deps, exit);
  registerPolicy(program, deps, exit);
  registerCheck(program, deps, exit);
  registerClosure(program, deps, exit);
  registerWork(program, deps, exit);
  registerDisable(program, deps, exit);
  registerMail(program, deps, exit);
  registerAudit(program, deps, exit);
  registerTickets(program, deps, exit);
  registerErasure(program, deps, exit);
  registerWebhooks(program, deps, exit);
  const keys = program.command('keys').description('API keys and signing keys');
  registerApiKeyCommands(keys, deps, exit);
  registerSigningKeyCommands(keys, deps, exit);
  registerExport(program, deps, exit);
  registerServe(program, deps, exit);
  registerDemo(program, deps, exit);
  registerToken(program, deps, exit);
  registerSandbox(program, deps, exit);
  registerPlatform(program, deps, exit);
  registerConformance(program, deps, exit);
  // Subcommands inherit the output settings and the exit override.
  for (const command of program.commands) applyErrorHandling(command, deps);
  return program;
}

/**
 * Help goes where commander writes it; its error lines do not: `runCli` reports a usage
 * error as one line, `offboard: OFFBOARD_ERR_USAGE: ...`, like every other error.
 */
function outputOf(deps: CliDeps) {
  return {
    writeOut: (text: string) => deps.io.stdout(text),
    writeErr: (text: string) => deps.io.stderr(text),
    outputError: () => undefined,
  };
}

function applyErrorHandling(command: CommandUnknownOpts, deps: CliDeps): void {
  command.exitOverride().configureOutput(outputOf(deps));
  for (const sub of command.commands) applyErrorHandling(sub, deps);
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], unsafeDeps: CliDeps): Promise<number> {
  const exit: ExitBox = { code: 0 };
  // Everything printed goes through one filter: no raw control character reaches a terminal.
  const deps: CliDeps = { ...unsafeDeps, io: terminalSafe(unsafeDeps.io) };
  const program = buildProgram(deps, exit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (error.exitCode === 0) return 0;
      if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return 0;
      const usage = new OffboardError(
        'OFFBOARD_ERR_USAGE',
        `${error.message.replace(/^error: /, '')}; run \`${usageCommand(program, argv)} --help\` for usage`,
      );
      return reportError(deps.io, usage, argv.includes('--json'));
    }
    return reportError(
      deps.io,
      error instanceof Error ? error : new OffboardError('OFFBOARD_ERR_INTERNAL', String(error)),
      argv.includes('--json'),
    );
  }
}

/** `offboard ledger deposit`: the deepest command the arguments name, for the --help hint. */
function usageCommand(program: CommandUnknownOpts, argv: readonly string[]): string {
  const names = ['offboard'];
  let command: CommandUnknownOpts = program;
  for (const arg of argv) {
    if (arg.startsWith('-')) continue;
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    names.push(sub.name());
    command = sub;
  }
  return names.join(' ');
}

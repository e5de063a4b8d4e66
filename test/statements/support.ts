import { CommanderError } from 'commander';
import type { Command } from 'commander';
import { registerExport } from '../../src/adapters/cli/commands/export.js';
import { registerSigningKeyCommands } from '../../src/adapters/cli/commands/signing-keys.js';
import type { CliDeps, ExitBox } from '../../src/adapters/cli/command-kit.js';
import type { CliIo } from '../../src/adapters/cli/output.js';
import { reportError } from '../../src/adapters/cli/output.js';
import { buildProgram } from '../../src/adapters/cli/program.js';
import { openContext } from '../../src/main/context.js';
import type { CliResult } from '../support/cli.js';

/*
 * The CLI in this process with the statement commands registered. buildProgram wires
 * `export`, `verify-export` and `keys generate|public` in the lead's program.ts; until it
 * does, this adds them to the program it builds, so the suites test the same commands.
 */

function withStatementCommands(program: Command, deps: CliDeps, exit: ExitBox): Command {
  const has = (parent: Command, name: string) => parent.commands.find((c) => c.name() === name);
  if (!has(program, 'export')) registerExport(program, deps, exit);
  const keys = has(program, 'keys') ?? program.command('keys');
  if (!has(keys, 'generate')) registerSigningKeyCommands(keys, deps, exit);
  const configure = (command: Command): void => {
    command
      .exitOverride()
      .configureOutput({ writeOut: (t) => deps.io.stdout(t), writeErr: (t) => deps.io.stderr(t) });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  return program;
}

export async function statementsCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    interactive: false,
    env: { ...env },
  };
  const deps: CliDeps = { io, openContext };
  const exit: ExitBox = { code: 0 };
  const program = withStatementCommands(buildProgram(deps, exit), deps, exit);
  let code: number;
  try {
    await program.parseAsync([...args], { from: 'user' });
    code = exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      code = error.exitCode === 0 ? 0 : 2;
      if (code !== 0) stderr += `offboard: OFFBOARD_ERR_USAGE: ${error.message}\n`;
    } else {
      code = reportError(io, error, args.includes('--json'));
    }
  }
  return {
    code,
    stdout,
    stderr,
    json: <T>() => JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T,
  };
}

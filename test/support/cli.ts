import { spawnSync } from 'node:child_process';
import { runCli } from '../../src/adapters/cli/program.js';
import type { CliIo } from '../../src/adapters/cli/output.js';
import { openContext } from '../../src/main/context.js';
import { HANG_MS } from './wait.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

function result(code: number, stdout: string, stderr: string): CliResult {
  return {
    code,
    stdout,
    stderr,
    json: <T>() => JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T,
  };
}

/** Runs the CLI in this process (the same code path as the binary, minus process start). */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    interactive: false,
    env: { ...env },
  };
  const code = await runCli(args, { io, openContext });
  return result(code, stdout, stderr);
}

const BIN = new URL('../../bin/offboard.js', import.meta.url).pathname;

/** Runs the real `offboard` binary (built by `npm run build`) as a child process. */
export function binary(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const child = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    timeout: HANG_MS, // a guard against a hung process, not a limit on a slow machine
  });
  return result(child.status ?? -1, child.stdout, child.stderr);
}

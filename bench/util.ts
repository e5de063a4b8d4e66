import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createScratchPostgres } from '../test/support/scratch-postgres.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bad options: run.ts prints the message alone and exits 2, no stack. */
export class UsageError extends Error {}

export function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new UsageError(`--${name} takes a whole number`);
  return value;
}

export function scratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `offboard-bench-${label}-`));
}

export const CLI = new URL('../dist/main/cli.js', import.meta.url).pathname;

/** Runs the built CLI and returns its parsed --json output and wall time. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { seconds: number; json: unknown } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, ...args, '--json'], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0)
    throw new Error(
      `offboard ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`,
    );
  const lines = result.stdout.trim().split('\n');
  return { seconds, json: JSON.parse(lines[lines.length - 1]!) };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(34)} ${value}\n`);
}

/** A text option (`--name value`), or the fallback when absent. */
export function textFlag(args: string[], name: string, fallback: string): string;
export function textFlag(args: string[], name: string, fallback?: string): string | undefined;
export function textFlag(args: string[], name: string, fallback?: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--'))
    throw new UsageError(`--${name} takes a value`);
  return value;
}

/** The p-th percentile (0..100) of values already sorted ascending, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

/** The PostgreSQL server benchmarks create their scratch databases on. */
export function benchPostgresUrl(args: string[]): string {
  return textFlag(
    args,
    'pg',
    process.env['OFFBOARD_BENCH_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  );
}

/** A scratch database for one benchmark run, dropped afterwards. */
export function scratchPostgres(
  adminUrl: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  return createScratchPostgres(adminUrl, `offboard_bench_${label}`);
}

/** Starts a child process; resolves with its wall time, exit code and output once it exits. */
export function spawnTimed(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): {
  child: ChildProcess;
  done: Promise<{ seconds: number; code: number | null; stdout: string; stderr: string }>;
} {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{
    seconds: number;
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, code, stdout, stderr }),
    );
  });
  return { child, done };
}

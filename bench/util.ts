import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} takes a whole number`);
  return value;
}

export function scratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `offboard-bench-${label}-`));
}

export const CLI = new URL('../dist/main/cli.js', import.meta.url).pathname;

/** Runs the built CLI and returns its parsed --json output and wall time. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; json: unknown } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, ...args, '--json'], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`offboard ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
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

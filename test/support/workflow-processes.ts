import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';

/*
 * The real `offboard` binary as asynchronous child processes, for suites that run several
 * workers at once or kill one at an arbitrary instant (spawnSync can do neither).
 */

export const OFFBOARD_BIN = fileURLToPath(new URL('../../bin/offboard.js', import.meta.url));

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

export interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The lease owner the worker writes into claimed rows (`work` uses `hostname:pid`). */
  readonly leaseOwner: string;
  /** Settles when the process has exited and its output is drained. */
  readonly exited: Promise<Exited>;
  /** Settles at the first byte on stdout (for `work`: its first pass moved something), or at exit. */
  readonly firstOutput: Promise<void>;
}

/**
 * A minimal environment: PATH and HOME, plus OFFBOARD_DEBUG so a worker prints the errors
 * it otherwise swallows (a failed step leaves its lease to expire) — a test can then show
 * them when an invariant breaks.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], OFFBOARD_DEBUG: '1', ...extra };
}

export function startOffboard(args: readonly string[], env: NodeJS.ProcessEnv = {}): Running {
  const started = performance.now();
  const child = spawn(process.execPath, [OFFBOARD_BIN, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${OFFBOARD_BIN}`);
  let stdout = '';
  let stderr = '';
  let spoke: () => void = () => undefined;
  const firstOutput = new Promise<void>((resolve) => (spoke = resolve));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    spoke();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const exited = new Promise<Exited>((resolve, reject) => {
    child.once('error', reject);
    // 'close' rather than 'exit': it fires after stdout and stderr are drained.
    child.once('close', (code, signal) => {
      spoke();
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return { child, pid: child.pid, leaseOwner: `${hostname()}:${child.pid}`, exited, firstOutput };
}

/** Runs the binary to completion and tells how it ended. */
export function runOffboard(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Exited> {
  return startOffboard(args, env).exited;
}

/**
 * SIGKILL `ms` after the process first writes to stdout (or `fallbackMs` after the call if
 * it never does): no handler runs, and no transaction that had not committed ever will.
 * Counting from the first output rather than from the spawn aims the kill at work in
 * progress however long the process takes to start on this machine.
 */
export async function killAfterFirstOutput(
  running: Running,
  ms: number,
  fallbackMs = 10_000,
): Promise<Exited> {
  const timers: NodeJS.Timeout[] = [];
  const kill = () => {
    if (running.child.exitCode === null && running.child.signalCode === null)
      running.child.kill('SIGKILL');
  };
  timers.push(setTimeout(kill, fallbackMs));
  void running.firstOutput.then(() => timers.push(setTimeout(kill, ms)));
  try {
    return await running.exited;
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An exit summary short enough for an assertion message. */
export function describeExit(name: string, exited: Exited): string {
  const tail = (text: string) => (text.length > 4000 ? `…${text.slice(-4000)}` : text);
  return `${name}: code ${exited.code} signal ${exited.signal} after ${Math.round(exited.ms)} ms\nstdout:\n${tail(exited.stdout)}\nstderr:\n${tail(exited.stderr)}`;
}

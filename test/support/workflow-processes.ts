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
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
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
  // Registered before any waitForLine listener, so a listener always sees the chunk added.
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const exited = new Promise<Exited>((resolve, reject) => {
    child.once('error', reject);
    // 'close' rather than 'exit': it fires after stdout and stderr are drained.
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return {
    child,
    pid: child.pid,
    leaseOwner: `${hostname()}:${child.pid}`,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

/**
 * Resolves with the first complete stdout line that matches `pattern` — a readiness signal
 * such as the worker's `idle: nothing due ...` or a `<closure>: grace -> closed` transition.
 * Rejects, with what the process said, when it exits without printing one, or when none came
 * within `timeoutMs` (a guard against hangs: make it generous).
 */
export function waitForLine(running: Running, pattern: RegExp, timeoutMs: number): Promise<string> {
  const found = () =>
    running
      .stdout()
      .split('\n')
      .slice(0, -1) // the text after the last newline is a line still being written
      .find((line) => pattern.test(line));
  return new Promise<string>((resolve, reject) => {
    const stream = running.child.stdout;
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      stream?.off('data', onData);
      settle();
    };
    const onData = () => {
      const line = found();
      if (line !== undefined) finish(() => resolve(line));
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new Error(
              `no stdout line matching ${String(pattern)} within ${timeoutMs} ms\nstdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`,
            ),
          ),
        ),
      timeoutMs,
    );
    stream?.on('data', onData);
    void running.exited.then(
      (exited) => {
        const line = found();
        finish(() =>
          line !== undefined
            ? resolve(line)
            : reject(
                new Error(
                  `exited before printing a line matching ${String(pattern)}\n${describeExit('process', exited)}`,
                ),
              ),
        );
      },
      (error: unknown) => finish(() => reject(error as Error)),
    );
    onData();
  });
}

/** Runs the binary to completion and tells how it ended. */
export function runOffboard(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Exited> {
  return startOffboard(args, env).exited;
}

/**
 * SIGKILL `ms` after the process prints its first line matching `pattern` (or, if it never
 * does, `fallbackMs` after the call): no handler runs, and no transaction that had not
 * committed ever will. Counting from a line that shows work in progress (for `work`, its
 * first transition) rather than from the spawn aims the kill at work however long the
 * process takes to start on a loaded machine; the fallback only guards against a hang.
 */
export async function killAfterLine(
  running: Running,
  pattern: RegExp,
  ms: number,
  fallbackMs = 120_000,
): Promise<Exited> {
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const kill = () => {
    if (running.child.exitCode === null && running.child.signalCode === null)
      running.child.kill('SIGKILL');
  };
  void waitForLine(running, pattern, fallbackMs).then(
    () => {
      if (!ended) timer = setTimeout(kill, ms);
    },
    kill, // no such line in time (or the process already ended): end it now
  );
  try {
    return await running.exited;
  } finally {
    ended = true;
    clearTimeout(timer);
  }
}

/** An exit summary short enough for an assertion message. */
export function describeExit(name: string, exited: Exited): string {
  const tail = (text: string) => (text.length > 4000 ? `…${text.slice(-4000)}` : text);
  return `${name}: code ${exited.code} signal ${exited.signal} after ${Math.round(exited.ms)} ms\nstdout:\n${tail(exited.stdout)}\nstderr:\n${tail(exited.stderr)}`;
}

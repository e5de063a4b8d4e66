import type { Command } from 'commander';
import { OffboardError } from '../../domain/errors.js';
import type { PolicyDocument } from '../../domain/policy.js';
import type { Context, ContextOptions } from '../../main/context.js';
import type { CliIo } from './output.js';
import { reportError } from './output.js';

/** What commands get from the entry point: where to write and how to reach the database. */
export interface CliDeps {
  io: CliIo;
  openContext(options: ContextOptions): Promise<Context>;
}

export interface GlobalOptions {
  db?: string;
  policy?: string;
  json?: boolean;
}

/** `--policy FILE`, else OFFBOARD_POLICY, else the built-in defaults; invalid is exit 2 with every error. */
export async function loadPolicyOrThrow(file: string | undefined, env: NodeJS.ProcessEnv): Promise<PolicyDocument> {
  // Loaded on use: the YAML parser is not needed for `--help`.
  const { loadPolicy } = await import('../../config/policy-file.js');
  const result = loadPolicy({ file, env });
  if (!result.ok) {
    throw new OffboardError('OFFBOARD_ERR_INVALID_POLICY', `the policy is invalid (${result.errors.length} error${result.errors.length === 1 ? '' : 's'})`, result.errors.map((e) => e.text));
  }
  return result.policy;
}

/** The exit code a command action settles on; the entry point reads it. */
export interface ExitBox {
  code: number;
}

/**
 * Wraps a command action: opens the context, runs, closes, and turns every error into its
 * one-line message and exit code. `fn` returns the exit code.
 */
export function action<A extends unknown[]>(
  deps: CliDeps,
  exit: ExitBox,
  fn: (ctx: Context, opts: GlobalOptions & Record<string, unknown>, ...args: A) => Promise<number>,
  options: { needsContext?: boolean; /** Bring the schema up to date on opening (default: yes). */ migrate?: boolean } = {},
) {
  return async (...received: unknown[]): Promise<void> => {
    const command = received[received.length - 1] as Command;
    const opts = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    const args = received.slice(0, received.length - 2) as A;
    let ctx: Context | null = null;
    try {
      if (options.needsContext !== false) {
        const policy = await loadPolicyOrThrow(opts.policy, deps.io.env);
        ctx = await deps.openContext({ db: opts.db, env: deps.io.env, policy, ...(options.migrate === false ? { migrate: false } : {}) });
      }
      exit.code = await fn(ctx as Context, opts, ...args);
    } catch (error) {
      exit.code = reportError(deps.io, error, Boolean(opts.json));
    } finally {
      if (ctx) await ctx.close();
    }
  };
}

/** A whole number within bounds, or a clear error naming the option. */
export function parseCount(value: unknown, option: string, min: number): number {
  const text = String(value);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new OffboardError('OFFBOARD_ERR_INVALID_ARGUMENT', `${option} must be a whole number of at least ${min}, got "${text}"`);
  }
  return Number(text);
}

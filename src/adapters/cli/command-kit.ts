import type { CommandUnknownOpts, OptionValues } from '@commander-js/extra-typings';
import { parseDuration } from '../../domain/duration.js';
import { OffboardError } from '../../domain/errors.js';
import { DEFAULT_POLICY_DOCUMENT } from '../../domain/policy.js';
import type { PolicyDocument } from '../../domain/policy.js';
import type { Context, ContextOptions } from '../../main/context.js';
import { POLICY_ENV } from '../../config/policy-env.js';
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
  platform?: string;
  json?: boolean;
}

/** `--policy FILE`, else OFFBOARD_POLICY, else the built-in defaults; invalid is exit 2 with every error. */
export async function loadPolicyOrThrow(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<PolicyDocument> {
  // The defaults need no file read: the YAML parser loads only when there is a file to parse.
  if (!(file || env[POLICY_ENV])) return DEFAULT_POLICY_DOCUMENT;
  const { loadPolicy } = await import('../../config/policy-file.js');
  const result = loadPolicy({ file, env });
  if (!result.ok) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_POLICY',
      `the policy is invalid (${result.errors.length} error${result.errors.length === 1 ? '' : 's'})`,
      result.errors.map((e) => e.text),
    );
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
 *
 * `Args` and `Opts` are inferred from the command the action is given to (commander's
 * extra typings), so `fn` reads `opts.grace` typed as that command declared it.
 */
export function action<Args extends unknown[], Opts extends OptionValues>(
  deps: CliDeps,
  exit: ExitBox,
  fn: (ctx: Context, opts: Opts & GlobalOptions, ...args: Args) => Promise<number>,
  options: {
    needsContext?: boolean;
    /** Bring the schema up to date on opening (default: yes). */ migrate?: boolean;
    /** A sandbox command: always the builtin ledger, whatever --platform says. */
    builtinLedger?: boolean;
    /** SQLite's page cache, in KiB, for a command that reads much once (default: the driver's). */
    pageCacheKib?: number;
  } = {},
): (...received: [...Args, Opts, CommandUnknownOpts]) => Promise<void> {
  return async (...received): Promise<void> => {
    const command = received[received.length - 1] as CommandUnknownOpts;
    // The program's options (--db, --policy) come with the command's own.
    const opts = command.optsWithGlobals() as Opts & GlobalOptions;
    const args = received.slice(0, received.length - 2) as unknown[] as Args;
    let ctx: Context | null = null;
    try {
      if (options.needsContext !== false) {
        const policy = await loadPolicyOrThrow(opts.policy, deps.io.env);
        ctx = await deps.openContext({
          db: opts.db,
          env: deps.io.env,
          policy,
          platformUrl: options.builtinLedger ? null : opts.platform,
          ...(options.migrate === false ? { migrate: false } : {}),
          ...(options.pageCacheKib === undefined ? {} : { pageCacheKib: options.pageCacheKib }),
        });
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
export function parseCount(value: string, option: string, min: number): number {
  const text = String(value);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${option} must be a whole number of at least ${min}, got "${text}"`,
    );
  }
  return Number(text);
}

/**
 * A duration option (`--grace 7d`, `--lease 30s`, `--ttl 1h`) in milliseconds, or one clear
 * error naming the option and what is wrong. Every command reads its durations here, so
 * they are all spelled, and refused, alike. `positive` refuses 0 (a token that is dead at
 * birth).
 */
export function parseDurationOption(
  text: string,
  option: string,
  options: { positive?: boolean } = {},
): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${option} must be a duration, got "${text}": ${parsed.reason}`,
    );
  }
  if (options.positive && parsed.ms <= 0) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${option} must be a duration longer than 0, got "${text}": e.g. 30m, 1h, 7d`,
    );
  }
  return parsed.ms;
}

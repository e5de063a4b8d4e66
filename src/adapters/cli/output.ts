import { isOffboardError, OffboardError } from '../../domain/errors.js';
import { EXIT_CODES } from './exit-codes.js';

/** Where a command writes; tests swap it for buffers. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars only then). */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
  env: process.env,
};

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, jsonReplacer)}\n`);
}

/** bigint amounts become decimal-integer strings, never numbers. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Prints an error as one line (or one JSON object with --json) and returns its exit code.
 * Unexpected errors get OFFBOARD_ERR_INTERNAL and no stack trace unless OFFBOARD_DEBUG is set.
 */
export function reportError(io: CliIo, error: unknown, json: boolean): number {
  const known = isOffboardError(error) ? error : toOffboardError(error);
  if (!isOffboardError(error) && io.env['OFFBOARD_DEBUG']) io.stderr(`${(error as Error).stack ?? String(error)}\n`);
  if (json) {
    printJson(io, { error: { code: known.code, message: known.message, details: known.details, ...(known.data === undefined ? {} : { data: known.data }) } });
  } else {
    io.stderr(`offboard: ${known.code}: ${known.message}\n`);
    for (const detail of known.details) io.stderr(`  ${detail}\n`);
  }
  return EXIT_CODES[known.code];
}

function toOffboardError(error: unknown): OffboardError {
  const message = error instanceof Error ? error.message : String(error);
  // Unique violations from either database: a record with this id exists.
  if (/UNIQUE constraint failed|duplicate key value/i.test(message)) {
    return new OffboardError('OFFBOARD_ERR_DUPLICATE', `a record exists already (${message.split('\n')[0]}); use a fresh database or another id`);
  }
  if (/ECONNREFUSED|ENOTFOUND|does not exist|password authentication/i.test(message) && /connect|database/i.test(message)) {
    return new OffboardError('OFFBOARD_ERR_DATABASE_UNREACHABLE', message);
  }
  return new OffboardError('OFFBOARD_ERR_INTERNAL', `unexpected failure: ${message.split('\n')[0]}; set OFFBOARD_DEBUG=1 for details`);
}

import { hintFor, isOffboardError, OffboardError } from '../../domain/errors.js';
import { CLI_HINTS } from './error-hints.js';
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

/**
 * Control characters (C0, DEL, C1) and the Unicode bidi overrides (U+202A–U+202E,
 * U+2066–U+2069): text from input or storage that holds them could forge lines, colour
 * or reorder what a terminal shows.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  // \u form for C1 and bidi: it reads the same in a terminal and stays valid inside JSON.
  return code < 0x20
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Whether `text` holds a character `escapeControl` would escape (for input that must not). */
export function hasControl(text: string): boolean {
  return text.search(CONTROL) !== -1;
}

/** One value made safe to show on a line: every control character written as an escape, newlines too. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/**
 * The io every command writes through: whatever a command prints, no raw control
 * character reaches the terminal but the newlines that end its lines. Values that could
 * hold a newline of their own (an echoed argument, an error message) go through
 * `escapeControl` as well, so they cannot start a forged line. JSON output is unchanged:
 * JSON.stringify already escapes C0, and C1 and bidi come out as valid \u escapes.
 */
export function terminalSafe(io: CliIo): CliIo {
  const clean = (text: string) => text.replace(CONTROL_BUT_NEWLINE, escapeOne);
  return {
    ...io,
    stdout: (text) => io.stdout(clean(text)),
    stderr: (text) => io.stderr(clean(text)),
  };
}

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
  const known = withCliHint(isOffboardError(error) ? error : toOffboardError(error));
  if (!isOffboardError(error) && io.env['OFFBOARD_DEBUG'])
    io.stderr(`${(error as Error).stack ?? String(error)}\n`);
  if (json) {
    printJson(io, {
      error: {
        code: known.code,
        message: known.message,
        details: known.details,
        ...(known.data === undefined ? {} : { data: known.data }),
      },
    });
  } else {
    io.stderr(`offboard: ${known.code}: ${escapeControl(known.message)}\n`);
    for (const detail of known.details) io.stderr(`  ${escapeControl(detail)}\n`);
  }
  return EXIT_CODES[known.code];
}

/** What to run next, where only the CLI can say it (the same error over HTTP has no command line). */
function withCliHint(error: OffboardError): OffboardError {
  return error.withHint(hintFor(CLI_HINTS, error));
}

function toOffboardError(error: unknown): OffboardError {
  const message = error instanceof Error ? error.message : String(error);
  // Unique violations from either database: a record with this id exists.
  if (/UNIQUE constraint failed|duplicate key value/i.test(message)) {
    return new OffboardError(
      'OFFBOARD_ERR_DUPLICATE',
      `a record exists already (${message.split('\n')[0]}); use a fresh database or another id`,
    );
  }
  if (
    /ECONNREFUSED|ENOTFOUND|does not exist|password authentication/i.test(message) &&
    /connect|database/i.test(message)
  ) {
    return new OffboardError('OFFBOARD_ERR_DATABASE_UNREACHABLE', message);
  }
  return new OffboardError(
    'OFFBOARD_ERR_INTERNAL',
    `unexpected failure: ${message.split('\n')[0]}; set OFFBOARD_DEBUG=1 for details`,
  );
}

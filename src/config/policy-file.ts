/**
 * Loads the policy file once, at start-up: YAML in, a validated and resolved
 * `PolicyDocument` out, or every problem at once, each naming the file, the line and the
 * path — `policy.yaml:12: closure.gracePeriod: "7 parsecs" is not a duration; use e.g. 7d`.
 * Validation itself is the domain's (src/domain/policy.ts); this file only knows YAML and
 * where things are in it.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { DEFAULT_POLICY_DOCUMENT, formatPolicyPath } from '../domain/policy.js';
import { validatePolicy } from '../domain/policy-reader.js';
import type { PolicyDocument } from '../domain/policy.js';
import { POLICY_ENV } from './policy-env.js';

export { POLICY_ENV };

export interface PolicyFileError {
  file: string;
  /** 1-based; null when the file could not be read at all. */
  line: number | null;
  /** The policy path (`closure.gracePeriod`); null for YAML syntax and read errors. */
  path: string | null;
  message: string;
  /** The whole error on one line, ready to print. */
  text: string;
}

export type PolicyFileResult =
  | {
      ok: true;
      policy: PolicyDocument;
      /** The file the policy came from; null for the built-in defaults. */
      source: string | null;
    }
  | { ok: false; errors: PolicyFileError[] };

/**
 * The largest policy file read. A real policy is a few kilobytes (defaults and a few dozen
 * jurisdictions); a 50 MB file took over a minute and 1.5 GB to parse, so it is refused
 * before parsing.
 */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** Aliases a policy may expand: a handful is normal, thousands are a "billion laughs" file. */
export const MAX_POLICY_ALIASES = 100;

const tooLarge = (fileName: string) =>
  fileError(
    fileName,
    null,
    null,
    `the policy file is larger than the limit of ${MAX_POLICY_BYTES / 1024} KiB (a policy is a few kilobytes: is this the right file?)`,
  );

/** Parses and validates policy YAML; `fileName` is only used to name the file in errors. */
export function parsePolicyText(text: string, fileName: string): PolicyFileResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES)
    return { ok: false, errors: [tooLarge(fileName)] };
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;

  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) =>
        fileError(fileName, lineAt(error.pos[0]), null, `YAML syntax error: ${error.message}`),
      ),
    };
  }

  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: MAX_POLICY_ALIASES });
  } catch (error) {
    const aliases = /alias/i.test(errorMessage(error));
    return {
      ok: false,
      errors: [
        fileError(
          fileName,
          1,
          null,
          aliases
            ? `the policy expands YAML aliases (*name) too many times; at most ${MAX_POLICY_ALIASES} are allowed: write the values out`
            : `YAML error: ${errorMessage(error)}`,
        ),
      ],
    };
  }

  const validated = validatePolicy(raw);
  if (!validated.ok) {
    return {
      ok: false,
      errors: validated.errors.map((issue) =>
        fileError(
          fileName,
          lineAt(offsetOf(document, issue.segments)),
          formatPolicyPath(issue.segments),
          issue.message,
        ),
      ),
    };
  }
  return { ok: true, policy: validated.policy, source: fileName };
}

/** Reads and validates a policy file. Synchronous: it runs once, before anything starts. */
export function loadPolicyFile(path: string): PolicyFileResult {
  let text: string;
  try {
    // Read at most one byte past the limit: a huge file is refused without loading it.
    const fd = openSync(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_POLICY_BYTES + 1);
      let length = 0;
      for (let n = -1; n !== 0 && length < buffer.length; length += n)
        n = readSync(fd, buffer, length, buffer.length - length, null);
      if (length > MAX_POLICY_BYTES) return { ok: false, errors: [tooLarge(path)] };
      text = buffer.subarray(0, length).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return {
      ok: false,
      errors: [fileError(path, null, null, `cannot read the policy file: ${errorMessage(error)}`)],
    };
  }
  return parsePolicyText(text, path);
}

/** The policy to run with: `--policy FILE`, else $OFFBOARD_POLICY, else the built-in defaults. */
export function loadPolicy(options: {
  file?: string | undefined;
  env: NodeJS.ProcessEnv;
}): PolicyFileResult {
  const file = options.file || options.env[POLICY_ENV] || undefined;
  if (file === undefined) return { ok: true, policy: DEFAULT_POLICY_DOCUMENT, source: null };
  return loadPolicyFile(file);
}

function fileError(
  file: string,
  line: number | null,
  path: string | null,
  message: string,
): PolicyFileError {
  const where = line === null ? file : `${file}:${line}`;
  return {
    file,
    line,
    path,
    message,
    text: `${where}: ${path === null ? '' : `${path}: `}${message}`,
  };
}

/**
 * Where in the text a policy path is: the key that names it (so an unknown key points at
 * itself), or the list item. When the path runs out of the file — it cannot, for paths
 * validation reports, but a wrong guess must still name a line — the deepest node found.
 */
function offsetOf(document: Document, segments: readonly (string | number)[]): number {
  let node: unknown = document.contents;
  let offset = startOf(node) ?? 0;
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(document);
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (!pair) break;
      offset = startOf(pair.key) ?? startOf(pair.value) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      offset = startOf(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function startOf(node: unknown): number | undefined {
  const range = (node as Partial<Pick<Node, 'range'>> | null | undefined)?.range;
  return range?.[0];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

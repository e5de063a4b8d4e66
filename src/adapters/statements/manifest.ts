import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OffboardError } from '../../domain/errors.js';
import { keyIdOf, verifyBytes } from './signing-key.js';

/*
 * manifest.json says what an export holds: whose statement, which period, when it was
 * generated, the balances, and every file with its row count, size and SHA-256.
 * manifest.sig is the Ed25519 signature of manifest.json's exact bytes (base64).
 *
 * The PDF's footer carries `statementSha256`, the SHA-256 of the manifest's statement
 * fields (everything but `files`, as canonical JSON). It cannot carry the hash of the
 * whole manifest: the manifest holds the PDF's own hash, and a file cannot contain a hash
 * of itself. The statement hash ties a printed page to its manifest; the manifest's
 * signature covers the PDF's bytes.
 */

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

export const STATEMENT_FORMATS = ['csv', 'jsonl', 'pdf'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export const STATEMENT_FILE_NAMES: Record<StatementFormat, string> = {
  csv: 'statement.csv',
  jsonl: 'statement.jsonl',
  pdf: 'statement.pdf',
};

export interface BalanceLine {
  asset: string;
  decimals: number;
  /** Exact decimals: the balance before the period and at its end. */
  opening: string;
  closing: string;
}

/** The fields `statementSha256` covers. */
export interface StatementFields {
  account: string;
  holder: string;
  /**
   * ISO 8601 UTC; `from` inclusive, `to` exclusive. Null leaves a side open: from the
   * beginning of the history, to everything recorded when the export ran (`generatedAt`).
   */
  period: { from: string | null; to: string | null };
  generatedAt: string;
  keyId: string;
  /** Transactions in the period. */
  rows: number;
  balances: BalanceLine[];
}

export interface ManifestFile {
  name: string;
  format: StatementFormat;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface Manifest extends StatementFields {
  manifestVersion: 1;
  algorithm: 'Ed25519';
  statementSha256: string;
  files: ManifestFile[];
}

/** JSON with object keys sorted at every level and no spaces: one text for one value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function statementSha256(fields: StatementFields): string {
  const { account, holder, period, generatedAt, keyId, rows, balances } = fields;
  const covered = { account, holder, period, generatedAt, keyId, rows, balances };
  return createHash('sha256').update(canonicalJson(covered)).digest('hex');
}

export function buildManifest(fields: StatementFields, files: ManifestFile[]): Manifest {
  return {
    manifestVersion: 1,
    account: fields.account,
    holder: fields.holder,
    period: fields.period,
    generatedAt: fields.generatedAt,
    rows: fields.rows,
    balances: fields.balances,
    algorithm: 'Ed25519',
    keyId: fields.keyId,
    statementSha256: statementSha256(fields),
    files,
  };
}

/** The bytes that are written, signed and verified. */
export function manifestBytes(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

// ---- verification --------------------------------------------------------------------

export type ExportProblemKind = 'missing' | 'differs' | 'extra' | 'bad-signature' | 'unreadable';

export interface ExportProblem {
  file: string;
  problem: ExportProblemKind;
  detail: string;
}

export interface ExportVerification {
  ok: boolean;
  /** The manifest as read (null when missing or unreadable): trust it only when `ok`. */
  manifest: Manifest | null;
  /** The id of the public key the signature was checked with. */
  keyId: string;
  problems: ExportProblem[];
}

async function fileSha256(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function readManifest(bytes: Buffer): Manifest | null {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const m = value as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || !Array.isArray(m.files)) return null;
  const wellFormed = m.files.every(
    (f: Partial<ManifestFile>) =>
      typeof f.name === 'string' &&
      typeof f.sha256 === 'string' &&
      typeof f.bytes === 'number' &&
      // A manifest names files in its own folder, never a path out of it.
      f.name !== '' &&
      !/[/\\]/.test(f.name) &&
      f.name !== '.' &&
      f.name !== '..',
  );
  return wellFormed ? (m as Manifest) : null;
}

/**
 * Checks an export folder against its manifest and signature: every file the manifest
 * lists is there with its hash, no file is there that it does not list, and the manifest
 * is signed by `publicKey`. Every problem is named; none stops the others being found.
 */
export async function verifyExportDir(
  dir: string,
  publicKey: KeyObject,
): Promise<ExportVerification> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory())
    throw new OffboardError(
      'OFFBOARD_ERR_NOT_FOUND',
      `${dir} is not a folder; name the folder \`offboard export --out\` wrote`,
    );
  const keyId = keyIdOf(publicKey);
  const problems: ExportProblem[] = [];
  const entries = new Set(await readdir(dir));

  const bytes = entries.has(MANIFEST_FILE) ? await readFile(join(dir, MANIFEST_FILE)) : null;
  const signature = entries.has(SIGNATURE_FILE)
    ? await readFile(join(dir, SIGNATURE_FILE), 'utf8')
    : null;
  if (bytes === null)
    problems.push({
      file: MANIFEST_FILE,
      problem: 'missing',
      detail: 'the manifest is missing: nothing can be checked',
    });
  if (signature === null)
    problems.push({ file: SIGNATURE_FILE, problem: 'missing', detail: 'the signature is missing' });
  if (bytes !== null && signature !== null && !verifyBytes(publicKey, bytes, signature)) {
    problems.push({
      file: SIGNATURE_FILE,
      problem: 'bad-signature',
      detail: `the signature does not match manifest.json under key ${keyId}: the manifest or its signature was altered, or another key signed it`,
    });
  }
  const manifest = bytes === null ? null : readManifest(bytes);
  if (bytes !== null && manifest === null) {
    problems.push({
      file: MANIFEST_FILE,
      problem: 'unreadable',
      detail: 'manifest.json is not a statement manifest (altered or truncated)',
    });
  }
  if (manifest) {
    if (manifest.keyId !== keyId) {
      problems.push({
        file: SIGNATURE_FILE,
        problem: 'bad-signature',
        detail: `the manifest names signing key ${String(manifest.keyId)}, but the public key given is ${keyId}`,
      });
    }
    if (manifest.statementSha256 !== statementSha256(manifest)) {
      problems.push({
        file: MANIFEST_FILE,
        problem: 'differs',
        detail: 'statementSha256 does not match the manifest’s statement fields',
      });
    }
    for (const file of manifest.files) {
      if (!entries.has(file.name)) {
        problems.push({
          file: file.name,
          problem: 'missing',
          detail: `${file.name} is listed in the manifest but missing`,
        });
        continue;
      }
      const path = join(dir, file.name);
      const fileInfo = await stat(path);
      if (!fileInfo.isFile()) {
        problems.push({
          file: file.name,
          problem: 'differs',
          detail: `${file.name} is not a file`,
        });
        continue;
      }
      const actual = await fileSha256(path);
      if (actual.sha256 !== file.sha256 || actual.bytes !== file.bytes) {
        problems.push({
          file: file.name,
          problem: 'differs',
          detail: `${file.name} differs from the manifest (SHA-256 ${actual.sha256}, ${actual.bytes} bytes; expected ${file.sha256}, ${file.bytes} bytes)`,
        });
      }
    }
  }
  const expected = new Set([
    MANIFEST_FILE,
    SIGNATURE_FILE,
    ...(manifest?.files.map((f) => f.name) ?? []),
  ]);
  // Without a readable manifest, which files belong is unknown: report no extras then.
  if (manifest) {
    for (const entry of [...entries].sort()) {
      if (!expected.has(entry))
        problems.push({ file: entry, problem: 'extra', detail: `${entry} is not in the manifest` });
    }
  }
  return { ok: problems.length === 0, manifest, keyId, problems };
}

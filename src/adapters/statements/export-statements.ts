import type { KeyObject } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildManifest,
  MANIFEST_FILE,
  manifestBytes,
  SIGNATURE_FILE,
  STATEMENT_FILE_NAMES,
  STATEMENT_FORMATS,
  statementSha256,
  verifyExportDir,
} from './manifest.js';
import type {
  BalanceLine,
  ExportVerification,
  Manifest,
  StatementFields,
  StatementFormat,
} from './manifest.js';
import type { PdfStatementHeader } from './pdf.js';
import { shippedPdfFonts } from './pdf-text.js';
import type { PdfFonts } from './pdf-text.js';
import { RunningStatement } from './row.js';
import { loadPublicKey, signBytes, signingKeyFromEnv } from './signing-key.js';
import type { SigningKey } from './signing-key.js';
import { openStatementSnapshot } from './source.js';
import type { Range } from './source.js';
import { partialName, StatementFiles } from './statement-files.js';
import { raise } from '../../domain/errors.js';
import { formatAmount } from '../../domain/money.js';
import type { Clock } from '../../ports/clock.js';
import type { PlatformPort } from '../../ports/platform.js';

export type { ExportVerification, Manifest, StatementFormat } from './manifest.js';
export { STATEMENT_FORMATS } from './manifest.js';

/*
 * Statements before closure (DESIGN.md part 6): the whole history of an account, or a
 * period of it, as CSV, JSON Lines and a PDF, with a signed manifest. One pass over the
 * account's transactions in id order, a page at a time through the platform port, all from
 * one transaction cursor: every format is written from the same rows at once, in memory
 * that does not grow with the history.
 */

export interface ExportStatementsDeps {
  /** Where the account's history comes from, a page at a time. */
  platform: PlatformPort;
  clock: Clock;
  signingKey: SigningKey;
}

export interface ExportStatementsOptions {
  /** Default: all three. */
  formats?: readonly StatementFormat[];
  /** Inclusive; default: the beginning of the history. */
  from?: Date;
  /** Exclusive; default: none, everything recorded when the export runs. */
  to?: Date;
  /** The folder to write; created when missing, refused when it holds files. */
  out: string;
  /** Replace an earlier export's files in `out` (other files are left alone). */
  force?: boolean;
  /** Told after each batch of rows. */
  onProgress?: (done: number, total: number) => void;
  /** Fonts for text the PDF's standard fonts cannot show (default: the fonts offboard ships). */
  pdfFonts?: PdfFonts;
}

export interface ExportStatementsResult {
  out: string;
  manifest: Manifest;
  /** Only with a PDF: its pages, and characters no available font could show. */
  pdf: { pages: number; replacedCharacters: number } | null;
}

/** What `--force` may remove: an earlier export's files, and the partial files of one that was killed. */
const FILE_NAMES_OF_AN_EXPORT = [
  ...STATEMENT_FORMATS.map((format) => STATEMENT_FILE_NAMES[format]),
  ...STATEMENT_FORMATS.map(partialName),
  MANIFEST_FILE,
  SIGNATURE_FILE,
];

export async function exportStatements(
  deps: ExportStatementsDeps,
  accountId: string,
  options: ExportStatementsOptions,
): Promise<ExportStatementsResult> {
  const formats = checkFormats(options.formats ?? STATEMENT_FORMATS);
  const generatedAt = deps.clock.now();
  const range = checkRange(options.from, options.to);
  await prepareOutDir(options.out, Boolean(options.force));

  const snapshot = await openStatementSnapshot(deps.platform, accountId);
  try {
    const fields = (
      rows: number,
      opening: ReadonlyMap<string, bigint>,
      closing: ReadonlyMap<string, bigint>,
    ): StatementFields => ({
      account: accountId,
      holder: snapshot.holderName,
      period: { from: isoOrNull(range.from), to: isoOrNull(range.to) },
      generatedAt: generatedAt.toISOString(),
      keyId: deps.signingKey.keyId,
      rows,
      balances: balanceLines(snapshot.decimals, opening, closing),
    });
    const opening =
      range.from === null
        ? new Map<string, bigint>()
        : nonZero((await snapshot.summarize({ from: null, to: range.from })).net);
    // The PDF prints the closing balances and "page 1 of N" on its first page: it needs the
    // period's totals before the rows. A CSV or JSON Lines export learns them on the way.
    const planned = formats.includes('pdf') ? await snapshot.summarize(range) : null;
    const plannedFields = planned
      ? fields(planned.rows, opening, addNets(opening, planned.net))
      : null;
    const total = planned?.rows ?? (options.onProgress ? await snapshot.count(range) : 0);

    const pdf = plannedFields
      ? { header: pdfHeader(plannedFields), fonts: options.pdfFonts ?? shippedPdfFonts() }
      : null;
    const files = await StatementFiles.open(options.out, formats, pdf);
    try {
      const running = new RunningStatement(snapshot.decimals, opening);
      for await (const batch of snapshot.batches(range)) {
        for (const tuple of batch) files.row(running.next(tuple));
        await files.flush();
        options.onProgress?.(running.rows, Math.max(total, running.rows));
      }
      const final = fields(running.rows, opening, running.balances());
      // One snapshot serves the plan and the rows, so they agree; if they ever did not, the
      // PDF's first page would be wrong, and a wrong statement is worse than none.
      if (plannedFields && statementSha256(plannedFields) !== statementSha256(final)) {
        throw raise('OFFBOARD_ERR_INTERNAL', { problem: 'history_changed' });
      }
      const manifest = buildManifest(final, await files.finish());
      await writeSignedManifest(options.out, manifest, deps.signingKey);
      return { out: options.out, manifest, pdf: files.pdfSummary };
    } catch (error) {
      await files.discard();
      throw error;
    }
  } finally {
    await snapshot.close();
  }
}

/** manifest.json, then its signature: written last, so an export without them is unfinished. */
async function writeSignedManifest(
  out: string,
  manifest: Manifest,
  key: SigningKey,
): Promise<void> {
  const bytes = manifestBytes(manifest);
  await writeFile(join(out, MANIFEST_FILE), bytes);
  await writeFile(join(out, SIGNATURE_FILE), `${signBytes(key, bytes)}\n`);
}

/** Checks an export folder: every file matches the manifest, nothing is extra, the signature holds. */
export async function verifyExport(dir: string, publicKey: KeyObject): Promise<ExportVerification> {
  return verifyExportDir(dir, publicKey);
}

/**
 * The public key to check exports with: `file` when given, else the public half of the
 * signing key OFFBOARD_SIGNING_KEY names.
 */
export async function verificationKey(env: NodeJS.ProcessEnv, file?: string): Promise<KeyObject> {
  if (file !== undefined) return loadPublicKey(file);
  if (!env['OFFBOARD_SIGNING_KEY']) {
    throw raise('OFFBOARD_ERR_SIGNING_KEY', { missing: 'public_key' });
  }
  return (await signingKeyFromEnv(env)).publicKey;
}

/**
 * The library's statements, bound to an open context:
 * `offboard.exportStatements('acct-1', { formats: ['csv'], out: './statements' })`.
 * The signing key is OFFBOARD_SIGNING_KEY's unless `signingKeyFile` names another.
 */
export function statementsLibrary(
  ctx: { platform: PlatformPort; clock: Clock },
  env: NodeJS.ProcessEnv,
) {
  return {
    exportStatements: async (
      accountId: string,
      options: ExportStatementsOptions & { signingKeyFile?: string },
    ) =>
      exportStatements(
        { ...ctx, signingKey: await signingKeyFromEnv(env, options.signingKeyFile) },
        accountId,
        options,
      ),
    verifyExport: async (dir: string, options: { publicKeyFile?: string } = {}) =>
      verifyExport(dir, await verificationKey(env, options.publicKeyFile)),
  };
}

// ---- helpers -----------------------------------------------------------------------

function checkFormats(formats: readonly string[]): StatementFormat[] {
  const unknown = formats.filter((f) => !(STATEMENT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || formats.length === 0) {
    throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', {
      problem: 'unknown_format',
      got: formats,
      allowed: STATEMENT_FORMATS,
    });
  }
  return STATEMENT_FORMATS.filter((f) => formats.includes(f));
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function checkRange(from: Date | undefined, to: Date | undefined): Range {
  for (const [name, date] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (date !== undefined && Number.isNaN(date.getTime()))
      throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', { problem: 'invalid_instant', name });
  }
  if (from !== undefined && to !== undefined && from.getTime() >= to.getTime()) {
    throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', { problem: 'empty_period', from, to });
  }
  return { from: from?.getTime() ?? null, to: to?.getTime() ?? null };
}

/**
 * Creates the folder, or checks that it is empty. `force` removes an earlier export's
 * files only: anything else in the folder is not offboard's to delete.
 */
async function prepareOutDir(out: string, force: boolean): Promise<void> {
  try {
    await mkdir(out, { recursive: true });
  } catch (error) {
    throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', {
      problem: 'cannot_create_folder',
      dir: out,
      cause: (error as Error).message,
    });
  }
  const entries = await readdir(out);
  if (entries.length === 0) return;
  if (!force) {
    throw raise('OFFBOARD_ERR_OUT_DIR_NOT_EMPTY', { dir: out, files: entries });
  }
  for (const name of FILE_NAMES_OF_AN_EXPORT) await rm(join(out, name), { force: true });
}

function nonZero(balances: ReadonlyMap<string, bigint>): Map<string, bigint> {
  return new Map([...balances].filter(([, value]) => value !== 0n));
}

function addNets(
  opening: ReadonlyMap<string, bigint>,
  net: ReadonlyMap<string, bigint>,
): Map<string, bigint> {
  const closing = new Map(opening);
  for (const [asset, value] of net) closing.set(asset, (closing.get(asset) ?? 0n) + value);
  return closing;
}

/** One line per asset with an opening balance or a row in the period, by asset code. */
function balanceLines(
  assetDecimals: ReadonlyMap<string, number>,
  opening: ReadonlyMap<string, bigint>,
  closing: ReadonlyMap<string, bigint>,
): BalanceLine[] {
  return [...closing.keys()].sort().map((asset) => {
    const decimals = assetDecimals.get(asset) ?? 0;
    return {
      asset,
      decimals,
      opening: formatAmount(opening.get(asset) ?? 0n, decimals),
      closing: formatAmount(closing.get(asset) ?? 0n, decimals),
    };
  });
}

function pdfHeader(fields: StatementFields): PdfStatementHeader {
  return {
    account: fields.account,
    holder: fields.holder,
    from: fields.period.from,
    to: fields.period.to,
    generatedAt: fields.generatedAt,
    rows: fields.rows,
    keyId: fields.keyId,
    statementSha256: statementSha256(fields),
    balances: fields.balances,
  };
}

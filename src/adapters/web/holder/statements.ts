import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { Zip, ZipPassThrough } from 'fflate';
import type { Context } from '../../../main/context.js';
import {
  EXPORT_FILE_NAMES,
  exportDirOf,
  exportFilePath,
  exportForAccount,
  exportIds,
} from '../../http/routes/exports.js';
import type { StatementsConfig } from '../../http/routes/exports.js';
import type { ExportSummary } from './views.js';

/*
 * The holder's statements on the page: the same export as the API's (`exportForAccount`),
 * timed; a summary read back from the signed manifest (its SHA-256 is the fingerprint the
 * page shows); files one by one, or all in a zip made as it streams.
 */

/** Beside the export's folder, never in it: the folder holds exactly what the manifest lists. */
const timingFile = (dir: string) => `${dir}.web-timing.json`;

export async function prepareStatements(
  ctx: Context,
  config: StatementsConfig,
  accountId: string,
): Promise<string> {
  const started = performance.now();
  const { id, dir } = await exportForAccount(ctx, config, accountId);
  const tookMs = Math.round(performance.now() - started);
  await writeFile(timingFile(dir), JSON.stringify({ tookMs }));
  return id;
}

export async function exportSummary(
  config: StatementsConfig,
  accountId: string,
  exportId: string,
): Promise<ExportSummary | null> {
  const dir = exportDirOf(config, accountId, exportId);
  const manifestFile = await exportFilePath(config, accountId, exportId, 'manifest.json');
  if (!dir || !manifestFile) return null;
  const bytes = await readFile(manifestFile.path);
  const manifest = JSON.parse(bytes.toString('utf8')) as {
    generatedAt: string;
    rows: number;
    keyId: string;
    files: { name: string }[];
  };
  const timing = await readFile(timingFile(dir), 'utf8')
    .then((t) => (JSON.parse(t) as { tookMs: number }).tookMs)
    .catch(() => null);
  return {
    id: exportId,
    tookMs: timing,
    generatedAt: manifest.generatedAt,
    rows: manifest.rows,
    keyId: manifest.keyId,
    fingerprint: createHash('sha256').update(bytes).digest('hex'),
    files: [...manifest.files.map((f) => f.name), 'manifest.json', 'manifest.sig'],
  };
}

export async function latestSummary(
  config: StatementsConfig,
  accountId: string,
): Promise<ExportSummary | null> {
  const [newest] = await exportIds(config, accountId);
  return newest ? exportSummary(config, accountId, newest) : null;
}

/** Every file of the export in one zip, streamed as it is made (stored: the PDF is compressed already). */
export async function zipStream(
  config: StatementsConfig,
  accountId: string,
  exportId: string,
): Promise<Readable | null> {
  const files: { name: string; path: string }[] = [];
  for (const name of EXPORT_FILE_NAMES) {
    const found = await exportFilePath(config, accountId, exportId, name);
    if (found) files.push({ name, path: found.path });
  }
  if (files.length === 0) return null;
  const out = new PassThrough();
  const zip = new Zip((error, chunk, final) => {
    if (error) out.destroy(error);
    else {
      out.write(chunk);
      if (final) out.end();
    }
  });
  void (async () => {
    try {
      for (const file of files) {
        const entry = new ZipPassThrough(file.name);
        zip.add(entry);
        for await (const chunk of createReadStream(file.path)) entry.push(chunk as Uint8Array);
        entry.push(new Uint8Array(0), true);
      }
      zip.end();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}

import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvWriter } from './csv.js';
import { HashingFile } from './file-sink.js';
import { JsonLinesWriter } from './jsonl.js';
import { STATEMENT_FILE_NAMES, STATEMENT_FORMATS } from './manifest.js';
import type { ManifestFile, StatementFormat } from './manifest.js';
import { PdfStatementWriter } from './pdf.js';
import type { PdfStatementHeader } from './pdf.js';
import type { PdfFonts } from './pdf-text.js';
import type { StatementRow } from './row.js';

/** Where a file is written until it is complete; a killed export leaves only these. */
export function partialName(format: StatementFormat): string {
  return `.${STATEMENT_FILE_NAMES[format]}.partial`;
}

/**
 * The statement files of one export, written together from the same rows: each under its
 * partial name until `finish` renames it, and all removed by `discard` when the export fails.
 */
export class StatementFiles {
  private csv: CsvWriter | null = null;
  private jsonl: JsonLinesWriter | null = null;
  private pdf: PdfStatementWriter | null = null;
  private readonly files = new Map<StatementFormat, HashingFile>();

  private constructor(private readonly out: string) {}

  /** Opens a file per format; a PDF needs its header (balances, page count) up front. */
  static async open(
    out: string,
    formats: readonly StatementFormat[],
    pdf: { header: PdfStatementHeader; fonts: PdfFonts } | null,
  ): Promise<StatementFiles> {
    const files = new StatementFiles(out);
    try {
      if (formats.includes('csv')) files.csv = new CsvWriter(await files.create('csv'));
      if (formats.includes('jsonl')) files.jsonl = new JsonLinesWriter(await files.create('jsonl'));
      if (pdf)
        files.pdf = await PdfStatementWriter.open(await files.create('pdf'), pdf.header, pdf.fonts);
    } catch (error) {
      await files.discard();
      throw error;
    }
    return files;
  }

  private async create(format: StatementFormat): Promise<HashingFile> {
    const file = await HashingFile.create(join(this.out, partialName(format)));
    this.files.set(format, file);
    return file;
  }

  /** Writes one row to every file; the row is only read, and may be reused afterwards. */
  row(row: StatementRow): void {
    this.csv?.row(row);
    this.jsonl?.row(row);
    this.pdf?.row(row);
  }

  /** Lets what was written out to disk; awaited between batches, it keeps memory bounded. */
  async flush(): Promise<void> {
    await this.csv?.file.flush();
    await this.jsonl?.file.flush();
    await this.pdf?.flush();
  }

  get pdfSummary(): { pages: number; replacedCharacters: number } | null {
    return this.pdf
      ? { pages: this.pdf.pages, replacedCharacters: this.pdf.replacedCharacters }
      : null;
  }

  /** Ends every file, gives each its final name, and says what each holds. */
  async finish(): Promise<ManifestFile[]> {
    await this.pdf?.finish();
    const rows: Record<StatementFormat, number> = {
      csv: this.csv?.rows ?? 0,
      jsonl: this.jsonl?.rows ?? 0,
      pdf: this.pdf?.rows ?? 0,
    };
    const listed: ManifestFile[] = [];
    for (const format of STATEMENT_FORMATS) {
      const file = this.files.get(format);
      if (!file) continue;
      const written = await file.close();
      await rename(
        join(this.out, partialName(format)),
        join(this.out, STATEMENT_FILE_NAMES[format]),
      );
      listed.push({
        name: STATEMENT_FILE_NAMES[format],
        format,
        rows: rows[format],
        bytes: written.bytes,
        sha256: written.sha256,
      });
    }
    return listed;
  }

  /** Removes every file of this export, partial or finished. */
  async discard(): Promise<void> {
    for (const [format, file] of this.files) {
      await file.abandon();
      await rm(join(this.out, partialName(format)), { force: true });
      await rm(join(this.out, STATEMENT_FILE_NAMES[format]), { force: true });
    }
  }
}

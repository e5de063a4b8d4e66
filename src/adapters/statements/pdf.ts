import { readFileSync } from 'node:fs';
import type * as fontkit from 'fontkit';
import { OffboardError } from '../../domain/errors.js';
import type { HashingFile } from './file-sink.js';
import { PLAIN_ASCII, textRuns } from './pdf-text.js';
import type { FontSlot, PdfFonts } from './pdf-text.js';
import { BoundedCache } from './row.js';
import type { StatementRow } from './row.js';

/*
 * The PDF statement: A4 landscape, the holder, account, period and balances on page 1, the
 * transactions table over as many pages as it takes, and on every page's footer the page
 * number ("page 3 of 120") and the manifest's statement hash.
 *
 * It streams. pdfkit writes each page out when the next one starts (no buffered pages),
 * its output goes to a hashing file as it comes, and the page count is planned before the
 * first page from the row count, so the footer needs no second pass.
 *
 * Table rows are the hot path: a million of them through pdfkit's `text()` (kerning and
 * width lookups per glyph) took minutes. A row that is plain ASCII is one line of Courier
 * written as a raw text operator into the page, with columns padded by characters;
 * anything else (a Chinese counterparty) goes through pdfkit's text with embedded fonts.
 */

export interface PdfStatementHeader {
  account: string;
  holder: string;
  /** ISO instants; null: the beginning of the history, and everything up to generation. */
  from: string | null;
  to: string | null;
  generatedAt: string;
  rows: number;
  keyId: string;
  statementSha256: string;
  balances: readonly { asset: string; decimals: number; opening: string; closing: string }[];
}

type BaseFont = 'Courier' | 'Helvetica' | 'Helvetica-Bold';

const PAGE_WIDTH = 841.89; // A4 landscape
const PAGE_HEIGHT = 595.28;
const MARGIN = 36;
const TOP = 44; // first baseline of a page
const BOTTOM = PAGE_HEIGHT - 36; // last baseline a table row may take
const FOOTER = PAGE_HEIGHT - 18;
const TABLE_SIZE = 6.5;
const CHAR = TABLE_SIZE * 0.6; // Courier's advance is 600/1000 em
const LINE = 8.5;
// Our own resource names for the standard fonts on every page, which raw text operators use.
const RESOURCE: Record<BaseFont, string> = {
  Courier: 'OBMono',
  Helvetica: 'OBSans',
  'Helvetica-Bold': 'OBSansBold',
};

interface Column {
  heading: string;
  width: number;
  right?: boolean;
}

// Courier characters of 3.9 pt between the margins.
const LINE_CHARS = Math.floor((PAGE_WIDTH - 2 * MARGIN) / CHAR);

interface Table {
  columns: readonly Column[];
  /** Each column's start, in characters from the margin. */
  x: readonly number[];
  headings: string;
}

/**
 * The table's columns. Amount columns are as wide as the statement's assets need (an
 * 18-decimal asset needs 29 characters, a 2-decimal one 13); the text columns share the rest.
 */
function tableFor(maxDecimals: number): Table {
  const d = Math.max(maxDecimals, 2);
  const fixed: Column[] = [
    { heading: 'Id', width: 8, right: true },
    { heading: 'Time (UTC)', width: 19 },
    { heading: 'Type', width: 10 },
    { heading: 'Asset', width: 5 },
    // Sign and up to 9 whole digits; fees up to 5; balances up to 10.
    { heading: 'Amount', width: d + 11, right: true },
    { heading: 'Fee', width: d + 6, right: true },
    { heading: 'Balance', width: d + 12, right: true },
    { heading: 'Status', width: 9 },
  ];
  const used = fixed.reduce((sum, c) => sum + c.width + 1, 0);
  const rest = Math.max(LINE_CHARS - used - 1, 20);
  const columns = [
    ...fixed,
    { heading: 'Counterparty', width: Math.ceil(rest / 2) },
    { heading: 'Reference', width: Math.floor(rest / 2) },
  ];
  const x = columns.map((_, i) => columns.slice(0, i).reduce((sum, c) => sum + c.width + 1, 0));
  return { columns, x, headings: columns.map((c) => fit(c.heading, c)).join(' ') };
}

/** Pads a cell to its column; a longer text cell is cut with "...", a longer amount is never cut. */
function fit(text: string, column: Column): string {
  if (column.right) return text.padStart(column.width);
  return text.length > column.width
    ? `${text.slice(0, column.width - 3)}...`
    : text.padEnd(column.width);
}

function escapeLiteral(text: string): string {
  return text.replace(/[\\()]/g, '\\$&');
}

/** `2026-01-31 09:05:00` from an ISO instant (milliseconds are in the CSV and JSON Lines). */
function shortInstant(iso: string): string {
  return iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso;
}

export class PdfStatementWriter {
  private pageNumber = 0;
  private y = 0;
  /** Table rows that still fit on the current page. */
  private left = 0;
  private count = 0;
  private replacedChars = 0;
  /** Embedded fonts by slot, each read once per statement, on first use. */
  private readonly loaded = new Map<keyof PdfFonts, { name: string; font: fontkit.Font }>();
  private fontRefs: Record<string, PDFKit.PDFKitReference> = {};
  private ended: Promise<void> = Promise.resolve();
  private readonly table: Table;
  /**
   * Raw operators drawn since pdfkit last drew: handed over in one piece when the page ends
   * or before pdfkit draws anything itself (so the order holds), one copy a page rather
   * than an object a row.
   */
  private operators = Buffer.allocUnsafe(64 * 1024);
  private operatorsLength = 0;
  /** Per text column: value → its padded, escaped cell, or null when it needs embedded fonts. */
  private readonly cells: BoundedCache<string | null>[];
  /** Widths of plain-ASCII strings in a standard font (footers repeat on every page). */
  private readonly widths = new BoundedCache((key) => {
    const [base, size, text] = key.split('\u0000') as [BaseFont, string, string];
    return this.doc ? this.doc.font(base).fontSize(Number(size)).widthOfString(text) : 0;
  }, 256);

  private constructor(
    private readonly doc: PDFKit.PDFDocument | null,
    private readonly file: HashingFile | null,
    private readonly header: PdfStatementHeader,
    private readonly fonts: PdfFonts,
    private readonly totalPages: number,
    /** fontkit, to read embedded fonts; null in a dry run, which draws nothing. */
    private readonly fontReader: typeof fontkit | null = null,
  ) {
    this.table = tableFor(Math.max(0, ...header.balances.map((b) => b.decimals)));
    this.cells = this.table.columns.map(
      (column) =>
        new BoundedCache((value) =>
          PLAIN_ASCII.test(value) ? escapeLiteral(fit(value, column)) : null,
        ),
    );
  }

  /** How many pages the statement takes: the footer says "page N of M" from the first page on. */
  static plan(header: PdfStatementHeader): number {
    const dry = new PdfStatementWriter(
      null,
      null,
      header,
      { cjk: null, emoji: null, general: null },
      0,
    );
    dry.begin();
    if (header.rows <= dry.left) return dry.pageNumber;
    const rest = header.rows - dry.left;
    dry.newTablePage();
    return dry.pageNumber - 1 + Math.ceil(rest / dry.left);
  }

  /** Starts the PDF in `file`: page 1 with the header, ready for rows. */
  static async open(
    file: HashingFile,
    header: PdfStatementHeader,
    fonts: PdfFonts,
  ): Promise<PdfStatementWriter> {
    // Loaded on demand: a CSV-only export never pays for pdfkit, fontkit and the fonts
    // (fontkit alone takes ~130 ms and 5 MB to load).
    const [{ default: PDFDocument }, fontkitModule] = await Promise.all([
      import('pdfkit'),
      import('fontkit'),
    ]);
    const doc = new PDFDocument({
      autoFirstPage: false,
      bufferPages: false,
      compress: true,
      // Layouts cached per string would grow with every distinct counterparty.
      fontLayoutCache: false,
      info: {
        Title: `Statement of ${header.account}`,
        Author: 'offboard',
        Subject: `statement SHA-256 ${header.statementSha256}`,
        CreationDate: new Date(header.generatedAt),
      },
    });
    const writer = new PdfStatementWriter(
      doc,
      file,
      header,
      fonts,
      PdfStatementWriter.plan(header),
      fontkitModule,
    );
    writer.ended = new Promise<void>((resolve, reject) => {
      doc.on('end', resolve);
      doc.on('error', reject);
    });
    // Awaited in finish(); an error before then must not count as unhandled meanwhile.
    writer.ended.catch(() => undefined);
    doc.on('data', (chunk: Uint8Array) => file.writeBytes(chunk));
    // The stream emits synchronously only once it flows, which starts on the next turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const [base, name] of Object.entries(RESOURCE)) {
      const ref = doc.ref({
        Type: 'Font',
        Subtype: 'Type1',
        BaseFont: base,
        Encoding: 'WinAnsiEncoding',
      });
      ref.end(undefined); // a dictionary only: no stream to write
      writer.fontRefs[name] = ref;
    }
    writer.begin();
    return writer;
  }

  get rows(): number {
    return this.count;
  }

  get pages(): number {
    return this.pageNumber;
  }

  /** Characters no available font could show, transliterated or replaced by "?". */
  get replacedCharacters(): number {
    return this.replacedChars;
  }

  row(row: StatementRow): void {
    if (this.left === 0) this.newTablePage();
    const { columns, x } = this.table;
    let rich: [number, string][] | null = null;
    const text = (index: number, value: string | null): string => {
      if (value === null) return ' '.repeat(columns[index]!.width);
      const cell = this.cells[index]!.get(value);
      if (cell !== null) return cell;
      (rich ??= []).push([index, value]);
      return ' '.repeat(columns[index]!.width);
    };
    // Ids, instants and amounts are digits and punctuation: nothing in them needs escaping.
    const line = `${fit(row.idText, columns[0]!)} ${shortInstant(row.instant)} ${text(2, row.type)} ${text(3, row.asset)} ${fit(row.amount, columns[4]!)} ${fit(
      row.fee,
      columns[5]!,
    )} ${fit(row.balance, columns[6]!)} ${text(7, row.status)} ${text(8, row.counterparty)} ${text(9, row.reference)}`;
    this.rawEscaped(line.trimEnd(), MARGIN, this.y, 'Courier', TABLE_SIZE);
    if (rich !== null) {
      for (const [index, value] of rich as [number, string][]) {
        this.text(
          value,
          MARGIN + x[index]! * CHAR,
          this.y,
          'Courier',
          TABLE_SIZE,
          columns[index]!.width * CHAR,
        );
      }
    }
    this.y += LINE;
    this.left -= 1;
    this.count += 1;
  }

  /** Lets the finished pages out to the file; awaited between batches of rows. */
  async flush(): Promise<void> {
    await this.file?.flush();
  }

  async finish(): Promise<void> {
    if (!this.doc) return;
    if (this.count === 0) {
      this.text('No transactions in this period.', MARGIN, this.y, 'Helvetica', 8);
    }
    this.flushOperators();
    this.doc.end();
    await this.ended;
  }

  // ---- layout ----------------------------------------------------------------------

  /** Page 1: who, which account, which period, the balances; then the table starts. */
  private begin(): void {
    const h = this.header;
    this.newPage();
    this.text('Account statement', MARGIN, this.y + 6, 'Helvetica-Bold', 15);
    this.y += 28;
    const period =
      h.to === null
        ? `${h.from ?? 'the beginning of the history'} to the time of generation`
        : `${h.from ?? 'the beginning of the history'} to ${h.to} (the end is exclusive)`;
    for (const [label, value] of [
      ['Holder', h.holder],
      ['Account', h.account],
      ['Period', period],
      ['Generated', h.generatedAt],
      ['Transactions', String(h.rows)],
      [
        'Signed by',
        `Ed25519 key ${h.keyId}; every file's SHA-256 is in manifest.json, signed in manifest.sig`,
      ],
    ] as const) {
      this.text(`${label}:`, MARGIN, this.y, 'Helvetica-Bold', 9);
      this.text(value, MARGIN + 70, this.y, 'Helvetica', 9, PAGE_WIDTH - 2 * MARGIN - 70);
      this.y += 12;
    }
    this.y += 8;
    const assetWidth = 10;
    const amountWidth = 34;
    this.mono(
      `${'Asset'.padEnd(assetWidth)} ${'Opening balance'.padStart(amountWidth)} ${'Closing balance'.padStart(amountWidth)}`,
      MARGIN,
      this.y,
    );
    this.y += LINE + 2;
    if (h.balances.length === 0) {
      this.text('No balances in this period.', MARGIN, this.y, 'Helvetica', 8);
      this.y += LINE;
    }
    for (const b of h.balances) {
      if (this.y > BOTTOM) {
        this.newPage();
      }
      const asset = PLAIN_ASCII.test(b.asset) ? b.asset : '';
      this.mono(
        `${asset.padEnd(assetWidth)} ${b.opening.padStart(amountWidth)} ${b.closing.padStart(amountWidth)}`,
        MARGIN,
        this.y,
      );
      if (asset === '')
        this.text(b.asset, MARGIN, this.y, 'Courier', TABLE_SIZE, assetWidth * CHAR);
      this.y += LINE;
    }
    this.y += 12;
    this.releaseHeaderFonts();
    this.startTable();
  }

  private newPage(): void {
    this.pageNumber += 1;
    this.y = TOP;
    if (!this.doc) return;
    this.flushOperators();
    const finished = this.pageNumber > 1 ? this.doc.page : null;
    this.doc.addPage({ size: 'A4', layout: 'landscape', margin: MARGIN });
    // Without buffered pages, addPage wrote the last page out; only its reference number
    // is needed again (in the page tree at the end). Its dictionary would otherwise stay
    // in memory, a kilobyte a page: 17,000 pages for a million rows.
    if (finished) (finished.dictionary as { data: object }).data = {};
    // The raw text operators name these resources; pdfkit registers only the fonts it draws with.
    Object.assign(this.doc.page.fonts as Record<string, PDFKit.PDFKitReference>, this.fontRefs);
    const h = this.header;
    const pageText = `Page ${this.pageNumber} of ${this.totalPages}`;
    const pageWidth = this.widths.get(`Helvetica\u00006\u0000${pageText}`);
    this.text(
      `Statement of ${h.account}, generated ${h.generatedAt}. Statement SHA-256 (manifest.json): ${h.statementSha256}`,
      MARGIN,
      FOOTER,
      'Helvetica',
      6,
      PAGE_WIDTH - 2 * MARGIN - pageWidth - 12,
    );
    this.text(pageText, PAGE_WIDTH - MARGIN - pageWidth, FOOTER, 'Helvetica', 6);
  }

  private newTablePage(): void {
    this.newPage();
    const h = this.header;
    // The holder's name is on page 1; repeating it (in embedded fonts) on every page cost more than the rows.
    this.text(
      `Statement of ${h.account}, ${h.from ?? 'the beginning of the history'} to ${h.to ?? 'the time of generation'}`,
      MARGIN,
      this.y,
      'Helvetica',
      7,
      PAGE_WIDTH - 2 * MARGIN,
    );
    this.y += 14;
    this.startTable();
  }

  /** Column headings, a rule, and how many rows fit below them. */
  private startTable(): void {
    if (BOTTOM - this.y < 3 * LINE) {
      this.newTablePage();
      return;
    }
    this.mono(this.table.headings, MARGIN, this.y);
    if (this.doc) {
      this.flushOperators();
      this.doc
        .moveTo(MARGIN, this.y + 2.5)
        .lineTo(PAGE_WIDTH - MARGIN, this.y + 2.5)
        .lineWidth(0.4)
        .stroke();
    }
    this.y += LINE + 2;
    this.left = Math.floor((BOTTOM - this.y) / LINE) + 1;
  }

  // ---- drawing ---------------------------------------------------------------------

  /** Printable ASCII in Courier at a baseline, written as one raw text operator. */
  private mono(text: string, x: number, baseline: number): void {
    this.raw(text, x, baseline, 'Courier', TABLE_SIZE);
  }

  private raw(text: string, x: number, baseline: number, base: BaseFont, size: number): void {
    this.rawEscaped(escapeLiteral(text), x, baseline, base, size);
  }

  private rawEscaped(
    literal: string,
    x: number,
    baseline: number,
    base: BaseFont,
    size: number,
  ): void {
    if (!this.doc) return;
    // The page's coordinates run top-down (pdfkit flips them); the text matrix flips the glyphs back.
    const operator = `BT /${RESOURCE[base]} ${size} Tf 1 0 0 -1 ${x.toFixed(2)} ${baseline.toFixed(2)} Tm (${literal}) Tj ET\n`;
    if (operator.length > this.operators.length - this.operatorsLength) {
      this.flushOperators();
      if (operator.length > this.operators.length)
        this.operators = Buffer.allocUnsafe(operator.length * 2);
    }
    this.operatorsLength += this.operators.write(operator, this.operatorsLength, 'latin1');
  }

  /** Hands the raw operators to pdfkit: before it draws anything itself, so the order holds. */
  private flushOperators(): void {
    if (!this.doc || this.operatorsLength === 0) return;
    // As bytes, copied: pdfkit converts a string a character at a time, and keeps what it gets.
    this.doc.addContent(Buffer.from(this.operators.subarray(0, this.operatorsLength)));
    this.operatorsLength = 0;
  }

  /** Any text at a baseline, font by font, cut with "..." past `maxWidth`. */
  private text(
    value: string,
    x: number,
    baseline: number,
    base: BaseFont,
    size: number,
    maxWidth = Number.POSITIVE_INFINITY,
  ): void {
    const doc = this.doc;
    if (!doc) return;
    if (
      PLAIN_ASCII.test(value) &&
      (maxWidth === Number.POSITIVE_INFINITY ||
        this.widths.get(`${base}\u0000${size}\u0000${value}`) <= maxWidth)
    ) {
      this.raw(value, x, baseline, base, size);
      return;
    }
    this.flushOperators();
    const { runs, replaced } = textRuns(value, this.fonts, (slot, codePoint) =>
      this.load(slot).font.hasGlyphForCodePoint(codePoint),
    );
    this.replacedChars += replaced;
    const options = { lineBreak: false, baseline: 'alphabetic' } as const;
    const limit = x + maxWidth;
    const ellipsis = doc.font(base).fontSize(size).widthOfString('...');
    let cursor = x;
    for (const run of runs) {
      doc.font(this.fontFor(run.slot, base)).fontSize(size);
      const width = doc.widthOfString(run.text);
      if (cursor + width <= limit) {
        doc.text(run.text, cursor, baseline, options);
        cursor += width;
        continue;
      }
      const chars = [...run.text];
      while (chars.length > 0 && cursor + doc.widthOfString(chars.join('')) + ellipsis > limit)
        chars.pop();
      const kept = chars.join('');
      if (kept.length > 0) {
        doc.text(kept, cursor, baseline, options);
        cursor += doc.widthOfString(kept);
      }
      doc.font(base).fontSize(size).text('...', cursor, baseline, options);
      return;
    }
  }

  /**
   * Embeds the subsets page 1 used (the holder's name in Chinese, say) and lets the fonts
   * go: Noto Sans SC alone is 10 MB of memory for the whole export otherwise, and most
   * statements' rows need none of it. A row or footer that needs a font later loads it
   * again, and keeps it to the end: a second, separate subset in the same file.
   */
  private releaseHeaderFonts(): void {
    const doc = this.doc;
    if (!doc || this.loaded.size === 0) return;
    // pdfkit's font table, by every name it knows a font by; embedding is what `end()` does to each.
    const internals = doc as unknown as {
      _fontFamilies?: Record<string, { finalize(): void }>;
      _registeredFonts?: Record<string, unknown>;
    };
    // Should a pdfkit release rename them, the fonts stay to the end, as they used to.
    if (!internals._fontFamilies || !internals._registeredFonts) return;
    const { _fontFamilies: families, _registeredFonts: registered } = internals;
    const embedded = new Set(
      [...this.loaded.values()].map((loaded) => {
        doc.font(loaded.name);
        return (doc as unknown as { _font: { finalize(): void } })._font;
      }),
    );
    for (const [key, font] of Object.entries(families)) {
      if (!embedded.has(font)) continue;
      font.finalize();
      delete families[key];
    }
    for (const { name } of this.loaded.values()) delete registered[name];
    this.loaded.clear();
    doc.font('Helvetica');
  }

  private fontFor(slot: FontSlot, base: BaseFont): string {
    return slot === 'base' ? base : this.load(slot).name;
  }

  /**
   * Reads a font file once: pdfkit embeds it (the subset of glyphs used, at the end) and the
   * same bytes answer which characters it has.
   */
  private load(slot: keyof PdfFonts): { name: string; font: fontkit.Font } {
    const known = this.loaded.get(slot);
    if (known) return known;
    // textRuns asks only about slots that have a font.
    const file = this.fonts[slot]!;
    const refuse = (why: string) =>
      new OffboardError(
        'OFFBOARD_ERR_INVALID_ARGUMENT',
        `the PDF's ${slot} font ${file.path} cannot be used: ${why}`,
      );
    let bytes: Buffer;
    let font: fontkit.Font | fontkit.FontCollection | null;
    try {
      bytes = readFileSync(file.path);
      font = this.fontReader!.create(bytes, file.family);
    } catch (error) {
      throw refuse((error as Error).message);
    }
    if (!font) throw refuse(`it has no face named ${file.family ?? ''}`);
    if (!('hasGlyphForCodePoint' in font))
      throw refuse('it is a font collection: name the face to use (family)');
    const loaded = { name: `offboard-${slot}`, font };
    this.doc!.registerFont(loaded.name, bytes, file.family);
    this.loaded.set(slot, loaded);
    return loaded;
  }
}

import { BoundedCache, STATEMENT_COLUMNS } from './row.js';
import type { StatementRow } from './row.js';
import type { HashingFile } from './file-sink.js';

/*
 * RFC 4180 CSV: UTF-8, a header row, CRLF line ends, a cell quoted when it holds a comma,
 * a double quote, CR or LF (quotes doubled inside).
 *
 * A spreadsheet runs a cell that starts with =, +, -, @, tab or CR as a formula, so a
 * counterparty named "=HYPERLINK(...)" would be a formula injection. Such cells get a
 * leading apostrophe, which spreadsheets show as text. Plain numbers ("-12.50") are left
 * alone: they are no formula, and amounts must stay numbers. A cell that itself starts
 * with an apostrophe gets one more, so reading back is exact: a text cell that starts
 * with an apostrophe has one apostrophe removed (docs/statements.md).
 */

const FORMULA_START = /^[=+\-@\t\r']/;
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell: neutralised when a spreadsheet would run it, quoted when RFC 4180 says so. */
export function csvCell(value: string): string {
  let cell = value;
  if (FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell)) cell = `'${cell}`;
  if (NEEDS_QUOTES.test(cell)) cell = `"${cell.replaceAll('"', '""')}"`;
  return cell;
}

/** The inverse of `csvCell` on a cell a CSV parser has already unquoted. */
export function readCsvCell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

export const CSV_HEADER = `${STATEMENT_COLUMNS.join(',')}\r\n`;

export class CsvWriter {
  private readonly cells = new BoundedCache(csvCell);
  private count = 0;

  constructor(readonly file: HashingFile) {
    file.write(CSV_HEADER);
  }

  row(row: StatementRow): void {
    const cells = this.cells;
    // Ids, amounts and instants of years 0-9999 are digits and punctuation that need no
    // quoting or neutralising; only the text columns (and a signed far-off year) go through csvCell.
    const first = row.instant.charCodeAt(0);
    const instant = first >= 48 && first <= 57 ? row.instant : csvCell(row.instant);
    this.file.write(
      `${row.idText},${instant},${cells.get(row.type)},${cells.get(row.asset)},${row.amount},${row.fee},${cells.get(row.status)},${
        row.counterparty === null ? '' : cells.get(row.counterparty)
      },${row.reference === null ? '' : cells.get(row.reference)},${row.balance}\r\n`,
    );
    this.count += 1;
  }

  get rows(): number {
    return this.count;
  }
}

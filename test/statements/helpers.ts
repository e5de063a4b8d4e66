import { readFileSync } from 'node:fs';
import { extractTextItems } from 'unpdf';
import { readCsvCell } from '../../src/adapters/statements/csv.js';
import { STATEMENT_COLUMNS } from '../../src/adapters/statements/row.js';
import type { TransactionRow } from '../../src/adapters/ledger/ledger.js';
import { formatAmount } from '../../src/domain/money.js';

export type Row = Record<(typeof STATEMENT_COLUMNS)[number], string | number | null>;

/** A strict RFC 4180 reader: CRLF records, quoted cells with doubled quotes; anything else fails. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error('unterminated quoted cell');
        cell += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          cell += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
    } else {
      const end = text.slice(i).search(/,|\r\n/);
      cell = end < 0 ? text.slice(i) : text.slice(i, i + end);
      if (/["\r\n]/.test(cell))
        throw new Error(`unquoted cell with a quote or line break: ${JSON.stringify(cell)}`);
      i = end < 0 ? text.length : i + end;
    }
    record.push(cell);
    if (text.startsWith(',', i)) {
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else if (i < text.length) {
      throw new Error(`unexpected character at ${i}`);
    }
  }
  if (record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}

/** The CSV's rows as objects, text cells read back as `readCsvCell` documents, empty text as null. */
export function readCsvRows(path: string): Row[] {
  const [header, ...records] = parseCsv(readFileSync(path, 'utf8'));
  expectColumns(header);
  return records.map((cells) => ({
    id: Number(cells[0]),
    instant: cells[1]!,
    type: readCsvCell(cells[2]!),
    asset: readCsvCell(cells[3]!),
    amount: cells[4]!,
    fee: cells[5]!,
    status: readCsvCell(cells[6]!),
    counterparty: cells[7] === '' ? null : readCsvCell(cells[7]!),
    reference: cells[8] === '' ? null : readCsvCell(cells[8]!),
    balance: cells[9]!,
  }));
}

function expectColumns(header: string[] | undefined): void {
  if (JSON.stringify(header) !== JSON.stringify(STATEMENT_COLUMNS))
    throw new Error(`unexpected header ${JSON.stringify(header)}`);
}

export function readJsonlRows(path: string): Row[] {
  const text = readFileSync(path, 'utf8');
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('the last line has no newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
}

/**
 * What the statement must say for the ledger's rows, computed here on its own: the running
 * balance per asset moves by amount − fee on completed rows only.
 */
export function expectedRows(
  rows: readonly TransactionRow[],
  decimals: ReadonlyMap<string, number>,
  opening = new Map<string, bigint>(),
): Row[] {
  const balances = new Map(opening);
  return rows.map((t) => {
    const d = decimals.get(t.asset)!;
    const balance =
      (balances.get(t.asset) ?? 0n) + (t.status === 'completed' ? t.amount - t.fee : 0n);
    balances.set(t.asset, balance);
    return {
      id: t.id,
      instant: t.createdAt.toISOString(),
      type: t.type,
      asset: t.asset,
      amount: formatAmount(t.amount, d),
      fee: formatAmount(t.fee, d),
      status: t.status,
      counterparty: t.counterparty,
      reference: t.reference,
      balance: formatAmount(balance, d),
    };
  });
}

/**
 * The PDF's text, page by page, read back by PDF.js (through unpdf): an independent reader,
 * and an npm package, so the tests need nothing from the host. Each page is its lines from
 * top to bottom; a line is its pieces from left to right, with a space where they stand
 * apart and none where they touch or overlap (text drawn over a row's blank column).
 */
export async function pdfPages(path: string): Promise<string[]> {
  const { items } = await extractTextItems(new Uint8Array(readFileSync(path)));
  return items.map((page) => {
    const pieces = page.filter((item) => item.str !== '').sort((a, b) => b.y - a.y || a.x - b.x);
    const lines: (typeof pieces)[] = [];
    for (const piece of pieces) {
      const line = lines[lines.length - 1];
      // One baseline, whichever font drew the piece; rows are 8.5 pt apart.
      if (line && Math.abs(line[0]!.y - piece.y) < 2) line.push(piece);
      else lines.push([piece]);
    }
    return lines
      .map((line) => {
        let text = '';
        let end = Number.NEGATIVE_INFINITY;
        for (const piece of line.sort((a, b) => a.x - b.x)) {
          text += (piece.x > end + 1 && text !== '' ? ' ' : '') + piece.str;
          end = Math.max(end, piece.x + piece.width);
        }
        return text;
      })
      .join('\n');
  });
}

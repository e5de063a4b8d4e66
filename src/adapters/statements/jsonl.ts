import { BoundedCache } from './row.js';
import type { StatementRow } from './row.js';
import type { HashingFile } from './file-sink.js';

/**
 * JSON Lines: one object per row, the CSV's columns as keys, amounts as exact decimal
 * strings (a JSON number would be read as a float), absent text as null.
 */
export class JsonLinesWriter {
  private readonly strings = new BoundedCache((text) => JSON.stringify(text));
  private count = 0;

  constructor(readonly file: HashingFile) {}

  row(row: StatementRow): void {
    const s = this.strings;
    // Instants and amounts are digits and punctuation: no JSON escaping can apply to them.
    this.file.write(
      `{"id":${row.idText},"instant":"${row.instant}","type":${s.get(row.type)},"asset":${s.get(row.asset)},"amount":"${row.amount}","fee":"${row.fee}","status":${s.get(row.status)},"counterparty":${
        row.counterparty === null ? 'null' : s.get(row.counterparty)
      },"reference":${row.reference === null ? 'null' : s.get(row.reference)},"balance":"${row.balance}"}\n`,
    );
    this.count += 1;
  }

  get rows(): number {
    return this.count;
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, readCsvCell } from './csv.js';

/** Undoes RFC 4180 quoting of one cell (the test's reader; the statement suite has a full parser). */
function unquote(cell: string): string {
  return cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
}

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+2', "'+1+2"],
    ['-cmd|calc', "'-cmd|calc"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tstart', "'\tstart"],
    ['\rstart', `"'\rstart"`],
    ["'already", "''already"],
  ])('neutralises %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('leaves plain numbers and ordinary text alone', () => {
    for (const value of ['-12.50', '+3', '0.000000000000000001', 'bank-transfer', '鲸鱼 🐋', ''])
      expect(csvCell(value)).toBe(value);
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('reads back exactly what it wrote, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const shown = unquote(csvCell(value));
        const runsAsFormula = /^[=+\-@\t\r]/.test(shown) && !/^[+-]?\d+(\.\d+)?$/.test(shown);
        expect(runsAsFormula).toBe(false);
        expect(readCsvCell(shown)).toBe(value);
      }),
      { numRuns: 5000 },
    );
  });
});

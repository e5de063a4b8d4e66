import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InstantFormatter } from './instant.js';

describe('InstantFormatter', () => {
  it('writes exactly what Date#toISOString writes, for any instant a Date holds', () => {
    const formatter = new InstantFormatter();
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(formatter.format(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('stays exact across days in ascending order (its cached day moves)', () => {
    const formatter = new InstantFormatter();
    const start = Date.UTC(2023, 11, 31, 23, 59, 59, 998);
    for (let ms = start; ms < start + 3 * 86_400_000; ms += 999_983) {
      expect(formatter.format(ms)).toBe(new Date(ms).toISOString());
    }
    expect(formatter.format(start + 2)).toBe('2024-01-01T00:00:00.000Z');
  });
});

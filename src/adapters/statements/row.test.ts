import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { integerText } from './row.js';

describe('integerText', () => {
  it('writes exactly what String writes, for any whole number', () => {
    for (const n of [0, 9, 10, 999, 1000, 1001, 999_999, 1_000_000, 1_000_001, 999_999_999_999])
      expect(integerText(n)).toBe(String(n));
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: 1e12 }), fc.maxSafeNat()), (n) => {
        expect(integerText(n)).toBe(String(n));
      }),
      { numRuns: 20_000 },
    );
  });

  it('leaves what is not a whole number of at least 0 to String', () => {
    for (const n of [-1, -1234567, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(integerText(n)).toBe(String(n));
  });
});

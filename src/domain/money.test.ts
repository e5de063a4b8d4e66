import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount, valueInReference } from './money.js';
import { MAX_MINOR_UNITS } from './money.js';

describe('parseAmount', () => {
  it.each([
    ['10.25', 2, 1025n],
    ['10', 2, 1000n],
    ['10.2', 2, 1020n],
    ['0.05', 2, 5n],
    ['-0.05', 2, -5n],
    ['-0', 2, 0n],
    ['007.10', 2, 710n],
    ['42', 0, 42n],
    ['1.000000000000000001', 18, 1_000_000_000_000_000_001n],
  ])('reads %s with %i decimals as %s', (text, decimals, expected) => {
    expect(parseAmount(text, decimals)).toEqual({ ok: true, value: expected });
  });

  it('refuses more decimal places than the asset has instead of rounding', () => {
    const result = parseAmount('10.255', 2);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe('it has 3 decimal places; the asset has 2');
    expect(parseAmount('1.5', 0).ok).toBe(false);
  });

  it.each(['', ' 1', '1 ', '1e3', '1E3', '+1', '1.', '.5', '1,5', '1.2.3', '--1', 'abc', '０'])(
    'refuses %j',
    (text) => {
      expect(parseAmount(text, 2).ok).toBe(false);
    },
  );

  it('refuses a decimals count that is not a small non-negative integer', () => {
    expect(parseAmount('1', -1).ok).toBe(false);
    expect(parseAmount('1', 1.5).ok).toBe(false);
    expect(parseAmount('1', 78).ok).toBe(false);
  });

  it('is exact for 78-digit amounts', () => {
    const digits = '9'.repeat(60) + '.' + '9'.repeat(18);
    const parsed = parseAmount(digits, 18);
    expect(parsed).toEqual({ ok: true, value: BigInt('9'.repeat(78)) });
  });
});

describe('formatAmount', () => {
  it.each([
    [1025n, 2, '10.25'],
    [-5n, 2, '-0.05'],
    [0n, 2, '0.00'],
    [1000n, 2, '10.00'],
    [1_000_000_000_000_000_001n, 18, '1.000000000000000001'],
    [42n, 0, '42'],
    [-42n, 0, '-42'],
  ])('formats %s with %i decimals as %s', (minor, decimals, expected) => {
    expect(formatAmount(minor, decimals)).toBe(expected);
  });

  it('throws on an impossible decimals count, a caller bug', () => {
    expect(() => formatAmount(1n, -1)).toThrow(RangeError);
  });

  it('round-trips through parseAmount for any amount storage holds and any decimals', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -MAX_MINOR_UNITS, max: MAX_MINOR_UNITS }),
        fc.integer({ min: 0, max: 30 }),
        (minor, decimals) => {
          expect(parseAmount(formatAmount(minor, decimals), decimals)).toEqual({
            ok: true,
            value: minor,
          });
        },
      ),
    );
  });
});

describe('valueInReference', () => {
  it('values whole and fractional units', () => {
    // 1.5 BTC at 60,000.00 USD
    expect(valueInReference(150_000_000n, 8, 6_000_000n)).toBe(9_000_000n);
    // 1 wei of ETH at 3,000.00 USD is worth nothing in cents
    expect(valueInReference(1n, 18, 300_000n)).toBe(0n);
    // 0.333333333333333333 ETH at 3,000.00 USD = 999.999999... USD, truncated
    expect(valueInReference(333_333_333_333_333_333n, 18, 300_000n)).toBe(99_999n);
  });

  it('truncates toward zero for negative amounts', () => {
    expect(valueInReference(-333_333_333_333_333_333n, 18, 300_000n)).toBe(-99_999n);
  });

  it('takes prices finer than the reference minor unit', () => {
    // 1,000,000 tokens (6 decimals) at 0.000012 USD = 12 USD = 1200 cents; price 0.0012 cents = 12n scale 4
    expect(valueInReference(1_000_000_000_000n, 6, 12n, 4)).toBe(1_200n);
  });

  it('is exact for huge 18-decimal amounts', () => {
    const amount = 10n ** 60n + 1n;
    expect(valueInReference(amount, 18, 300_000n)).toBe(10n ** 42n * 300_000n);
  });

  it('matches the definition amount * price / 10^decimals truncated', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 78n), max: 10n ** 78n }),
        fc.integer({ min: 0, max: 18 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (amount, decimals, price) => {
          const value = valueInReference(amount, decimals, price);
          const scale = 10n ** BigInt(decimals);
          const product = amount * price;
          // |value * scale| <= |product| < (|value| + 1) * scale, with value's sign that of product
          const abs = (x: bigint) => (x < 0n ? -x : x);
          expect(abs(value) * scale <= abs(product)).toBe(true);
          expect(abs(product) < (abs(value) + 1n) * scale).toBe(true);
          if (value !== 0n) expect(value < 0n).toBe(product < 0n);
        },
      ),
    );
  });
});

describe('amounts storage can hold', () => {
  it('parses 78 digits of minor units and refuses 79, whatever the decimals', () => {
    expect(parseAmount('9'.repeat(78), 0)).toEqual({ ok: true, value: MAX_MINOR_UNITS });
    expect(parseAmount(`-${'9'.repeat(60)}.${'9'.repeat(18)}`, 18)).toEqual({
      ok: true,
      value: -MAX_MINOR_UNITS,
    });
    expect(parseAmount('1'.padEnd(79, '0'), 0).ok).toBe(false);
    expect(parseAmount(`${'9'.repeat(61)}.${'0'.repeat(18)}`, 18).ok).toBe(false);
  });
});

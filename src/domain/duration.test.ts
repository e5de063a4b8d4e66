import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY,
  formatDuration,
  HOUR,
  MAX_DURATION_MS,
  MINUTE,
  parseDuration,
  SECOND,
  YEAR,
} from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['30s', 30 * SECOND],
    ['90m', 90 * MINUTE],
    ['24h', 24 * HOUR],
    ['7d', 7 * DAY],
    ['5y', 5 * 365 * DAY],
    ['250ms', 250],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ['7 parsecs', 'write a whole number and a unit'],
    ['7 d', 'write a whole number and a unit'],
    ['', 'write a whole number and a unit'],
    ['-1d', 'write a whole number and a unit'],
    ['1.5h', 'e.g. 90m'],
    ['90', 'add a unit'],
    ['3mo', 'months vary'],
    ['2M', 'months vary'],
    ['2w', 'as days'],
    ['7D', 'write a whole number and a unit'],
    ['1d12h', 'write a whole number and a unit'],
    ['1001y', 'longer than the longest'],
    ['99999999999999999999y', 'longer than the longest'],
  ])('refuses %j, saying how to write it', (text, hint) => {
    const result = parseDuration(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(hint);
  });

  it('accepts up to a thousand years', () => {
    expect(parseDuration('1000y')).toEqual({ ok: true, ms: 1000 * YEAR });
    expect(MAX_DURATION_MS).toBe(1000 * YEAR);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0'],
    [30 * SECOND, '30s'],
    [90 * MINUTE, '90m'],
    [24 * HOUR, '1d'],
    [7 * DAY, '7d'],
    [5 * YEAR, '5y'],
    [1500, '1500ms'],
    [-HOUR, '-1h'],
  ])('formats %i as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms });
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoInstant } from './iso-instant.js';

const ms = (text: string) => {
  const parsed = parseIsoInstant(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
  return parsed.epochMs;
};
const reason = (text: string) => {
  const parsed = parseIsoInstant(text);
  return parsed.ok ? null : parsed.reason;
};

describe('parseIsoInstant', () => {
  it('reads back every instant Date#toISOString writes in years 0000 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (t) => {
        expect(ms(new Date(t).toISOString())).toBe(t);
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes the last day of every month and refuses the day after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        const year = String(y).padStart(4, '0');
        const month = String(m).padStart(2, '0');
        // Day 0 of the next month is the last day of this one.
        const last = new Date(Date.UTC(2000, m, 0));
        last.setUTCFullYear(y, m, 0);
        const days = last.getUTCDate();
        expect(ms(`${year}-${month}-${days}`)).toBe(last.getTime());
        expect(reason(`${year}-${month}-${days + 1}`)).toContain(`has ${days} days`);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses the impossible dates and times Date would roll over', () => {
    expect(reason('2026-02-30')).toBe('February 2026 has 28 days, not 30');
    expect(reason('2026-02-29T00:00:00Z')).toBe('February 2026 has 28 days, not 29');
    expect(reason('2100-02-29')).toBe('February 2100 has 28 days, not 29');
    expect(reason('2026-04-31')).toBe('April 2026 has 30 days, not 31');
    expect(reason('2026-13-01')).toBe('there is no month 13');
    expect(reason('2026-00-10')).toBe('there is no month 00');
    expect(reason('2026-01-00')).toBe('January 2026 has 31 days, not 00');
    expect(reason('2026-01-01T24:00Z')).toContain('is not a time of day');
    expect(reason('2026-01-01T23:60Z')).toContain('is not a time of day');
    expect(reason('2026-01-01T23:59:60Z')).toContain('is not a time of day');
    expect(reason('2026-01-01T10:00+24:00')).toBe('+24:00 is not a UTC offset');
    expect(reason('2026-01-01T10:00:00')).toContain('add Z for UTC');
    expect(reason('yesterday')).toBe('it is not an ISO 8601 date or instant');
    expect(reason('2026-1-1')).toBe('it is not an ISO 8601 date or instant');
  });

  it('reads a date as midnight UTC and applies offsets', () => {
    expect(ms('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(ms('2000-02-29T12:30Z')).toBe(Date.UTC(2000, 1, 29, 12, 30));
    expect(ms('2026-01-01T01:00:00.5+01:00')).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 500));
    expect(ms('2026-01-01T01:00+0100')).toBe(Date.UTC(2026, 0, 1));
    expect(ms('2025-12-31T19:00-05:00')).toBe(Date.UTC(2026, 0, 1));
  });
});

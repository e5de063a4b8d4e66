/**
 * Durations as policy files write them: a whole number and one unit, `30s`, `90m`, `24h`,
 * `7d`, `5y`, or a bare `0`. Milliseconds fit a number exactly for any duration offboard
 * accepts, so durations are numbers, unlike money.
 */

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A year is 365 days: retention laws count years, and a fixed length keeps schedules reproducible. */
export const YEAR = 365 * DAY;

/** Longer than any retention law; far below where adding it to a Date stops being a valid instant. */
export const MAX_DURATION_MS = 1000 * YEAR;

const UNITS = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY, y: YEAR } as const;
type Unit = keyof typeof UNITS;

// Largest first, so formatDuration picks the largest unit that divides exactly.
const FORMAT_ORDER: readonly Unit[] = ['y', 'd', 'h', 'm', 's', 'ms'];

export type ParseDurationResult = { ok: true; ms: number } | { ok: false; reason: string };

const DURATION = /^(\d+)(ms|s|m|h|d|y)$/;

/** Parses `90m`, `24h`, `7d`, `5y`, `30s`, `0` or `0s` into milliseconds. */
export function parseDuration(text: string): ParseDurationResult {
  if (text === '0') return { ok: true, ms: 0 };
  const match = DURATION.exec(text);
  if (!match) return { ok: false, reason: whyNotADuration(text) };
  const [, count = '', unit = 's'] = match;
  const ms = Number(count) * UNITS[unit as Unit];
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) {
    return {
      ok: false,
      reason: `it is longer than the longest duration offboard accepts (${formatDuration(MAX_DURATION_MS)})`,
    };
  }
  return { ok: true, ms };
}

function whyNotADuration(text: string): string {
  if (/^\d+(mo|months?|M)$/.test(text)) return 'months vary in length; write days, e.g. 30d';
  if (/^\d+w$/.test(text)) return 'write weeks as days, e.g. 14d';
  if (/^\d+\.\d+[a-z]+$/.test(text))
    return 'use a whole number of a smaller unit, e.g. 90m rather than 1.5h';
  if (/^\d+$/.test(text)) return 'add a unit: s, m, h, d or y';
  return GENERIC_DURATION_REASON;
}

/** The reason for text that looks like no duration at all, as opposed to a near miss. */
export const GENERIC_DURATION_REASON =
  'write a whole number and a unit (s, m, h, d or y), e.g. 30s, 90m, 24h, 7d, 5y';

/** The shortest exact spelling: 86_400_000 → "1d", 5_400_000 → "90m", 0 → "0". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  for (const unit of FORMAT_ORDER) {
    const size = UNITS[unit];
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  // Only a fractional millisecond gets here; durations are whole milliseconds.
  return `${ms}ms`;
}

/*
 * ISO 8601 instants as people type them: a calendar date (midnight UTC), or a date and a
 * time with `Z` or an offset. JavaScript's Date rolls impossible fields over
 * (`2026-02-30` becomes 2 March, `T24:00` the next day) and reads a time without an offset
 * in the host's zone; this parser refuses all of those and says why, so a period asked for
 * is the period exported, on every server.
 */

export type ParsedInstant = { ok: true; epochMs: number } | { ok: false; reason: string };

const FORM =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const fail = (reason: string): ParsedInstant => ({ ok: false, reason });

export function parseIsoInstant(text: string): ParsedInstant {
  const match = FORM.exec(text);
  if (!match) return fail('it is not an ISO 8601 date or instant');
  const [, y, mo, d, h, mi, s = '00', frac = '', zone] = match as unknown as string[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return fail(`there is no month ${mo}`);
  if (day < 1 || day > daysIn(year, month))
    return fail(`${MONTHS[month - 1]} ${y} has ${daysIn(year, month)} days, not ${d}`);
  if (h === undefined) return { ok: true, epochMs: Date.parse(`${y}-${mo}-${d}T00:00:00.000Z`) };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return fail(`${h}:${mi}:${s} is not a time of day (00:00:00 to 23:59:59)`);
  if (zone === undefined) return fail('a time needs an offset: add Z for UTC, or e.g. +01:00');
  let offset = 'Z';
  if (zone !== 'Z') {
    const [oh, om] = [zone.slice(1, 3), zone.slice(-2)];
    if (Number(oh) > 23 || Number(om) > 59) return fail(`${zone} is not a UTC offset`);
    offset = `${zone[0]}${oh}:${om}`;
  }
  const millis = frac.padEnd(3, '0');
  return {
    ok: true,
    epochMs: Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}${offset}`),
  };
}

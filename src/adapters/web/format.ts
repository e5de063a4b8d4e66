import type { Lang } from '../../domain/messages.js';

/*
 * Amounts, instants and durations in the reader's language, through Intl. Amounts arrive
 * as exact decimal strings (domain/money.ts made them): Intl.NumberFormat formats a string
 * as the exact decimal it spells, so no amount ever passes through a float.
 */

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** "1234.5" → "1,234.5" (en), "1,234.5" (zh-CN); every digit kept. Anything else is shown as is. */
export function formatDecimal(amount: string, lang: Lang): string {
  if (!DECIMAL.test(amount)) return amount;
  const decimals = amount.split('.')[1]?.length ?? 0;
  return new Intl.NumberFormat(lang, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: Math.max(decimals, 0),
  }).format(amount as `${number}`);
}

/** An amount with its asset: "1,234.50 USD" / "1,234.50 USD". */
export function formatAmount(amount: string, asset: string, lang: Lang): string {
  return `${formatDecimal(amount, lang)} ${asset}`;
}

/** An instant as a reader says it, in UTC (the page does not know the reader's zone). */
export function formatInstant(at: Date | string, lang: Lang): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  return new Intl.DateTimeFormat(lang, {
    dateStyle: 'long',
    timeStyle: 'long',
    timeZone: 'UTC',
  }).format(date);
}

const UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

/**
 * A length of time, at most two adjacent units, rounded up so a wait never reads shorter
 * than it is: "2 days, 5 hours", "2天5小时", "45 seconds".
 */
export function formatDuration(ms: number, lang: Lang): string {
  let rest = Math.max(0, Math.ceil(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) {
      if (count > 0)
        parts.push(
          new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }).format(count),
        );
      else parts.push('');
    }
    if (parts.length === 2) break;
  }
  const shown = parts.filter(Boolean);
  if (shown.length === 0)
    return new Intl.NumberFormat(lang, {
      style: 'unit',
      unit: 'second',
      unitDisplay: 'long',
    }).format(0);
  return new Intl.ListFormat(lang, { style: 'narrow', type: 'unit' }).format(shown);
}

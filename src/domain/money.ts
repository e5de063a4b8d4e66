/**
 * Money is bigint minor units with its asset's decimals beside it. Parsing and formatting
 * live here and nowhere else; a float never touches an amount.
 */

export type ParseAmountResult = { ok: true; value: bigint } | { ok: false; reason: string };

// Digits on both sides of the point: "1." and ".5" are refused, because an amount a human
// typed that way is as likely a typo as a number, and refusing costs them one keystroke.
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Asset decimals offboard can represent: 0 up to 77 (a NUMERIC(78,0) column holds 78 digits). */
export function isValidDecimals(decimals: number): boolean {
  return Number.isInteger(decimals) && decimals >= 0 && decimals <= 77;
}

/**
 * The largest magnitude of minor units offboard stores: what PostgreSQL's NUMERIC(78,0)
 * holds (78 digits), enforced on SQLite too so both databases accept the same amounts.
 */
export const MAX_MINOR_UNITS = 10n ** 78n - 1n;

/** Whether `minor` (or a balance it would make) fits the storage of every database. */
export function fitsStorage(minor: bigint): boolean {
  return minor <= MAX_MINOR_UNITS && minor >= -MAX_MINOR_UNITS;
}

/**
 * Parses "10.25" exactly into minor units. More fractional digits than `decimals` is an
 * error, never a rounding. Accepts a leading "-"; refuses "+", exponents, spaces, "1." and
 * ".5".
 */
export function parseAmount(text: string, decimals: number): ParseAmountResult {
  if (!isValidDecimals(decimals))
    return { ok: false, reason: `${decimals} is not a number of decimals` };
  const match = DECIMAL.exec(text);
  if (!match) {
    return {
      ok: false,
      reason:
        'write a plain decimal such as 10.25 (no spaces, signs other than a leading -, or exponents)',
    };
  }
  const [, sign, whole = '', fraction = ''] = match;
  if (fraction.length > decimals) {
    return {
      ok: false,
      reason: `it has ${fraction.length} decimal places; the asset has ${decimals}`,
    };
  }
  const minor = BigInt(whole + fraction.padEnd(decimals, '0'));
  if (!fitsStorage(minor)) {
    return {
      ok: false,
      reason: 'it has more than 78 digits in minor units, more than any balance can hold',
    };
  }
  return { ok: true, value: sign ? -minor : minor };
}

/** Formats minor units with exactly `decimals` fractional digits: 1025n, 2 → "10.25". */
export function formatAmount(minor: bigint, decimals: number): string {
  // A bad decimals count is a bug in the caller, not an outcome a user can meet.
  if (!isValidDecimals(decimals)) throw new RangeError(`${decimals} is not a number of decimals`);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${fraction}` : ''}`;
}

/**
 * The value of an amount in the reference currency's minor units, truncated toward zero
 * (bigint division truncates). `priceScale` lets a price carry digits below the reference
 * currency's minor unit: the price is `priceMinorPerUnit / 10^priceScale` minor units per
 * whole unit, so a token worth 0.000012 USD is priced exactly (12n, scale 4).
 */
export function valueInReference(
  amountMinor: bigint,
  decimals: number,
  priceMinorPerUnit: bigint,
  priceScale = 0,
): bigint {
  return (amountMinor * priceMinorPerUnit) / 10n ** BigInt(decimals + priceScale);
}

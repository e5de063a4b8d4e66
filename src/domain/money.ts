/**
 * Money is bigint minor units with its asset's decimals beside it. Parsing and formatting
 * live here and nowhere else; a float never touches an amount.
 */

export type ParseAmountResult = { ok: true; value: bigint } | { ok: false; reason: string };

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses "10.25" exactly; more fractional digits than `decimals` is an error, never a rounding. */
export function parseAmount(text: string, decimals: number): ParseAmountResult {
  const match = DECIMAL.exec(text);
  if (!match) return { ok: false, reason: 'write a plain decimal such as 10.25 (no spaces, signs other than a leading -, or exponents)' };
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > decimals) {
    return { ok: false, reason: `it has ${fraction.length} decimal places; the asset has ${decimals}` };
  }
  const minor = BigInt(whole! + fraction.padEnd(decimals, '0'));
  return { ok: true, value: sign ? -minor : minor };
}

/** Formats minor units with exactly `decimals` fractional digits: 1025n, 2 → "10.25". */
export function formatAmount(minor: bigint, decimals: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${fraction}` : ''}`;
}

/** The value of an amount in the reference currency's minor units, truncated toward zero. */
export function valueInReference(amountMinor: bigint, decimals: number, priceMinorPerUnit: bigint): bigint {
  return (amountMinor * priceMinorPerUnit) / 10n ** BigInt(decimals);
}

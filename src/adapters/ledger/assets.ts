import type { AssetInfo } from './ledger.js';

/**
 * The sandbox's assets. Prices are reference-currency (USD) minor units per one whole unit,
 * synthetic and fixed so verdicts are reproducible. ETH has 18 decimals on purpose: its
 * amounts do not fit 64 bits.
 */
export const SANDBOX_ASSETS: readonly AssetInfo[] = [
  { code: 'USD', decimals: 2, priceMinor: 100n, allowNegative: true },
  { code: 'EUR', decimals: 2, priceMinor: 108n, allowNegative: true },
  { code: 'GBP', decimals: 2, priceMinor: 127n, allowNegative: true },
  { code: 'BTC', decimals: 8, priceMinor: 6_000_000n, allowNegative: false },
  { code: 'ETH', decimals: 18, priceMinor: 300_000n, allowNegative: false },
  { code: 'USDC', decimals: 6, priceMinor: 100n, allowNegative: false },
];

import { describe, expect, it } from 'vitest';
import { ISO_3166_ALPHA2, isJurisdiction } from './jurisdictions.js';

describe('jurisdictions', () => {
  it('knows the 249 assigned ISO 3166-1 alpha-2 codes, uppercase', () => {
    expect(ISO_3166_ALPHA2.size).toBe(249);
    for (const code of ['DE', 'GB', 'US', 'CN', 'SG', 'CH'])
      expect(isJurisdiction(code)).toBe(true);
  });

  it('refuses lowercase, unassigned and reserved codes', () => {
    for (const code of ['de', 'UK', 'XX', 'ZZ', 'EU', 'D', 'DEU', ''])
      expect(isJurisdiction(code)).toBe(false);
  });
});

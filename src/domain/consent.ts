import type { ClosureConsent } from './closure.js';
import type { BlockerCode } from './eligibility.js';

/**
 * The one table of the automatic actions a holder may consent to: the name people use
 * (`sweep-dust`, in messages and on the command line), the `ClosureConsent` field (the
 * HTTP body and storage), and the blocker the consent clears. Everything that spells a
 * consent reads it from here.
 */
export const CONSENTS = [
  { name: 'sweep-dust', field: 'sweepDust', blocker: 'dust_remaining' },
  { name: 'cancel-orders', field: 'cancelOrders', blocker: 'open_orders' },
  { name: 'revoke-apps', field: 'revokeApps', blocker: 'linked_authorization' },
] as const satisfies readonly { name: string; field: keyof ClosureConsent; blocker: BlockerCode }[];

export type ConsentName = (typeof CONSENTS)[number]['name'];

export const CONSENT_NAMES: readonly ConsentName[] = CONSENTS.map((c) => c.name);

/** No consent given: the default of every request. */
export const NO_CONSENT: ClosureConsent = {
  sweepDust: false,
  cancelOrders: false,
  revokeApps: false,
};

export function consentByName(name: string): (typeof CONSENTS)[number] | undefined {
  return CONSENTS.find((c) => c.name === name);
}

/** The consents the automatic blockers need and `consent` does not give, in the blockers' order. */
export function missingConsents(
  blockers: readonly { code: string; severity: string }[],
  consent: ClosureConsent,
): ConsentName[] {
  const missing = new Set<ConsentName>();
  for (const b of blockers) {
    if (b.severity !== 'automatic') continue;
    const needed = CONSENTS.find((c) => c.blocker === b.code);
    if (needed && !consent[needed.field]) missing.add(needed.name);
  }
  return [...missing];
}

import { consentByName } from '../../domain/consent.js';
import type { ErrorHints } from '../../domain/errors.js';

/**
 * What the HTTP service adds to an error's message: the field to send or the route to
 * read. Command lines are the CLI's (`src/adapters/cli/error-hints.ts`); none appear here.
 */
export const HTTP_HINTS: ErrorHints = {
  OFFBOARD_ERR_CONSENT_REQUIRED: (p) => {
    const fields = (p.consents ?? [])
      .map((name) => consentByName(name)?.field)
      .filter((f) => f !== undefined);
    if (fields.length === 0) return undefined;
    return `send ${fields.map((f) => `"consent": {"${f}": true}`).join(' and ')} (only what the holder agreed to)`;
  },
  OFFBOARD_ERR_CLOSURE_IN_PROGRESS: (p) =>
    p.accountId === undefined ? undefined : 'GET its closure to see it',
  OFFBOARD_ERR_CLOSURE_REFUSED: (p) =>
    p.reason === 'changed_meanwhile' ? 'GET its closure to see where it is' : undefined,
  OFFBOARD_ERR_BAD_CODE: () => 'use the latest one sent to the holder',
  OFFBOARD_ERR_REVERIFICATION_REQUIRED: () =>
    'send "reverified": true once the platform has done so',
};

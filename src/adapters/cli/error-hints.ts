import type { ErrorHints } from '../../domain/errors.js';

/**
 * What the CLI adds to an error's message: the command to run or the option to pass next.
 * Only the CLI may say it; the same error over HTTP has no command line
 * (`src/adapters/http/error-hints.ts` says what to send instead).
 */
export const CLI_HINTS: ErrorHints = {
  OFFBOARD_ERR_UNKNOWN_ACCOUNT: () => 'list the accounts with `offboard accounts list`',
  OFFBOARD_ERR_PLATFORM_UNAVAILABLE: () =>
    'check that the platform --platform or OFFBOARD_PLATFORM_URL names runs and answers; `offboard work` retries closures by itself',
  OFFBOARD_ERR_NOT_FOUND: (p) =>
    p.record === 'api_key' ? '`offboard keys list` shows them' : undefined,
  OFFBOARD_ERR_CONSENT_REQUIRED: (p) =>
    p.consents ? `pass --consent ${p.consents.join(',')}` : undefined,
  OFFBOARD_ERR_CLOSURE_IN_PROGRESS: (p) =>
    p.accountId === undefined ? undefined : `see \`offboard status ${p.accountId}\``,
  OFFBOARD_ERR_CLOSURE_REFUSED: (p) =>
    p.reason === 'changed_meanwhile' && p.accountId !== undefined
      ? `check \`offboard status ${p.accountId}\``
      : undefined,
  OFFBOARD_ERR_BAD_CODE: (p) =>
    p.accountId === undefined
      ? undefined
      : `read the latest one with \`offboard mail --account ${p.accountId}\``,
  OFFBOARD_ERR_REVERIFICATION_REQUIRED: () => 'pass --reverified once the platform has done so',
  OFFBOARD_ERR_OUT_DIR_NOT_EMPTY: (p) =>
    p.dir === undefined
      ? undefined
      : 'name an empty folder, or pass --force to replace an earlier export',
  OFFBOARD_ERR_SIGNING_KEY: (p) =>
    p.missing === 'public_key'
      ? 'pass --public-key FILE (`offboard keys public` prints it)'
      : undefined,
};

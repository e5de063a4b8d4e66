import type { ErrorCode } from '../../domain/errors.js';

/**
 * The CLI's one table from error code to exit code. 0 is success and 1 a negative answer
 * (not eligible, a check that failed); documented in docs/errors.md.
 */
export const EXIT_CODES: Record<ErrorCode, number> = {
  OFFBOARD_ERR_USAGE: 2,
  OFFBOARD_ERR_BAD_DATABASE_URL: 2,
  OFFBOARD_ERR_INVALID_ARGUMENT: 2,
  OFFBOARD_ERR_INVALID_AMOUNT: 2,
  OFFBOARD_ERR_UNKNOWN_ACCOUNT: 2,
  OFFBOARD_ERR_UNKNOWN_ASSET: 2,
  OFFBOARD_ERR_INVALID_POLICY: 2,
  OFFBOARD_ERR_NOT_FOUND: 2,
  OFFBOARD_ERR_DUPLICATE: 2,
  OFFBOARD_ERR_DATABASE_UNREACHABLE: 3,
  OFFBOARD_ERR_INSUFFICIENT_FUNDS: 4,
  OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE: 4,
  OFFBOARD_ERR_INVALID_STATE: 4,
  OFFBOARD_ERR_INTERNAL: 70,
};

export const EXIT_OK = 0;
export const EXIT_NEGATIVE = 1;

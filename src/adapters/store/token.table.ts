import type { EpochMs } from './ledger.table.js';

/**
 * The instant before which an account's holder tokens are dead: raised each time the
 * account is disabled, never lowered, so enabling the account does not revive them.
 */
export interface HolderTokenCutoffTable {
  account_id: string;
  not_before: EpochMs;
}

export interface TokenTables {
  holder_token_cutoffs: HolderTokenCutoffTable;
}

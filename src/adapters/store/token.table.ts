import type { EpochMs } from './ledger.table.js';

/**
 * The instant before which an account's holder tokens are dead: raised each time the
 * account is disabled, never lowered, so enabling the account does not revive them.
 */
export interface HolderTokenCutoffTable {
  account_id: string;
  not_before: EpochMs;
}

/** The sandbox's one-time sign-in links to the holder's page, by token hash. */
export interface SignInLinkTable {
  token_hash: string;
  account_id: string;
  created_at: EpochMs;
  expires_at: EpochMs;
  used_at: EpochMs | null;
}

export interface TokenTables {
  holder_token_cutoffs: HolderTokenCutoffTable;
  sign_in_links: SignInLinkTable;
}

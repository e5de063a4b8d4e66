import type { EpochMs } from './ledger.table.js';

/** The sandbox's one-time sign-in links to the agent console, by token hash. */
export interface AgentSignInLinkTable {
  token_hash: string;
  agent_id: string;
  /** Comma-separated roles, as the agent token's `roles` claim would carry them. */
  roles: string;
  created_at: EpochMs;
  expires_at: EpochMs;
  used_at: EpochMs | null;
}

export interface ConsoleTables {
  agent_sign_in_links: AgentSignInLinkTable;
}

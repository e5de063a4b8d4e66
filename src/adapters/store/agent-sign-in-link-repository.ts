import type {
  AgentSignInGrant,
  AgentSignInLinkRepository,
} from '../../ports/agent-sign-in-links.js';
import type { Db } from './database.js';

/** All SQL of the agent console's one-time sign-in links. */
export class KyselyAgentSignInLinkRepository implements AgentSignInLinkRepository {
  constructor(private readonly db: Db) {}

  async insert(
    link: AgentSignInGrant & { tokenHash: string; createdAt: Date; expiresAt: Date },
  ): Promise<void> {
    await this.db
      .insertInto('agent_sign_in_links')
      .values({
        token_hash: link.tokenHash,
        agent_id: link.agentId,
        roles: link.roles.join(','),
        created_at: link.createdAt.getTime(),
        expires_at: link.expiresAt.getTime(),
        used_at: null,
      })
      .execute();
  }

  async redeem(tokenHash: string, now: Date): Promise<AgentSignInGrant | null> {
    // One conditional UPDATE: of two redemptions racing, only one sees its row change.
    const row = await this.db
      .updateTable('agent_sign_in_links')
      .set({ used_at: now.getTime() })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.getTime())
      .returning(['agent_id', 'roles'])
      .executeTakeFirst();
    if (!row) return null;
    return { agentId: row.agent_id, roles: row.roles.split(',').filter(Boolean) };
  }
}

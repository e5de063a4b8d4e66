import { createHash, randomBytes } from 'node:crypto';
import type { AgentSignInGrant } from '../ports/agent-sign-in-links.js';
import type { AppContext } from './context.js';

/*
 * The sandbox's one-time sign-in links to the agent console. `offboard demo` makes one per
 * demo agent; the console exchanges it once for an agent session. Only the hash of a
 * link's token is stored, so reading the database does not sign anyone in. In production
 * agents sign in with their identity provider's token instead (the console verifies it
 * like the API does).
 */

export type { AgentSignInGrant } from '../ports/agent-sign-in-links.js';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new one-time link token for `agentId` with `roles`, valid for `ttlMs`. */
export async function createAgentSignInLink(
  ctx: AppContext,
  input: AgentSignInGrant & { ttlMs: number },
): Promise<{ token: string; expiresAt: Date }> {
  const now = ctx.clock.now();
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + input.ttlMs);
  await ctx.repos.agentSignInLinks.insert({
    tokenHash: hashOf(token),
    agentId: input.agentId,
    roles: input.roles,
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt };
}

function signInEntry(agentId: string, method: 'link' | 'token', now: Date) {
  // The system chain: a sign-in concerns no account.
  return {
    at: now.getTime(),
    actorKind: 'agent' as const,
    actorId: agentId,
    action: 'agent.sign_in',
    accountId: null,
    data: JSON.stringify({ method }),
  };
}

/**
 * The link's agent, once: null for a token that is unknown, used or expired. Spending the
 * link and its audit entry commit together.
 */
export async function redeemAgentSignInLink(
  ctx: AppContext,
  token: string,
): Promise<AgentSignInGrant | null> {
  if (token.length === 0 || token.length > 200) return null;
  const now = ctx.clock.now();
  return ctx.unitOfWork.run(async (repos) => {
    const grant = await repos.agentSignInLinks.redeem(hashOf(token), now);
    if (grant) await repos.audit.append(signInEntry(grant.agentId, 'link', now));
    return grant;
  });
}

/** Records an agent's sign-in with their identity provider's token (the token itself is checked by the caller). */
export async function recordAgentTokenSignIn(ctx: AppContext, agentId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.unitOfWork.run((repos) => repos.audit.append(signInEntry(agentId, 'token', now)));
}

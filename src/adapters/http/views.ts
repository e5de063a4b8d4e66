import type { Approval } from '../../app/agent-decisions.js';
import type { ApiKeyInfo } from '../../app/api-keys.js';
import type { AuditEntry } from '../../domain/audit-chain.js';
import type { Closure } from '../../domain/closure.js';
import type { AccountFacts } from '../../domain/facts.js';

/** Domain values as JSON: instants as ISO 8601 strings, money as decimal-integer strings. */

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export type Audience = 'holder' | 'agent' | 'platform';

/** The holder never sees `reason`: it can name an investigation. */
export function closureView(closure: Closure, audience: Audience) {
  return {
    id: closure.id,
    accountId: closure.accountId,
    state: closure.state,
    requestedAt: closure.requestedAt.toISOString(),
    confirmedAt: iso(closure.confirmedAt),
    confirmationExpiresAt: closure.confirmationExpiresAt.toISOString(),
    dueAt: iso(closure.dueAt),
    graceEndsAt: iso(closure.graceEndsAt),
    earliestEligibleAt: iso(closure.earliestEligibleAt),
    endedAt: iso(closure.endedAt),
    consent: closure.consent,
    version: closure.version,
    ...(audience === 'holder' ? {} : { reason: closure.reason }),
  };
}

export function factsView(f: AccountFacts) {
  return {
    accountId: f.accountId,
    status: f.status,
    jurisdiction: f.jurisdiction,
    openedAt: f.openedAt.toISOString(),
    balances: f.balances.map((b) => ({
      asset: b.asset,
      decimals: b.decimals,
      available: b.available.toString(),
      locked: b.locked.toString(),
      allowNegative: b.allowNegative,
      priceMinorPerUnit: b.priceMinorPerUnit === null ? null : b.priceMinorPerUnit.toString(),
    })),
    openOrders: f.openOrders.map((o) => ({
      id: o.id,
      asset: o.asset,
      side: o.side,
      locked: o.locked.toString(),
      decimals: o.decimals,
      createdAt: o.createdAt.toISOString(),
    })),
    pendingTransfers: f.pendingTransfers.map((t) => ({
      id: t.id,
      direction: t.direction,
      asset: t.asset,
      amount: t.amount.toString(),
      decimals: t.decimals,
      createdAt: t.createdAt.toISOString(),
      cancellable: t.cancellable,
    })),
    disputes: f.disputes.map((d) => ({
      id: d.id,
      kind: d.kind,
      asset: d.asset,
      amount: d.amount.toString(),
      decimals: d.decimals,
      openedAt: d.openedAt.toISOString(),
    })),
    authorizations: f.authorizations.map((a) => ({
      id: a.id,
      kind: a.kind,
      name: a.name,
      grantedAt: a.grantedAt.toISOString(),
    })),
    credentials: f.credentials.map((c) => ({
      id: c.id,
      kind: c.kind,
      label: c.label,
      createdAt: c.createdAt.toISOString(),
    })),
    holds: f.holds.map((h) => ({
      id: h.id,
      kind: h.kind,
      reason: h.reason,
      placedAt: h.placedAt.toISOString(),
    })),
    lastActivity: {
      trade: iso(f.lastActivity.trade),
      withdrawal: iso(f.lastActivity.withdrawal),
      deposit: iso(f.lastActivity.deposit),
      securityChange: iso(f.lastActivity.securityChange),
    },
    closure: f.closure,
  };
}

export function auditView(e: AuditEntry) {
  let data: unknown;
  try {
    data = JSON.parse(e.data) as unknown;
  } catch {
    data = e.data;
  }
  return {
    seq: e.seq,
    chain: e.chain,
    chainSeq: e.chainSeq,
    at: new Date(e.at).toISOString(),
    actorKind: e.actorKind,
    actorId: e.actorId,
    action: e.action,
    accountId: e.accountId,
    data,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export function approvalView(a: Approval) {
  return { ...a, requestedAt: a.requestedAt.toISOString(), decidedAt: iso(a.decidedAt) };
}

export function apiKeyView(k: ApiKeyInfo) {
  return {
    id: k.id,
    name: k.name,
    scopes: k.scopes,
    createdAt: k.createdAt.toISOString(),
    revokedAt: iso(k.revokedAt),
  };
}

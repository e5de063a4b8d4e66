import { BLOCKER_CODES, evaluate } from '../domain/eligibility.js';
import type { BlockerCode } from '../domain/eligibility.js';
import type { AppContext } from './context.js';
import type { EligibilityRules } from './check-eligibility.js';

export interface ScanSummary {
  accounts: number;
  eligible: number;
  /** How many accounts carry each blocker code (an account counts once per code). */
  blockers: Record<BlockerCode, number>;
}

/**
 * Evaluates every account in batches: one batch of facts in memory at a time, so memory
 * stays flat however many accounts there are.
 */
export async function scanAccounts(
  ctx: AppContext,
  rules: EligibilityRules,
  options: {
    now: Date;
    jurisdiction?: string;
    batchSize?: number;
    onProgress?: (done: number) => void;
  },
): Promise<ScanSummary> {
  const batchSize = options.batchSize ?? 1000;
  const summary: ScanSummary = {
    accounts: 0,
    eligible: 0,
    blockers: Object.fromEntries(BLOCKER_CODES.map((c) => [c, 0])) as Record<BlockerCode, number>,
  };
  let after: string | undefined;
  for (;;) {
    const ids = await ctx.platform.listAccounts({
      after,
      limit: batchSize,
      jurisdiction: options.jurisdiction,
    });
    if (ids.length === 0) break;
    const [facts, closures] = await Promise.all([
      ctx.platform.factsBatch(ids),
      ctx.repos.closures.openFor(ids),
    ]);
    for (const id of ids) {
      const f = facts.get(id);
      if (!f) continue;
      f.closure = closures.get(id) ?? null;
      const verdict = evaluate(f, rules(f.jurisdiction).policy, options.now);
      summary.accounts += 1;
      if (verdict.eligible) summary.eligible += 1;
      const seen = new Set<BlockerCode>();
      for (const b of verdict.blockers) seen.add(b.code);
      for (const code of seen) summary.blockers[code] += 1;
    }
    options.onProgress?.(summary.accounts);
    after = ids[ids.length - 1];
    if (ids.length < batchSize) break;
  }
  return summary;
}

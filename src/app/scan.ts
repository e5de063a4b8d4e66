import { BLOCKER_CODES, blockerCodeSet } from '../domain/eligibility.js';
import type { BlockerCode } from '../domain/eligibility.js';
import type { EligibilityFacts } from '../domain/facts.js';
import type { PlatformPort } from '../ports/platform.js';
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
 * stays flat however many accounts there are. Only counts are wanted, so each account's
 * blocker codes are found without building its verdict (blockerCodeSet), from the facts
 * eligibility decides on.
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
  let accounts = 0;
  let eligible = 0;
  // Per code, in BLOCKER_CODES order: bit i of a code set counts at index i.
  const counts = BLOCKER_CODES.map(() => 0);
  let after: string | undefined;
  for (;;) {
    const ids = await ctx.platform.listAccounts({
      after,
      limit: batchSize,
      jurisdiction: options.jurisdiction,
    });
    if (ids.length === 0) break;
    const [facts, closures] = await Promise.all([
      readEligibilityFacts(ctx.platform, ids),
      ctx.repos.closures.openFor(ids),
    ]);
    for (const id of ids) {
      const f = facts.get(id);
      if (!f) continue;
      f.closure = closures.get(id) ?? null;
      // Only counts are wanted: the codes alone, no blocker or message is built.
      const codes = blockerCodeSet(f, rules(f.jurisdiction).policy, options.now);
      accounts += 1;
      if (codes === 0) eligible += 1;
      for (let i = 0; i < counts.length; i++) if ((codes & (1 << i)) !== 0) counts[i]! += 1;
    }
    options.onProgress?.(accounts);
    after = ids[ids.length - 1];
    if (ids.length < batchSize) break;
  }
  const blockers = Object.fromEntries(BLOCKER_CODES.map((code, i) => [code, counts[i]!]));
  return { accounts, eligible, blockers: blockers as Record<BlockerCode, number> };
}

/** What eligibility needs of the platform: its lean read when it has one, else the full facts. */
function readEligibilityFacts(
  platform: PlatformPort,
  ids: readonly string[],
): Promise<Map<string, EligibilityFacts>> {
  return platform.eligibilityFactsBatch
    ? platform.eligibilityFactsBatch(ids)
    : platform.factsBatch(ids);
}

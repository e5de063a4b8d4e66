import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKER_CODES } from '../../src/domain/eligibility.js';
import { cli } from '../support/cli.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

interface VerdictJson {
  eligible: boolean;
  earliestEligibleAt: string | null;
  blockers: {
    code: string;
    severity: string;
    message: string;
    fix: string;
    params: Record<string, string>;
    detail?: string;
  }[];
}

// Each scenario account gives exactly its blocker, through the CLI, on both databases.
const EXPECTED: Record<string, string[]> = {
  'demo-clean': [],
  'demo-whale': [],
  'demo-dust': ['dust_remaining'],
  'demo-balance': ['balance_remaining'],
  'demo-negative': ['negative_balance'],
  'demo-open-order': ['open_orders'],
  'demo-pending-withdrawal': ['pending_withdrawal'],
  'demo-pending-deposit': ['pending_deposit'],
  'demo-dispute': ['open_dispute'],
  'demo-linked-app': ['linked_authorization'],
  'demo-cooling-off': ['cooling_off'],
  'demo-hold-legal': ['account_hold'],
  'demo-hold-compliance': ['account_hold'],
};

describe.each(DIALECTS)('eligibility of the scenario accounts through the CLI [%s]', (dialect) => {
  let db: TestDatabase;
  const run = (...args: string[]) => cli([...args, '--db', db.url]);

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    expect((await run('seed', '--scenarios', '--whale-transactions', '300')).code).toBe(0);
  });
  afterAll(async () => db.dispose());

  it.each(Object.entries(EXPECTED))('%s gives exactly its blockers', async (account, codes) => {
    const out = await run('check', account, '--json');
    const verdict = out.json<VerdictJson>();
    expect([...new Set(verdict.blockers.map((b) => b.code))]).toEqual(codes);
    expect(verdict.eligible).toBe(codes.length === 0);
    expect(out.code).toBe(codes.length === 0 ? 0 : 1);
  });

  it('demo-everything gives every blocker code but closure_in_progress and account_closed', async () => {
    const verdict = (await run('check', 'demo-everything', '--json')).json<VerdictJson>();
    const expected = BLOCKER_CODES.filter(
      (c) => c !== 'closure_in_progress' && c !== 'account_closed',
    );
    expect(new Set(verdict.blockers.map((b) => b.code))).toEqual(new Set(expected));
  });

  it('prints Chinese messages with --lang zh-CN, one line per blocker with its fix', async () => {
    const out = await run('check', 'demo-everything', '--lang', 'zh-CN');
    expect(out.code).toBe(1);
    const lines = out.stdout
      .trim()
      .split('\n')
      .filter((l) => l.trim().startsWith('- ['));
    expect(lines).toHaveLength(13);
    for (const line of lines) expect(line).toMatch(/[\u4e00-\u9fff]/);
    expect(out.stdout).toContain('处理');
  });

  it("never tells the holder a compliance hold's kind or reason; agents see both", async () => {
    // The account id itself names the scenario; everything else must not.
    const shown = (text: string) => text.replaceAll('demo-hold-compliance', 'ACCOUNT');
    const holder = await run('check', 'demo-hold-compliance', '--json');
    expect(shown(holder.stdout)).not.toMatch(/compliance|SAR-7781|suspicious/i);
    const holderZh = await run('check', 'demo-hold-compliance', '--lang', 'zh-CN', '--json');
    expect(shown(holderZh.stdout)).not.toMatch(/compliance|SAR-7781|合规|可疑/i);
    const human = await run('check', 'demo-hold-compliance');
    expect(shown(human.stdout)).not.toMatch(/compliance|SAR-7781|suspicious/i);
    const agent = await run('check', 'demo-hold-compliance', '--audience', 'agent', '--json');
    expect(agent.stdout).toContain('SAR-7781');
    expect(agent.stdout).toMatch(/compliance/);
  });

  it("keeps in the holder's JSON the parameters they act on; only hold details go", async () => {
    const verdict = (await run('check', 'demo-everything', '--json')).json<VerdictJson>();
    const balance = verdict.blockers.find((b) => b.code === 'balance_remaining');
    expect(balance?.params).toMatchObject({
      asset: expect.any(String),
      amount: expect.stringMatching(/^\d+\.\d+$/),
    });
    const order = verdict.blockers.find((b) => b.code === 'open_orders');
    expect(order?.params['orderId']).toEqual(expect.any(String));
    for (const hold of verdict.blockers.filter((b) => b.code === 'account_hold'))
      expect(Object.keys(hold.params).filter((k) => k !== 'holdKind')).toEqual([]);
    expect(verdict.blockers.every((b) => b.detail === undefined)).toBe(true);
  });

  it('is eligible at earliestEligibleAt when only a wait remained', async () => {
    const verdict = (await run('check', 'demo-cooling-off', '--json')).json<VerdictJson>();
    expect(verdict.earliestEligibleAt).not.toBeNull();
    const later = await run(
      'check',
      'demo-cooling-off',
      '--at',
      verdict.earliestEligibleAt!,
      '--json',
    );
    expect(later.code).toBe(0);
    expect(later.json<VerdictJson>().eligible).toBe(true);
  });

  it('exits 2 for an unknown account or a bad option value', async () => {
    const unknown = await run('check', 'nobody');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('OFFBOARD_ERR_UNKNOWN_ACCOUNT');
    expect((await run('check', 'demo-clean', '--lang', 'fr')).code).toBe(2);
    expect((await run('check', 'demo-clean', '--at', 'yesterday')).code).toBe(2);
    expect((await run('scan', '--jurisdiction', 'germany')).code).toBe(2);
  });

  it('scans every account and counts each blocker code', async () => {
    const out = await run('scan', '--json');
    expect(out.code).toBe(0);
    const summary = out.json<{
      accounts: number;
      eligible: number;
      blockers: Record<string, number>;
    }>();
    expect(summary.accounts).toBe(14);
    expect(summary.eligible).toBe(2);
    expect(summary.blockers['account_hold']).toBe(3);
    expect(summary.blockers['dust_remaining']).toBe(2);
    const de = (await run('scan', '--jurisdiction', 'GB', '--json')).json<{ accounts: number }>();
    expect(de.accounts).toBe(2);
  });
});

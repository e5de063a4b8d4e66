import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffboard } from '../src/index.js';
import type { Offboard } from '../src/index.js';
import { cli } from './support/cli.js';
import { createTestDatabase, DIALECTS } from './support/databases.js';
import type { TestDatabase } from './support/databases.js';

describe.each(DIALECTS)('the library [%s]', (dialect) => {
  let db: TestDatabase;
  let offboard: Offboard;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await cli(['seed', '--scenarios', '--whale-transactions', '20', '--db', db.url]);
    offboard = await createOffboard({
      db: db.url,
      policy: new URL('../examples/policy.yaml', import.meta.url).pathname,
      env: {},
    });
  });
  afterAll(async () => {
    await offboard.close();
    await db.dispose();
  });

  it('checks eligibility in the requested language', async () => {
    expect((await offboard.checkEligibility('demo-clean')).eligible).toBe(true);
    const verdict = await offboard.checkEligibility('demo-dust', { lang: 'zh-CN' });
    expect(verdict.blockers.map((b) => b.code)).toEqual(['dust_remaining']);
    expect(verdict.blockers[0]?.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('closes an account end to end', async () => {
    await offboard.requestClosure({
      accountId: 'demo-whale',
      consent: { sweepDust: true, cancelOrders: false, revokeApps: false },
      confirmed: true,
      gracePeriodMs: 0,
    });
    await offboard.work();
    expect((await offboard.closureStatus('demo-whale')).closure?.state).toBe('closed');
  });

  it("refuses a closure without consent with the consents as data, in no interface's words", async () => {
    const refused = offboard.requestClosure({
      accountId: 'demo-dust',
      consent: { sweepDust: false, cancelOrders: false, revokeApps: false },
      confirmed: true,
    });
    await expect(refused).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_CONSENT_REQUIRED',
      params: { accountId: 'demo-dust', consents: ['sweep-dust'] },
      message: "closing needs the holder's consent to: sweep-dust",
    });
  });

  it('rejects an invalid policy file with every error', async () => {
    await expect(
      createOffboard({ db: db.url, policy: '/nonexistent/policy.yaml', env: {} }),
    ).rejects.toMatchObject({ code: 'OFFBOARD_ERR_INVALID_POLICY' });
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/adapters/statements/signing-key.js';
import { createOffboard } from '../src/index.js';
import type { Offboard } from '../src/index.js';
import { FixedClock } from '../src/ports/clock.js';
import { createTestDatabase, DIALECTS } from './support/databases.js';
import type { TestDatabase } from './support/databases.js';
import { MemoryPlatform } from './support/memory-platform.js';

// offboard driving a platform it does not own: the in-memory MemoryPlatform, not the builtin
// ledger. offboard's own database (real SQLite and PostgreSQL) holds only offboard's state,
// no accounts: if any path still read the ledger's tables instead of the port, it would find
// nothing and fail here.
describe.each(DIALECTS)('the library over a platform of its own [%s]', (dialect) => {
  let db: TestDatabase;
  let offboard: Offboard;
  let platform: MemoryPlatform;
  let work: string;
  const clock = new FixedClock(new Date('2026-03-01T09:00:00.000Z'));

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    work = mkdtempSync(join(tmpdir(), 'offboard-memory-platform-'));
    const keyFile = join(work, 'signing.pem');
    await generateSigningKey(keyFile);
    platform = new MemoryPlatform(clock);
    platform.defineAsset('USD', { decimals: 2, priceMinorPerUnit: 100n, allowNegative: false });
    platform.defineAsset('ETH', {
      decimals: 18,
      priceMinorPerUnit: 300_000n,
      allowNegative: false,
    });
    for (const id of ['m-clean', 'm-dust', 'm-held', 'm-rich'])
      platform.openAccount({
        id,
        name: `Holder of ${id}`,
        email: `${id}@example.test`,
        jurisdiction: 'DE',
      });
    platform.deposit('m-dust', 'USD', 100_00n, 'salary');
    clock.advance(60_000);
    platform.deposit('m-dust', 'ETH', 123_456_789_012_345_678n, '=cmd|evil');
    platform.deposit('m-rich', 'USD', 1_000_00n);
    platform.addCredential('m-dust', { id: 'key-1', kind: 'api_key', label: 'trading bot' });
    await platform.placeHold('m-held', { id: 'h-1', kind: 'fraud', reason: 'SAR 4711' });
    offboard = await createOffboard({
      db: db.url,
      platform,
      clock,
      env: { OFFBOARD_SIGNING_KEY: keyFile },
    });
  });
  afterAll(async () => {
    await offboard.close();
    await db.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it("checks eligibility from the platform's facts, and keeps a fraud hold from the holder", async () => {
    expect((await offboard.checkEligibility('m-clean')).eligible).toBe(true);
    expect((await offboard.checkEligibility('m-rich')).blockers.map((b) => b.code)).toEqual([
      'balance_remaining',
    ]);
    const held = await offboard.checkEligibility('m-held');
    expect(held.blockers.map((b) => b.code)).toEqual(['account_hold']);
    expect(JSON.stringify(held)).not.toMatch(/fraud|SAR 4711/);
    const agents = await offboard.checkEligibility('m-held', { audience: 'agent' });
    expect(JSON.stringify(agents)).toContain('SAR 4711');
    await expect(offboard.checkEligibility('nobody')).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_UNKNOWN_ACCOUNT',
    });
  });

  it('closes an account on the platform: request, a worker pass, closed; each effect once', async () => {
    // 0.37 USD: dust, which the holder consents to have swept.
    platform.deposit('m-clean', 'USD', 37n);
    await offboard.requestClosure({
      accountId: 'm-clean',
      consent: { sweepDust: true, cancelOrders: false, revokeApps: false },
      confirmed: true,
      gracePeriodMs: 0,
    });
    await offboard.work();
    expect((await offboard.closureStatus('m-clean')).closure?.state).toBe('closed');
    expect(platform.status('m-clean')).toBe('closed');
    expect((await platform.facts('m-clean'))?.balances).toEqual([
      expect.objectContaining({ asset: 'USD', available: 0n }),
    ]);
    await offboard.work();
    expect(platform.effects.filter((e) => e.includes('m-clean'))).toEqual([
      'freeze m-clean',
      'sweep m-clean USD',
      'close m-clean',
      // Sessions, devices and preferences go at closure: no law keeps them.
      'erase m-clean security+preferences',
    ]);
    // Money that arrives after closure goes back to its sender.
    platform.deposit('m-clean', 'USD', 5_00n, 'late payer');
    expect((await platform.facts('m-clean'))?.balances[0]?.available).toBe(0n);
  });

  it('disables an account on the platform at once: logins blocked, keys revoked, balances kept', async () => {
    platform.addCredential('m-rich', { id: 'key-rich', kind: 'api_key', label: 'bot' });
    await offboard.disable('m-rich', 'lost_device');
    expect(platform.status('m-rich')).toBe('disabled');
    const facts = await platform.facts('m-rich');
    expect(facts?.credentials).toEqual([]);
    expect(facts?.balances[0]?.available).toBe(1_000_00n);
    expect(platform.effects).toContain('revoke credential key-rich');
  });

  it("exports statements by paging the platform's transactions, exact to 18 decimals", async () => {
    const out = join(work, 'export');
    const result = await offboard.exportStatements('m-dust', { out, formats: ['csv', 'jsonl'] });
    expect(result.manifest).toMatchObject({ account: 'm-dust', holder: 'Holder of m-dust' });
    const jsonl = readFileSync(join(out, 'statement.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(jsonl).toEqual([
      expect.objectContaining({ asset: 'USD', amount: '100.00', balance: '100.00' }),
      expect.objectContaining({
        asset: 'ETH',
        amount: '0.123456789012345678',
        counterparty: '=cmd|evil',
      }),
    ]);
    expect(readFileSync(join(out, 'statement.csv'), 'utf8')).toContain("'=cmd|evil");
    expect((await offboard.verifyExport(out)).ok).toBe(true);
    await expect(
      offboard.exportStatements('nobody', { out: join(work, 'x') }),
    ).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_UNKNOWN_ACCOUNT',
    });
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

/*
 * The erasure commands as a user meets them: a policy whose retention is a millisecond
 * (so `erasure run` finds the closed account due without moving any clock), a certificate
 * written out, verified, tampered with; KEK rotation; and a policy left without a period.
 */

describe.each(DIALECTS)('offboard erasure, kek and verify-certificate [%s]', (dialect) => {
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'offboard-erasure-cli-'));
  const policy = join(dir, 'policy.yaml');
  const env = {
    OFFBOARD_POLICY: policy,
    OFFBOARD_ERASURE_JOURNAL: join(dir, 'journal.jsonl'),
  };
  const run = (...args: string[]) => cli([...args, '--db', db.url], env);

  beforeAll(async () => {
    writeFileSync(
      policy,
      'retention:\n  DE: { identity: 1ms, transactions: 1ms, communications: 1ms }\n',
    );
    db = await createTestDatabase(dialect);
    expect((await run('seed', '--scenarios', '--whale-transactions', '10')).code).toBe(0);
    expect((await run('close', 'demo-clean', '--confirmed', '--grace', '0')).code).toBe(0);
    // The closure sealed its notices under demo-clean's data key.
    expect((await run('work', '--once')).code).toBe(0);
  });
  afterAll(async () => {
    await db?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('erases the due account and writes a certificate that verifies, and fails a tampered one', async () => {
    await run('erasure', 'run', '--json'); // the worker's pass may have erased it already
    const status = (await run('erasure', 'status', 'demo-clean', '--json')).json<{
      erasure: { state: string };
      certificates: { id: string }[];
    }>();
    expect(status.erasure.state).toBe('erased');
    const certificate = await run('erasure', 'certificate', status.certificates[0]!.id);
    expect(certificate.code).toBe(0);
    const file = join(dir, 'cert.json');
    writeFileSync(file, certificate.stdout);
    const valid = await run('verify-certificate', file, '--json');
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.json()).toMatchObject({ valid: true, accountId: 'demo-clean' });

    writeFileSync(file, certificate.stdout.replace('"demo-clean"', '"demo-dust"'));
    const tampered = await run('verify-certificate', file, '--json');
    expect(tampered.code).toBe(1);
    expect(tampered.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'OFFBOARD_ERR_INVALID_CERTIFICATE',
      message: expect.stringContaining('changed after it was signed'),
    });
    const missing = await run('verify-certificate', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/OFFBOARD_ERR_INVALID_CERTIFICATE.*cannot read it/);

    expect(readFileSync(env.OFFBOARD_ERASURE_JOURNAL, 'utf8')).toContain('"demo-clean"');
    expect((await run('audit', 'verify')).code).toBe(0);
    expect((await run('mail', '--account', 'demo-clean', '--json')).json()).toEqual({
      messages: [],
    });
  });

  it('re-wraps every data key with a new KEK, and the sealed notices still read', async () => {
    // demo-dust's notices are sealed under its data key, which the rotation re-wraps.
    expect((await run('disable', 'demo-dust', '--reason', 'lost phone')).code).toBe(0);
    const before = (await run('kek', 'status', '--json')).json<{
      current: string;
      byKek: Record<string, number>;
    }>();
    expect(before.byKek[before.current]).toBeGreaterThan(0);
    const rotated = await run('kek', 'rotate', '--json');
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = (await run('kek', 'status', '--json')).json<{
      current: string;
      byKek: Record<string, number>;
    }>();
    expect(after.current).not.toBe(before.current);
    expect(Object.keys(after.byKek)).toEqual([after.current]);
    const mail = (await run('mail', '--account', 'demo-dust', '--json')).json<{
      messages: { body: string }[];
    }>();
    expect(mail.messages.length).toBeGreaterThan(0);
    expect(mail.messages.every((m) => m.body !== '[erased]')).toBe(true);
  });

  it('refuses a KEK that is not 32 bytes, saying how to make one', async () => {
    const out = await cli(['erasure', 'status', '--db', db.url], { ...env, OFFBOARD_KEK: 'abc' });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/OFFBOARD_ERR_INVALID_KEK.*openssl rand -base64 32/);
  });

  it('fails the policy check for a ledger jurisdiction left without a period', async () => {
    const none = join(dir, 'none.yaml');
    writeFileSync(none, 'retentionDefaults: none\nretention:\n  DE: { identity: 5y }\n');
    const out = await cli(['policy', 'check', none]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('retention.GB: no retention period for GB');
    expect(out.stderr).toContain('retention.DE: sets no transactions, communications, legalBasis');
  });
});

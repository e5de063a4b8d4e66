import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

describe('offboard policy check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const example = new URL('../../examples/policy.yaml', import.meta.url).pathname;

  it('prints the effective policy of a jurisdiction, overrides merged over defaults', async () => {
    const base = (await cli(['policy', 'check', example, '--json'])).json<{
      policy: { closure: { gracePeriod: string } };
    }>();
    const de = await cli(['policy', 'check', example, '--jurisdiction', 'DE', '--json']);
    expect(de.code).toBe(0);
    const policy = de.json<{
      jurisdiction: string;
      policy: { closure: { gracePeriod: string }; referenceCurrency: string };
    }>();
    expect(policy.jurisdiction).toBe('DE');
    expect(policy.policy.referenceCurrency).toBe('USD');
    expect(policy.policy.closure.gracePeriod).not.toBe(base.policy.closure.gracePeriod);
  });

  it('exits 2 naming the file, the line and the path of every error', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'closure:\n  gracePeriod: 7 parsecs\ncoolingOff:\n  afterTrad: 1h\n');
    const out = await cli(['policy', 'check', file]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('OFFBOARD_ERR_INVALID_POLICY');
    expect(out.stderr).toContain(
      `${file}:2: closure.gracePeriod: "7 parsecs" is not a duration; use e.g. 7d`,
    );
    expect(out.stderr).toMatch(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: coolingOff\\.afterTrad`),
    );
  });

  it('applies --policy to commands, and refuses an invalid one before touching the database', async () => {
    const file = join(dir, 'bad2.yaml');
    writeFileSync(file, 'dustThreshold: lots\n');
    const out = await cli([
      '--policy',
      file,
      'check',
      'demo-clean',
      '--db',
      `sqlite:${join(dir, 'x.db')}`,
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`${file}:1: dustThreshold`);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binary } from '../support/cli.js';

// The real executable, as a user runs it after `npm ci` (which builds it).
describe('the offboard binary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-bin-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help and exits 0', () => {
    const out = binary(['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: offboard');
    expect(out.stdout).toContain('seed');
  });

  it('exits 2 with one clear line for a negative --accounts', () => {
    const out = binary(['seed', '--accounts', '-5', '--db', `sqlite:${join(dir, 'x.db')}`]);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toEqual([
      'offboard: OFFBOARD_ERR_INVALID_ARGUMENT: --accounts must be a whole number of at least 1, got "-5"',
    ]);
  });

  it('uses OFFBOARD_DATABASE_URL', () => {
    const out = binary(['seed', '--scenarios', '--whale-transactions', '10', '--json'], { OFFBOARD_DATABASE_URL: `sqlite:${join(dir, 'env.db')}` });
    expect(out.code).toBe(0);
    expect(out.json<{ accounts: string[] }>().accounts).toContain('demo-everything');
  });
});

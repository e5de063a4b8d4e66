import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binary } from '../support/cli.js';

const BIN = new URL('../../bin/offboard.js', import.meta.url).pathname;

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
    const out = binary(['seed', '--scenarios', '--whale-transactions', '10', '--json'], {
      OFFBOARD_DATABASE_URL: `sqlite:${join(dir, 'env.db')}`,
    });
    expect(out.code).toBe(0);
    expect(out.json<{ accounts: string[] }>().accounts).toContain('demo-everything');
  });

  it('stops quietly when its reader closes the pipe early (offboard accounts list | head -1)', async () => {
    const db = `sqlite:${join(dir, 'pipe.db')}`;
    expect(
      spawnSync(process.execPath, [
        BIN,
        'seed',
        '--accounts',
        '3000',
        '--transactions',
        '0',
        '--db',
        db,
      ]).status,
    ).toBe(0);
    const child = spawn(
      process.execPath,
      [BIN, 'accounts', 'list', '--limit', '3000', '--db', db],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Like `head -1`: read the first chunk, then close our end.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});

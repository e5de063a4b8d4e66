import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * `offboard demo` prints a one-time sign-in link into the holder's page for each scenario
 * account: opening it shows a Sign in button, and the button signs in once (a session
 * cookie and a redirect to /account), never twice. The real binary, on a SQLite file.
 */

const BIN = new URL('../../bin/offboard.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'offboard-demo-links-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('offboard demo sign-in links', () => {
  it('prints a link per scenario account that signs in once', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'demo',
        '--port',
        '0',
        '--whale-transactions',
        '5',
        '--json',
        '--db',
        `sqlite:${join(dir, 'demo.db')}`,
      ],
      {
        cwd: dir,
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        void exited.then(() => reject(new Error('demo exited before printing')));
      });
      const info = JSON.parse(line) as { url: string; signInLinks: Record<string, string> };
      expect(Object.keys(info.signInLinks)).toContain('demo-everything');
      const link = info.signInLinks['demo-dust']!;
      expect(link).toMatch(new RegExp(`^${info.url}/account/sign-in\\?token=osl_`));

      // Opening the link shows the Sign in button and spends nothing; the button's POST signs in.
      const opened = await fetch(link, { redirect: 'manual' });
      expect(opened.status).toBe(200);
      expect(opened.headers.get('set-cookie')).toBeNull();
      const token = new URL(link).searchParams.get('token')!;
      const signIn = () =>
        fetch(`${info.url}/account/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token }).toString(),
          redirect: 'manual',
        });
      const first = await signIn();
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/account');
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const page = await fetch(`${info.url}/account`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Account demo-dust');

      const second = await signIn();
      expect(second.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/adapters/platform-http/conformance/runner.js';
import type { ConformanceReport } from '../../src/adapters/platform-http/conformance/runner.js';
import { buildSandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import type { SandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import { systemClock } from '../../src/ports/clock.js';
import { binary } from '../support/cli.js';
import { openTestDatabase } from '../support/databases.js';
import { HANG_MS } from '../support/wait.js';
import { runOffboard, startOffboard, waitForLine } from '../support/workflow-processes.js';
import type { Running } from '../support/workflow-processes.js';
import { startFaultyPlatform } from './faulty-platform.js';

// `offboard conformance`, the built binary, against `offboard sandbox serve --test-mode`
// in a process of its own, over loopback HTTP. Run `npm run build` first.

const SECRET = 'conformance-cli-test-secret';
const env = { OFFBOARD_PLATFORM_SECRET: SECRET };

describe('offboard conformance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-conformance-'));
  let sandbox: Running;
  let url: string;

  beforeAll(async () => {
    sandbox = startOffboard(
      ['sandbox', 'serve', '--port', '0', '--db', `sqlite:${join(dir, 'p.db')}`, '--test-mode'],
      env,
    );
    const line = await waitForLine(sandbox, /^offboard sandbox: listening on /, HANG_MS);
    url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
  });
  afterAll(async () => {
    sandbox.child.kill('SIGTERM');
    await sandbox.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one JSON report with every check passed, and exits 0', () => {
    const out = binary(['conformance', '--platform', url, '--json'], env);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as ConformanceReport;
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.id, c.passed])).toEqual(CHECKS.map((c) => [c.id, true]));
  });

  it('runs only the groups asked for, prints a line a check, and writes JUnit XML', () => {
    const junit = join(dir, 'report.xml');
    const out = binary(
      [
        'conformance',
        '--platform',
        `${url}/offboard-platform/v1`,
        '--only',
        'auth,close',
        '--junit',
        junit,
      ],
      env,
    );
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^offboard conformance: http:\/\/127\.0\.0\.1:\d+ \(run conf-[0-9a-f]{8}\)$/,
    );
    expect(lines).toContain(
      'PASS MUST   auth.unsigned-refused  a request without signature headers is refused with 401 OFFBOARD_ERR_PLATFORM_UNSIGNED',
    );
    const expected = CHECKS.filter((c) => /^(fixtures|auth|close)\./.test(c.id));
    expect(lines.at(-1)).toBe(
      `${expected.length} checks: ${expected.length} passed, 0 failed (0 MUST, 0 SHOULD): conformant`,
    );
    const xml = readFileSync(junit, 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)">/g)];
    expect(suites.map((m) => m[1])).toEqual(['fixtures', 'auth', 'close']);
    const cases = [...xml.matchAll(/<testcase classname="conformance\.(\w+)" name="([^"]+)"\/>/g)];
    expect(cases.map((m) => m[2]!.split(' ')[0])).toEqual(expected.map((c) => c.id));
    expect(xml).not.toContain('<failure');
  });

  it('refuses an unknown group, naming the groups there are', () => {
    const out = binary(['conformance', '--platform', url, '--only', 'auth,nope'], env);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      'offboard: OFFBOARD_ERR_INVALID_ARGUMENT: unknown group "nope"; the groups are fixtures, auth, facts, actions, idempotency, freeze, close, transactions, errors, faults\n',
    );
  });

  it('says clearly when the URL is bad, the platform unreachable or the secret wrong', () => {
    const bad = binary(['conformance', '--platform', 'not a url'], env);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringMatching(
        /^offboard: OFFBOARD_ERR_INVALID_ARGUMENT: --platform "not a url" is not a URL/,
      ),
    ]);
    const down = binary(['conformance', '--platform', 'http://127.0.0.1:1'], env);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(
      /^offboard: OFFBOARD_ERR_PLATFORM_UNAVAILABLE: the platform call GET \/offboard-platform\/v1\/accounts\/count at http:\/\/127\.0\.0\.1:1 failed after 1 attempt: .*ECONNREFUSED/,
    );
    expect(down.stderr).not.toMatch(/\n\s+at /);
    const wrong = binary(
      ['conformance', '--platform', url, '--secret', 'not-the-secret-at-all'],
      env,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^offboard: OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE: .*--secret/);
    const none = binary(['conformance', '--platform', url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('OFFBOARD_PLATFORM_SECRET');
  });
});

describe('offboard conformance against a faulty platform', () => {
  let sandbox: SandboxApp;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openTestDatabase('sqlite');
    dispose = opened.dispose;
    sandbox = await buildSandboxApp({
      database: opened.database,
      clock: systemClock,
      secret: SECRET,
      testMode: true,
    });
    await sandbox.ready();
  });
  afterAll(async () => {
    await sandbox.close();
    await dispose();
  });

  it('exits 1 when a MUST check fails, showing the request sent and the response received', async () => {
    const faulty = await startFaultyPlatform(sandbox, SECRET, ['ignore-freeze']);
    try {
      // Its own process, so this one keeps serving the faulty platform meanwhile.
      const out = await runOffboard(
        ['conformance', '--platform', faulty.url, '--only', 'freeze'],
        env,
      );
      expect(out.code, out.stderr).toBe(1);
      const lines = out.stdout.trim().split('\n');
      const at = lines.findIndex((l) => l.startsWith('FAIL MUST   freeze.deposit-returned'));
      expect(at).toBeGreaterThan(0);
      expect(lines.slice(at + 1, at + 3)).toEqual([
        '       expected: the deposit answered as returned: true',
        '       got:      false',
      ]);
      expect(lines[at + 3]).toMatch(
        /^ {7}request: {2}POST \/offboard-platform\/v1\/test\/accounts\/conf-[0-9a-f]{8}-\d+-1-dust\/deposits$/,
      );
      expect(lines).toContain('       response: HTTP 200');
      expect(out.stdout).not.toContain(SECRET);
      expect(lines.at(-1)).toMatch(/: NOT conformant: a MUST check failed$/);
    } finally {
      await faulty.close();
    }
  });

  it('exits 0 when only a SHOULD check fails, and says so', async () => {
    const faulty = await startFaultyPlatform(sandbox, SECRET, ['bare-404']);
    try {
      const out = await runOffboard(
        ['conformance', '--platform', faulty.url, '--only', 'errors'],
        env,
      );
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain('FAIL SHOULD errors.unknown-route');
      expect(out.stdout.trim().split('\n').at(-1)).toMatch(
        /checks: \d+ passed, 1 failed \(0 MUST, 1 SHOULD\): every MUST passed$/,
      );
    } finally {
      await faulty.close();
    }
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANG_MS } from '../support/wait.js';

/*
 * `offboard --help`, and a command driving an HTTP platform, start without loading the
 * web stack; a scan of SQLite with the default policy, without the PostgreSQL driver or
 * the YAML parser: a module-resolution hook in the real binary's process names every
 * package module it resolves.
 */

const BIN = new URL('../../bin/offboard.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'offboard-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'hooks.mjs'),
  `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes('/node_modules/'))
    process.stderr.write('LOADED ' + resolved.url + '\\n');
  return resolved;
}
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url));\n`,
);

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    timeout: HANG_MS,
  });
  const resolved = child.stderr.split('\n').filter((l) => l.startsWith('LOADED'));
  const of = (pattern: RegExp) => resolved.filter((l) => pattern.test(l));
  return {
    code: child.status,
    /** The web stack's modules it resolved. */
    loaded: of(/node_modules\/(fastify|undici|typebox|@fastify)\//),
    /** The PostgreSQL driver's and the YAML parser's. */
    pgOrYaml: of(/node_modules\/(pg|yaml)\//),
  };
}

describe('start-up stays lazy', () => {
  it('sees the web stack when a command needs it (the probe works)', () => {
    expect(run(['platform', 'contract']).loaded.length).toBeGreaterThan(0);
  });

  it('loads no web stack for --help', () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.loaded).toEqual([]);
  });

  it('scans SQLite without the PostgreSQL driver or the YAML parser, until a policy file asks for it', () => {
    const scan = run(['--db', 'sqlite::memory:', 'scan', '--json']);
    expect(scan.code).toBe(0);
    expect(scan.pgOrYaml).toEqual([]);
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'dustThreshold: "2.00"\n');
    const withFile = run(['--db', 'sqlite::memory:', 'scan', '--json'], {
      OFFBOARD_POLICY: policy,
    });
    expect(withFile.code).toBe(0);
    expect(withFile.pgOrYaml.length).toBeGreaterThan(0);
  });

  it('loads no web stack to drive an HTTP platform', () => {
    const check = run(['--db', 'sqlite::memory:', 'check', 'demo-clean'], {
      OFFBOARD_PLATFORM_URL: 'http://127.0.0.1:9',
      OFFBOARD_PLATFORM_SECRET: 'lazy-start-secret-0123',
    });
    expect(check.code).toBe(3); // nothing listens on port 9: the platform is unavailable
    expect(check.loaded).toEqual([]);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { signatureHeaders } from '../../src/adapters/platform-http/signing.js';
import { cli } from '../support/cli.js';
import { HANG_MS } from '../support/wait.js';
import { startOffboard, waitForLine } from '../support/workflow-processes.js';

// `offboard sandbox serve` as its own process with its own database, reached over real
// HTTP on loopback; `offboard platform contract` prints the document.
describe('offboard sandbox serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-sandbox-'));
  const secret = 'sandbox-cli-test-secret';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('listens, says so, answers signed requests and refuses unsigned ones, and stops on SIGTERM', async () => {
    const running = startOffboard(
      [
        'sandbox',
        'serve',
        '--port',
        '0',
        '--db',
        `sqlite:${join(dir, 'sandbox.db')}`,
        '--test-mode',
      ],
      { OFFBOARD_PLATFORM_SECRET: secret },
    );
    try {
      const line = await waitForLine(running, /^offboard sandbox: listening on /, HANG_MS);
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+\/offboard-platform\/v1)/.exec(
        line,
      )![1]!;
      const send = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
        const url = new URL(`${base}${path}`);
        const payload = body === undefined ? '' : JSON.stringify(body);
        const key = method === 'POST' ? `cli-${path}` : null;
        const headers: Record<string, string> = signatureHeaders(
          secret,
          { method, path: url.pathname + url.search, idempotencyKey: key, body: payload },
          new Date(),
        );
        if (key) headers['idempotency-key'] = key;
        if (payload) headers['content-type'] = 'application/json';
        const response = await fetch(url, {
          method,
          headers,
          ...(payload ? { body: payload } : {}),
        });
        return {
          status: response.status,
          body: (await response.json()) as Record<string, unknown>,
        };
      };
      expect((await send('POST', '/test/fixtures', {})).status).toBe(200);
      const facts = await send('GET', '/accounts/demo-dust/facts');
      expect(facts.status).toBe(200);
      expect(facts.body['balances']).toContainEqual(
        expect.objectContaining({ asset: 'USD', available: '37', decimals: 2 }),
      );
      const unsigned = await fetch(`${base}/accounts/demo-dust/facts`);
      expect(unsigned.status).toBe(401);
      expect(await unsigned.json()).toEqual({
        error: { code: 'OFFBOARD_ERR_PLATFORM_UNSIGNED', message: expect.any(String) },
      });
    } finally {
      running.child.kill('SIGTERM');
    }
    const exited = await running.exited;
    expect(exited.code, exited.stderr).toBe(0);
  });

  it('refuses to start without a shared secret', async () => {
    const out = await cli([
      'sandbox',
      'serve',
      '--port',
      '0',
      '--db',
      `sqlite:${join(dir, 'no.db')}`,
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    expect(out.stderr).toContain('OFFBOARD_PLATFORM_SECRET');
  });
});

describe('offboard platform contract', () => {
  it('prints the OpenAPI 3.1 document as JSON', async () => {
    const out = await cli(['platform', 'contract']);
    expect(out.code, out.stderr).toBe(0);
    const doc = JSON.parse(out.stdout) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/offboard-platform/v1/facts/query');
  });
});

// `offboard --help` must not load Fastify: the program reaches the sandbox server only
// through `import()` when the command runs. Walk the static imports from the program.
describe('the CLI program', () => {
  it('imports neither Fastify nor the sandbox server statically', () => {
    const root = fileURLToPath(new URL('../../src/adapters/cli/program.ts', import.meta.url));
    const seen = new Set<string>();
    const packages = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(
        /^(?:import|export)\s+(?!type\b)(?:[^'"]*?from\s+)?'([^']+)'/gm,
      )) {
        const spec = m[1]!;
        if (spec.startsWith('.')) walk(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        else packages.add(spec);
      }
    };
    walk(root);
    expect([...packages].filter((p) => p.includes('fastify'))).toEqual([]);
    expect([...seen].filter((f) => f.includes('platform-http'))).toEqual([]);
    // The walk does reach the commands: it would see a static import if one were added.
    expect([...seen].some((f) => f.endsWith('commands/sandbox.ts'))).toBe(true);
  });
});

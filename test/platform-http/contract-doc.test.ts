import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/adapters/platform-http/conformance/runner.js';
import { contractDocument } from '../../src/adapters/platform-http/sandbox-server.js';
import { signatureHeaders, signRequest } from '../../src/adapters/platform-http/signing.js';
import { ERROR_CATALOGUE } from '../../src/domain/errors.js';

// docs/platform-contract.md is what platform teams implement from: its endpoint table is
// the server's routes, its worked signature is what offboard's signing computes, and its
// verification code in plain Node accepts offboard's signatures and refuses bad ones.
describe('docs/platform-contract.md', () => {
  const doc = readFileSync(new URL('../../docs/platform-contract.md', import.meta.url), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'offboard-contract-doc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists exactly the routes of the contract', async () => {
    const openapi = (await contractDocument()) as { paths: Record<string, object> };
    const served = Object.entries(openapi.paths)
      .flatMap(([path, item]) =>
        Object.keys(item).map(
          (m) => `${m.toUpperCase()} ${path.replace('/offboard-platform/v1', '')}`,
        ),
      )
      .sort();
    const documented = [...doc.matchAll(/^\|\s*(GET|POST)\s*\|\s*`([^`]+)`/gm)]
      .map((m) => `${m[1]} ${m[2]}`)
      .sort();
    expect(documented).toEqual(served);
  });

  it('gives a worked signature offboard computes', () => {
    const signature = /offboard-signature: (v1=[0-9a-f]{64})/.exec(doc)![1];
    expect(
      signRequest('whsec-sandbox-0123456789', {
        method: 'POST',
        path: '/offboard-platform/v1/accounts/demo-dust/sweep-dust',
        timestamp: '1780315200',
        idempotencyKey: 'closure-7f3a:sweep:USD',
        body: '{"asset":"USD"}',
      }),
    ).toBe(signature);
    expect(new Date(1780315200 * 1000).toISOString()).toBe('2026-06-01T12:00:00.000Z');
  });

  it('has verification code that accepts good requests and names each refusal', async () => {
    const code = /### Verification in plain Node\n\n```js\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = join(dir, 'verify.mjs');
    writeFileSync(file, code);
    const { verifyOffboardRequest } = (await import(pathToFileURL(file).href)) as {
      verifyOffboardRequest: (
        secret: string,
        request: { method: string; path: string; headers: Record<string, string>; body: string },
        nowMs: number,
      ) => string | null;
    };
    const now = new Date('2026-06-01T12:00:00Z');
    const request = {
      method: 'POST',
      path: '/offboard-platform/v1/accounts/a/freeze',
      idempotencyKey: 'k1',
      body: '{}',
    };
    const headers = { 'idempotency-key': 'k1', ...signatureHeaders('s3cret', request, now) };
    const check = (h: Record<string, string>, body = '{}', at = now) =>
      verifyOffboardRequest(
        's3cret',
        { method: 'POST', path: request.path, headers: h, body },
        at.getTime(),
      );
    expect(check(headers)).toBeNull();
    expect(check({ 'idempotency-key': 'k1' })).toBe('OFFBOARD_ERR_PLATFORM_UNSIGNED');
    expect(check(headers, '{"x":1}')).toBe('OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE');
    expect(check({ ...headers, 'idempotency-key': 'k2' })).toBe(
      'OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE',
    );
    expect(check(headers, '{}', new Date(now.getTime() + 301_000))).toBe(
      'OFFBOARD_ERR_PLATFORM_STALE_REQUEST',
    );
  });

  it('lists every conformance check, with its level and what it proves, in run order', () => {
    const section = doc.slice(doc.indexOf('## Conformance kit'));
    const documented = [
      ...section.matchAll(/^\|\s*`([a-z]+\.[a-z0-9-]+)`\s*\|\s*(MUST|SHOULD)\s*\|\s*(.*?)\s*\|$/gm),
    ].map((m) => [m[1], m[2], m[3]!.replace(/\\\|/g, '|')]);
    expect(documented).toEqual(CHECKS.map((c) => [c.id, c.level, c.title]));
  });

  it('names only codes that exist', () => {
    for (const [, code] of doc.matchAll(/`(OFFBOARD_ERR_[A-Z_]+)`/g))
      expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
  });
});

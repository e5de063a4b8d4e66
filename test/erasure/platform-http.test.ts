import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPlatform } from '../../src/adapters/platform-http/client.js';
import { PREFIX } from '../../src/adapters/platform-http/contract.js';
import { buildSandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import type { SandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import { signatureHeaders } from '../../src/adapters/platform-http/signing.js';
import { systemClock } from '../../src/ports/clock.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

/*
 * The contract's erase action (POST /accounts/{id}/erase) between offboard's HTTP client
 * and the sandbox platform server, both real, over loopback: the holder is pseudonymized,
 * the answer names what the platform keeps, a repeated key answers the first answer.
 */

const SECRET = 'erasure-test-platform-secret';

describe.each(DIALECTS)('the platform contract’s erase [%s]', (dialect) => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let sandbox: SandboxApp;
  let platform: HttpPlatform;

  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    sandbox = await buildSandboxApp({
      database: db.database,
      clock: systemClock,
      secret: SECRET,
      testMode: true,
    });
    const url = await sandbox.listen({ port: 0, host: '127.0.0.1' });
    const path = `${PREFIX}/test/fixtures`;
    const seeded = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': 'fixtures-1',
        ...signatureHeaders(
          SECRET,
          { method: 'POST', path, idempotencyKey: 'fixtures-1', body: '{}' },
          new Date(),
        ),
      },
      body: '{}',
    });
    expect(seeded.status).toBe(200);
    platform = new HttpPlatform({ url, secret: SECRET });
    await platform.markClosed('demo-clean', 'close-demo-clean');
  });
  afterAll(async () => {
    await sandbox?.close();
    await db?.dispose();
  });

  it('erases the holder’s identity and the counterparties, once per key', async () => {
    const before = await platform.contact('demo-clean');
    expect(before?.name).not.toBe('erased');
    const answer = await platform.erase('demo-clean', ['identity', 'transactions'], 'erase-1');
    expect(answer.erased).toEqual(['identity', 'transactions']);
    expect(answer.retained.map((r) => r.what).join(' ')).toMatch(/amounts/);
    expect(await platform.contact('demo-clean')).toMatchObject({ name: 'erased', phone: null });
    // The same key answers the first answer; the contract refuses it with another body.
    expect(await platform.erase('demo-clean', ['identity', 'transactions'], 'erase-1')).toEqual(
      answer,
    );
    await expect(platform.erase('demo-clean', ['security'], 'erase-1')).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_PLATFORM_KEY_REUSED',
    });
    const cursor = await platform.openTransactions('demo-clean');
    const page = await platform.transactionPage('demo-clean', {
      cursor: cursor!,
      from: null,
      to: null,
      limit: 100,
    });
    expect(page.transactions.every((t) => t[7] === null && t[8] === null)).toBe(true);
  });
});

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness } from './harness.js';
import type { Harness } from './harness.js';

// Request logs are read by more people than the database: no link token, no credential.
describe('request logs', () => {
  let h: Harness;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    h = await openHarness('sqlite', { deps: { logger: { level: 'info', stream } } });
  });
  afterAll(async () => h.dispose());

  it('mask disable-link tokens and never print credentials', async () => {
    await h.call('POST', '/v1/me/closure', { token: h.holder('demo-clean'), body: {} });
    const link = await h.link('demo-clean');
    expect((await h.call('GET', `/v1/disable-links/${link}`)).status).toBe(200);
    const text = lines.join('');
    expect(text).toContain('/v1/disable-links/[redacted]');
    expect(text).not.toContain(link);
    expect(text).not.toContain(h.holder('demo-clean').split('.')[2]!);
  });

  it('log an unexpected failure with its request id, which the answer names', async () => {
    await h.ctx.database.db.schema.dropTable('approvals').execute();
    const answer = await h.call('GET', '/v1/agent/approvals', {
      token: h.agent('agent-ada', ['admin']),
    });
    const { requestId } = answer.json<{ error: { requestId: string } }>().error;
    const logged = lines
      .map((l) => JSON.parse(l) as { reqId?: string; level: number; err?: { message: string } })
      .find((l) => l.reqId === requestId && l.level >= 50);
    expect(logged?.err?.message).toMatch(/approvals/);
  });
});

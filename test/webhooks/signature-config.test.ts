import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  signPayload,
  verifySignature,
  webhookConfigFromEnv,
} from '../../src/adapters/webhooks/webhooks.js';

describe('webhook signatures', () => {
  const secret = 'whsec-unit';
  const body = '{"id":1,"event":"closure.completed"}';

  it('is an HMAC-SHA256 of "<t>.<body>" a receiver can recompute without offboard', () => {
    const expected = createHmac('sha256', secret).update(`1767225600.${body}`).digest('hex');
    expect(signPayload(secret, 1_767_225_600, body)).toBe(`t=1767225600,v1=${expected}`);
  });

  it('verifies raw bytes as well as strings, and accepts any one of several v1 entries', () => {
    const header = signPayload(secret, 100, body);
    expect(verifySignature(secret, header, Buffer.from(body), 100)).toBe(true);
    const rotating = `t=100,v1=${'0'.repeat(64)}, ${header.split(',')[1]}`;
    expect(verifySignature(secret, rotating, body, 100)).toBe(true);
  });

  it('refuses malformed headers, a changed timestamp and stale or future timestamps', () => {
    const header = signPayload(secret, 1000, body);
    for (const bad of [
      '',
      'garbage',
      't=1000',
      header.replace(/v1=[0-9a-f]{2}/, 'v1=zz'),
      header.replace('v1=', 'v0='),
      header.slice(0, -1),
    ]) {
      expect(verifySignature(secret, bad, body, 1000)).toBe(false);
    }
    expect(verifySignature(secret, header.replace('t=1000', 't=1001'), body, 1000)).toBe(false);
    expect(verifySignature(secret, header, body, 1000 - 61, 60)).toBe(false);
    expect(verifySignature(secret, header, body, 1000 + 61, 60)).toBe(false);
    expect(verifySignature(secret, header, body, 1000 + 60, 60)).toBe(true);
  });
});

describe('webhook backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    const cfg = { baseBackoffMs: 5000, maxBackoffMs: 3_600_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => backoffMs(cfg, n))).toEqual([
      5000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000,
    ]);
    expect(backoffMs(cfg, 11)).toBe(3_600_000);
    expect(backoffMs(cfg, 1000)).toBe(3_600_000);
  });
});

describe('webhookConfigFromEnv', () => {
  const secret = { OFFBOARD_WEBHOOK_SECRET: 's3cret-s3cret-s3cret' };

  it('is null when no URL is set', () => {
    expect(webhookConfigFromEnv({})).toBeNull();
    expect(webhookConfigFromEnv({ OFFBOARD_WEBHOOK_URLS: ' , ' })).toBeNull();
  });

  it('reads the URLs, the secret and the attempts, and defaults the rest', () => {
    const config = webhookConfigFromEnv({
      ...secret,
      OFFBOARD_WEBHOOK_URLS:
        'https://hooks.example.com/offboard , http://127.0.0.1:8080/in,https://hooks.example.com/offboard',
      OFFBOARD_WEBHOOK_MAX_ATTEMPTS: '3',
    });
    expect(config).toEqual({
      endpoints: ['https://hooks.example.com/offboard', 'http://127.0.0.1:8080/in'],
      secret: secret.OFFBOARD_WEBHOOK_SECRET,
      maxAttempts: 3,
      baseBackoffMs: 5000,
      maxBackoffMs: 3_600_000,
      timeoutMs: 5000,
    });
    expect(
      webhookConfigFromEnv({ ...secret, OFFBOARD_WEBHOOK_URLS: 'https://a.example' })?.maxAttempts,
    ).toBe(8);
  });

  it('refuses a URL that is not http(s), naming it', () => {
    for (const bad of ['ftp://files.example.com/x', 'not a url', 'hooks.example.com/offboard']) {
      expect(() =>
        webhookConfigFromEnv({ ...secret, OFFBOARD_WEBHOOK_URLS: `https://ok.example,${bad}` }),
      ).toThrow(
        expect.objectContaining({
          code: 'OFFBOARD_ERR_INVALID_ARGUMENT',
          message: expect.stringContaining(bad),
        }),
      );
    }
  });

  it('requires a secret when URLs are set, and a positive whole number of attempts', () => {
    expect(() => webhookConfigFromEnv({ OFFBOARD_WEBHOOK_URLS: 'https://a.example' })).toThrow(
      expect.objectContaining({
        code: 'OFFBOARD_ERR_INVALID_ARGUMENT',
        message: expect.stringContaining('OFFBOARD_WEBHOOK_SECRET'),
      }),
    );
    for (const bad of ['0', '-1', '2.5', 'many']) {
      expect(() =>
        webhookConfigFromEnv({
          ...secret,
          OFFBOARD_WEBHOOK_URLS: 'https://a.example',
          OFFBOARD_WEBHOOK_MAX_ATTEMPTS: bad,
        }),
      ).toThrow(
        expect.objectContaining({
          code: 'OFFBOARD_ERR_INVALID_ARGUMENT',
          message: expect.stringContaining('OFFBOARD_WEBHOOK_MAX_ATTEMPTS'),
        }),
      );
    }
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  signWebhook,
  verifyWebhook,
  webhookConfigFromEnv,
} from '../../src/adapters/webhooks/webhooks.js';

describe('webhook signatures (Standard Webhooks)', () => {
  const secret = 'unit-secret';
  const body = '{"id":1,"event":"closure.completed"}';

  it('is a base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" a receiver can recompute without offboard', () => {
    const expected = createHmac('sha256', secret).update(`42.1767225600.${body}`).digest('base64');
    expect(signWebhook(secret, '42', 1_767_225_600, body)).toEqual({
      'webhook-id': '42',
      'webhook-timestamp': '1767225600',
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('decodes a whsec_ secret to its bytes, as Standard Webhooks libraries do', () => {
    const bytes = Buffer.from('0123456789abcdef0123456789abcdef');
    const expected = createHmac('sha256', bytes).update(`7.100.${body}`).digest('base64');
    expect(
      signWebhook(`whsec_${bytes.toString('base64')}`, '7', 100, body)['webhook-signature'],
    ).toBe(`v1,${expected}`);
  });

  it('verifies raw bytes as well as strings, and accepts any one of several signatures', () => {
    const headers = signWebhook(secret, '9', 100, body);
    expect(verifyWebhook(secret, headers, Buffer.from(body), 100)).toBe(true);
    const rotating = {
      ...headers,
      'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`,
    };
    expect(verifyWebhook(secret, rotating, body, 100)).toBe(true);
  });

  it('covers the delivery id: a captured request replayed with a fresh id is refused', () => {
    const headers = signWebhook(secret, '9', 100, body);
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': '10' }, body, 100)).toBe(false);
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': '' }, body, 100)).toBe(false);
  });

  it('refuses malformed headers, a changed timestamp and stale or future timestamps', () => {
    const headers = signWebhook(secret, '9', 1000, body);
    const signature = headers['webhook-signature'];
    for (const bad of [
      '',
      'garbage',
      'v1,',
      signature.replace('v1,', 'v0,'),
      signature.slice(0, -4),
      `v1,${'A'.repeat(43)}=`,
    ]) {
      expect(verifyWebhook(secret, { ...headers, 'webhook-signature': bad }, body, 1000)).toBe(
        false,
      );
    }
    expect(
      verifyWebhook(secret, { 'webhook-id': '9', 'webhook-signature': signature }, body, 1000),
    ).toBe(false);
    expect(verifyWebhook(secret, { ...headers, 'webhook-timestamp': '1001' }, body, 1000)).toBe(
      false,
    );
    expect(verifyWebhook(secret, headers, body, 1000 - 61, 60)).toBe(false);
    expect(verifyWebhook(secret, headers, body, 1000 + 61, 60)).toBe(false);
    expect(verifyWebhook(secret, headers, body, 1000 + 60, 60)).toBe(true);
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

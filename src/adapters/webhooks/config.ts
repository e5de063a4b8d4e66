import { OffboardError } from '../../domain/errors.js';

/** Where and how events are posted. One secret signs for every endpoint. */
export interface WebhookConfig {
  /** http(s) URLs; each event goes to every one. */
  endpoints: string[];
  /** The HMAC-SHA256 key receivers verify `webhook-signature` with (a `whsec_` base64 secret is decoded). */
  secret: string;
  /** Attempts before a delivery is given up as `dead` (default 8). */
  maxAttempts: number;
  /** The wait after the first failure; it doubles per failure (default 5 s). */
  baseBackoffMs: number;
  /** The longest wait between two attempts (default 1 h). */
  maxBackoffMs: number;
  /** How long one POST may take, answer included (default 5 s). */
  timeoutMs: number;
}

export const WEBHOOK_DEFAULTS = {
  maxAttempts: 8,
  baseBackoffMs: 5000,
  maxBackoffMs: 3_600_000,
  timeoutMs: 5000,
} as const satisfies Partial<WebhookConfig>;

/** A config from its required parts, the rest defaulted. */
export function webhookConfig(
  parts: Pick<WebhookConfig, 'endpoints' | 'secret'> & Partial<WebhookConfig>,
): WebhookConfig {
  return { ...WEBHOOK_DEFAULTS, ...parts, endpoints: parseEndpoints(parts.endpoints) };
}

/**
 * Reads OFFBOARD_WEBHOOK_URLS (comma-separated), OFFBOARD_WEBHOOK_SECRET and
 * OFFBOARD_WEBHOOK_MAX_ATTEMPTS. Null when no URL is set: webhooks are off. A bad value
 * fails at start-up, not at the first event.
 */
export function webhookConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): WebhookConfig | null {
  const urls = (env['OFFBOARD_WEBHOOK_URLS'] ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (urls.length === 0) return null;
  const secret = env['OFFBOARD_WEBHOOK_SECRET'] ?? '';
  if (secret.trim() === '') {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      'OFFBOARD_WEBHOOK_SECRET must be set when OFFBOARD_WEBHOOK_URLS is: receivers verify every event with it (use 32 random bytes, e.g. `openssl rand -hex 32`)',
    );
  }
  const attempts = env['OFFBOARD_WEBHOOK_MAX_ATTEMPTS'];
  return webhookConfig({
    endpoints: urls,
    secret,
    maxAttempts:
      attempts === undefined || attempts.trim() === ''
        ? WEBHOOK_DEFAULTS.maxAttempts
        : parseMaxAttempts(attempts),
  });
}

/** Checks each URL and drops repeats: a URL listed twice would still get each event once. */
function parseEndpoints(urls: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const text of urls) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw invalidUrl(text, 'it is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalidUrl(text, `its scheme is ${url.protocol.replace(':', '')}`);
    seen.add(url.toString());
  }
  return [...seen];
}

function invalidUrl(text: string, why: string): OffboardError {
  return new OffboardError(
    'OFFBOARD_ERR_INVALID_ARGUMENT',
    `OFFBOARD_WEBHOOK_URLS: "${text}" is not an http(s) URL (${why}); list http:// or https:// URLs separated by commas`,
  );
}

function parseMaxAttempts(text: string): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `OFFBOARD_WEBHOOK_MAX_ATTEMPTS must be a whole number of at least 1, got "${text}"`,
    );
  }
  return value;
}

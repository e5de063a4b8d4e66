import type { FastifyInstance, FastifyReply } from 'fastify';

/*
 * The headers docs/api.md promises on every answer. One table, used on three paths: the
 * routed answers (a hook), the answers Fastify writes before any hook runs (a bad URL, an
 * over-long parameter: `frameworkErrors`), and the ones Node's HTTP parser refuses before
 * Fastify sees a request (a malformed Content-Length: `clientErrorHandler`, raw bytes).
 *
 * Not @fastify/helmet for the API: its headers are set by an onRequest hook, which the last
 * two paths never reach, so it would need this table beside it anyway and the two could
 * drift apart. The web pages (src/adapters/web) do register helmet, in their own scope, for
 * the headers only pages need; their CSP is this table's WEB_CSP, given to helmet too, and
 * this table is applied last, so the two cannot disagree.
 */

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The paths the web pages answer (src/adapters/web): they load their own script and style. */
export const WEB_PREFIXES = ['/account', '/console', '/assets/', '/language'] as const;

/**
 * The pages' CSP: scripts and styles from the app itself only (htmx and one stylesheet,
 * both served by the app), no inline script or style, forms post only to the app.
 */
export const WEB_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  // The Chinese font the stylesheet falls back to where the reader has none (assets/web.css).
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
};

export const WEB_CSP = Object.entries(WEB_CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join('; ');

export function isWebPath(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return WEB_PREFIXES.some((p) =>
    p.endsWith('/') ? path.startsWith(p) : path === p || path.startsWith(`${p}/`),
  );
}

const ALWAYS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const NOT_DOCS: Readonly<Record<string, string>> = {
  // Everything but the docs page is data or a page without scripts.
  'content-security-policy': API_CSP,
  // Balances, verdicts and tokens must not linger in shared caches.
  'cache-control': 'no-store',
};

/** The security headers for an answer to `url` (the docs page brings its own CSP: it needs its scripts). */
export function securityHeaders(url: string): Record<string, string> {
  if (url.startsWith('/docs')) return { ...ALWAYS };
  // The pages' script, stylesheet and font hold nothing private: browsers may keep them a day.
  if (url.startsWith('/assets/'))
    return {
      ...ALWAYS,
      'content-security-policy': WEB_CSP,
      'cache-control': 'public, max-age=86400',
    };
  if (isWebPath(url)) return { ...ALWAYS, ...NOT_DOCS, 'content-security-policy': WEB_CSP };
  return { ...ALWAYS, ...NOT_DOCS };
}

export function applySecurityHeaders(reply: FastifyReply, url: string): void {
  for (const [name, value] of Object.entries(securityHeaders(url))) void reply.header(name, value);
}

/**
 * Set when the request arrives, so every answer has them whatever ends it (an error in a
 * hook, a 404); set again just before sending, since a route may have changed one.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    applySecurityHeaders(reply, request.url);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    applySecurityHeaders(reply, request.url);
    return payload;
  });
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DisableResult } from '../../app/disable-account.js';
import type { ErrorCode } from '../../domain/errors.js';
import { toErrorResponse } from './errors.js';

/*
 * The few HTML pages the API itself serves: the landing page at `/`, and the disable-link
 * pages a holder reaches from a message. No scripts, no styles from elsewhere: the CSP is
 * the API's (`default-src 'none'`), so the pages are plain, escaped HTML.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers a browser with an HTML page, errors included (see `wantsPage`). */
    page?: boolean;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe inside HTML elements and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** One page: the title, then paragraphs of HTML the caller has already escaped. */
function page(title: string, body: readonly string[]): string {
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(title)}</title></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    ...body,
    '</body></html>',
  ].join('');
}

/**
 * A browser (a holder who pressed the page's button) gets HTML; an API client that asks
 * for JSON, or states no preference, gets JSON as before.
 */
export function wantsPage(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.page !== true) return false;
  const accept = String(request.headers.accept ?? '').toLowerCase();
  return accept.includes('text/html') && !accept.includes('application/json');
}

export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}

/** An error as a page, with the status and headers its JSON form would have. */
export function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply {
  const { status, body, unexpected } = toErrorResponse(error, request.id);
  if (unexpected) request.log.error({ err: error }, 'request failed');
  const retry = (body.error.data as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof retry === 'number') void reply.header('retry-after', String(retry));
  return sendPage(reply, status, disableFailedPage(body.error.code));
}

export function disableLinkPage(token: string): string {
  const action = `/v1/disable-links/${encodeURIComponent(token)}`;
  return page('Disable your account', [
    '<p>This revokes every API key, session, device and withdrawal address and cancels open orders at once. Your balances stay safe. Support can enable the account again after verifying you.</p>',
    `<form method="post" action="${escapeHtml(action)}"><button type="submit">Disable my account now</button></form>`,
  ]);
}

export function disabledPage(result: DisableResult & { accountId: string }): string {
  return page('Your account is disabled', [
    `<p>Account <strong>${escapeHtml(result.accountId)}</strong> is disabled${result.alreadyDisabled ? ' (it already was)' : ''}. No one can sign in, trade or withdraw with it now.</p>`,
    '<p>Every API key, session, device and withdrawal address was revoked, and open orders and cancellable withdrawals were cancelled. Your balances are untouched.</p>',
    `<p>Support can enable it again from ${escapeHtml(result.enableNotBefore)}, after verifying it is you. Revoked keys and devices are never restored: you will set up new ones.</p>`,
    '<p>We never ask for your password, seed phrase, card number or one-time codes.</p>',
  ]);
}

/** What a holder reads when the disable failed: what happened and what to do, never internals. */
const DISABLE_FAILURES: Partial<Record<ErrorCode, [title: string, paragraphs: string[]]>> = {
  OFFBOARD_ERR_INVALID_LINK: [
    'This link cannot be used',
    [
      '<p>This disable link has expired, was already used, or is not a link we sent.</p>',
      '<p>If you still need to disable your account, use the link in the newest message we sent you, or contact support.</p>',
    ],
  ],
  OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE: [
    'This account is closed',
    [
      '<p>The account this link is for is closed, so there is nothing to disable. No one can sign in to a closed account.</p>',
      '<p>If you did not close it, contact support.</p>',
    ],
  ],
  OFFBOARD_ERR_RATE_LIMITED: [
    'Too many attempts',
    [
      '<p>There were too many attempts from your connection. Wait a minute, then press the button again.</p>',
    ],
  ],
};

export function disableFailedPage(code: ErrorCode): string {
  const [title, paragraphs] = DISABLE_FAILURES[code] ?? [
    'Your account was not disabled',
    [
      '<p>Something went wrong. Try the link again in a moment; if it keeps failing, contact support.</p>',
    ],
  ];
  return page(title, paragraphs);
}

/** `/`: what this service is and where to go. */
export function landingPage(): string {
  return page('offboard', [
    '<p>This is an <strong>offboard</strong> service: the account offboarding API of this platform. It explains why an account cannot be closed yet and what to do about it, closes accounts safely, and disables them at once when a holder asks.</p>',
    '<ul>',
    '<li><a href="/docs">/docs</a> &mdash; the API documentation</li>',
    '<li><a href="/openapi.json">/openapi.json</a> &mdash; the OpenAPI 3.1 contract</li>',
    '<li><a href="/healthz">/healthz</a> &mdash; whether the service is up</li>',
    '</ul>',
    '<p>Holders use the platform&rsquo;s own app or website; the links in its messages lead here.</p>',
  ]);
}

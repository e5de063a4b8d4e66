import type { FastifyInstance } from 'fastify';
import type { PageModule } from '../../src/adapters/web/plugin.js';
import type { WebKit } from '../../src/adapters/web/kit.js';
import {
  csrfToken,
  newSession,
  openSession,
  sealSession,
  SESSION_COOKIES,
} from '../../src/adapters/web/session.js';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/domain/policy.js';
import type { Policy, PolicyDocument } from '../../src/domain/policy.js';
import type { Answer, Harness } from '../http/harness.js';

/** A page module that hands its kit to the test, for sessions and CSRF tokens signed like the app's. */
export function kitProbe(): { module: PageModule; kit(): WebKit } {
  let seen: WebKit | null = null;
  return {
    module: (_web: FastifyInstance, kit: WebKit) => {
      seen = kit;
    },
    kit: () => {
      if (!seen) throw new Error('the web scope has not been registered yet (call app.ready())');
      return seen;
    },
  };
}

/** A signed holder session cookie and its CSRF token, as signing in would give. */
export function holderCookie(kit: WebKit, accountId: string, now: Date) {
  const session = newSession('holder', accountId, now);
  return {
    cookie: `${SESSION_COOKIES.holder}=${sealSession(kit.key, session)}`,
    csrf: csrfToken(kit.key, session),
  };
}

/** The `set-cookie` headers of an answer, as one array. */
export function setCookies(answer: Answer): string[] {
  const header = answer.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
}

/** A URL-encoded form body. */
export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The default policy with another grace period everywhere (a closure a journey can watch end). */
export function withGrace(gracePeriodMs: number): PolicyDocument {
  const change = (p: Policy): Policy => ({ ...p, closure: { ...p.closure, gracePeriodMs } });
  const base = DEFAULT_POLICY_DOCUMENT;
  return {
    base: change(base.base),
    jurisdictions: new Map([...base.jurisdictions].map(([k, p]) => [k, change(p)])),
    retention: base.retention,
  };
}

/** Posts a sign-in token as the sign-in page's button does. */
export function postSignIn(
  h: Harness,
  token: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return h.call('POST', '/account/sign-in', {
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    raw: form({ token }),
  });
}

/** Signs `accountId` in through the sign-in route with a holder token; the session cookie and its CSRF token. */
export async function signIn(
  h: Harness,
  kit: WebKit,
  accountId: string,
): Promise<{ cookie: string; csrf: string }> {
  const answer = await postSignIn(h, h.holder(accountId));
  if (answer.status !== 303) throw new Error(`sign-in answered ${answer.status}: ${answer.body}`);
  const set = setCookies(answer).find((c) => c.startsWith(`${SESSION_COOKIES.holder}=`));
  if (!set) throw new Error('sign-in set no session cookie');
  const cookie = set.split(';')[0]!;
  const session = openSession(kit.key, 'holder', cookie.split('=')[1], h.clock.now());
  if (!session) throw new Error('the session cookie does not open');
  return { cookie, csrf: csrfToken(kit.key, session) };
}

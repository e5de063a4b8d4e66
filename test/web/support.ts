import type { FastifyInstance } from 'fastify';
import type { PageModule } from '../../src/adapters/web/plugin.js';
import type { WebKit } from '../../src/adapters/web/kit.js';
import {
  csrfToken,
  newSession,
  sealSession,
  SESSION_COOKIES,
} from '../../src/adapters/web/session.js';
import type { Answer } from '../http/harness.js';

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

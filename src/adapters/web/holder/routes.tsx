import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../../app/context.js';
import { cancelClosure, confirmClosure, requestClosure } from '../../../app/closures.js';
import { disableAccount } from '../../../app/disable-account.js';
import { holderTokenStanding } from '../../../app/holder-tokens.js';
import { looksLikeSignInLink, redeemSignInLink } from '../../../app/sign-in-links.js';
import type { ClosureConsent } from '../../../domain/closure.js';
import { OffboardError } from '../../../domain/errors.js';
import type { ErrorCode } from '../../../domain/errors.js';
import type { PageKey } from '../../../domain/messages.js';
import { exportFilePath, exportFileType } from '../../http/routes/exports.js';
import { verifyHolderToken } from '../../http/tokens.js';
import { FORM_ERRORS } from '../error-page.js';
import { formatDuration } from '../format.js';
import type { Form, WebKit } from '../kit.js';
import { checkCsrf, formOf, langOf, sendFragment, sendPage, seeOther, sessionOf } from '../kit.js';
import type { PageModule } from '../plugin.js';
import { clearSessionCookie, csrfToken, newSession, setSessionCookie } from '../session.js';
import type { HolderSession } from '../session.js';
import { loadAccount } from './account-state.js';
import { exportSummary, latestSummary, prepareStatements, zipStream } from './statements.js';
import {
  AccountPage,
  BlockersSection,
  ClosePage,
  ClosurePage,
  CodePage,
  DisabledPage,
  ExportPage,
  SignInPage,
  StateSection,
  SupportPage,
} from './views.js';

/** Longer than any sign-in link or holder token; a longer value is cut, then refused. */
const MAX_TOKEN = 4096;

/*
 * The holder's self-service page, /account: sign-in, the account's state, every blocker,
 * statements, disable, and closing with its one-time code. Every action is a form POST
 * checked against the session's CSRF token and answered with a redirect; an expected
 * refusal (a wrong code, a missing consent) goes back to the form with `?error=CODE`,
 * told in the holder's words.
 */

const errorWords = (request: FastifyRequest): PageKey | null => {
  const code = (request.query as Record<string, unknown>)['error'];
  return typeof code === 'string' ? (FORM_ERRORS[code as ErrorCode] ?? null) : null;
};

const CONSENT_FIELDS: readonly (keyof ClosureConsent)[] = [
  'sweepDust',
  'cancelOrders',
  'revokeApps',
];

interface Holder {
  session: HolderSession;
  accountId: string;
  actor: Actor;
  csrf: string;
  /** The account is closed: the session may read its state and statements, nothing else. */
  closed: boolean;
}

export const holderPages: PageModule = (web: FastifyInstance, kit: WebKit) => {
  const { ctx } = kit.services;

  /**
   * The signed-in holder, or null after answering with the way to sign in. A session from
   * before the account was disabled is dead, like the holder tokens of that time.
   */
  const holder = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { write: boolean },
  ): Promise<Holder | null> => {
    const session = sessionOf(kit, request, 'holder');
    if (!session) {
      await toSignIn(request, reply, null);
      return null;
    }
    const standing = await holderTokenStanding(ctx.app, session.subject, session.issuedAt);
    if (standing === 'revoked') {
      clearSessionCookie(request, reply, 'holder');
      await toSignIn(request, reply, 'revoked');
      return null;
    }
    if (standing === 'closed' && options.write)
      throw new OffboardError(
        'OFFBOARD_ERR_ACCOUNT_CLOSED',
        'the account is closed: its page shows its state and statements, nothing else',
      );
    // The confirm rate limit counts per account, as for the API (rate-limit.ts).
    request.principal = { kind: 'holder', accountId: session.subject, issuedAt: session.issuedAt };
    if (options.write) checkCsrf(kit, session, request);
    return {
      session,
      accountId: session.subject,
      actor: { kind: 'holder', id: session.subject },
      csrf: csrfToken(kit.key, session),
      closed: standing === 'closed',
    };
  };

  /** Not signed in: a page answers with a redirect, an htmx refresh with a redirect header. */
  const toSignIn = async (
    request: FastifyRequest,
    reply: FastifyReply,
    problem: 'revoked' | null,
  ): Promise<void> => {
    const to = problem ? `/account/sign-in?problem=${problem}` : '/account/sign-in';
    if (request.headers['hx-request'] === 'true') {
      await reply.header('hx-redirect', to).status(200).send('');
      return;
    }
    await seeOther(reply, to);
  };

  /** Runs a holder's action; an expected refusal goes back to `back` with its code. */
  const act = async (
    reply: FastifyReply,
    back: string,
    action: () => Promise<string>,
  ): Promise<FastifyReply> => {
    try {
      return seeOther(reply, await action());
    } catch (error) {
      if (error instanceof OffboardError && FORM_ERRORS[error.code]) {
        const join = back.includes('?') ? '&' : '?';
        return seeOther(reply, `${back}${join}error=${error.code}`);
      }
      throw error;
    }
  };

  web.get('/account/sign-in', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const lang = langOf(request);
    const token = typeof query['token'] === 'string' ? query['token'].slice(0, MAX_TOKEN) : null;
    const problem = query['problem'] === 'revoked' ? 'signin.revoked' : null;
    // A GET never signs in: link scanners and prefetchers would spend a one-time link.
    return sendPage(reply, 200, <SignInPage lang={lang} problem={problem} token={token} />);
  });

  web.post('/account/sign-in', async (request, reply) => {
    const lang = langOf(request);
    const token = formOf(request)['token']?.trim().slice(0, MAX_TOKEN) ?? '';
    const now = ctx.clock.now();
    const accountId = token === '' ? null : await signInAccount(kit, token, now);
    if (!accountId)
      return sendPage(reply, 401, <SignInPage lang={lang} problem="signin.invalid" />);
    setSessionCookie(request, reply, kit.key, newSession('holder', accountId, now));
    return seeOther(reply, '/account');
  });

  web.post('/account/sign-out', async (request, reply) => {
    const session = sessionOf(kit, request, 'holder');
    if (session) checkCsrf(kit, session, request);
    clearSessionCookie(request, reply, 'holder');
    return seeOther(reply, '/account/sign-in');
  });

  web.get('/account', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    const lang = langOf(request);
    const view = await loadAccount(ctx, h.accountId, lang);
    const done = (request.query as Record<string, unknown>)['done'];
    return sendPage(
      reply,
      200,
      <AccountPage
        view={view}
        lang={lang}
        csrf={h.csrf}
        latest={kit.statements ? await latestSummary(kit.statements, h.accountId) : null}
        statements={kit.statements !== null}
        flash={done === 'cancelled' ? 'state.cancelled' : null}
        error={errorWords(request)}
      />,
    );
  });

  web.get('/account/fragments/state', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    const lang = langOf(request);
    const view = await loadAccount(ctx, h.accountId, lang);
    return sendFragment(reply, <StateSection view={view} lang={lang} csrf={h.csrf} />);
  });

  web.get('/account/fragments/blockers', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    const lang = langOf(request);
    const view = await loadAccount(ctx, h.accountId, lang);
    return sendFragment(reply, <BlockersSection view={view} lang={lang} />);
  });

  web.get('/account/support', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    return sendPage(
      reply,
      200,
      <SupportPage lang={langOf(request)} csrf={h.csrf} accountId={h.accountId} />,
    );
  });

  web.get('/account/close', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    const lang = langOf(request);
    const view = await loadAccount(ctx, h.accountId, lang);
    if (view.state !== 'active' && view.state !== 'frozen')
      return seeOther(reply, view.state === 'requested' ? '/account/close/code' : '/account');
    const consent = (request.query as Record<string, unknown>)['consent'];
    const { gracePeriodMs } = ctx.rules(view.jurisdiction);
    // The periods the policy keeps this jurisdiction's records for (docs/retention.md).
    const periods = ctx.app.erasure?.retention(view.jurisdiction) ?? null;
    return sendPage(
      reply,
      200,
      <ClosePage
        view={view}
        lang={lang}
        csrf={h.csrf}
        checked={typeof consent === 'string' ? [consent] : []}
        grace={formatDuration(gracePeriodMs, lang)}
        retention={{
          transactions: periods ? formatDuration(periods.transactionsMs, lang) : '—',
          kyc: periods ? formatDuration(periods.identityMs, lang) : '—',
        }}
        error={errorWords(request)}
      />,
    );
  });

  web.post('/account/close', async (request, reply) => {
    const h = await holder(request, reply, { write: true });
    if (!h) return reply;
    const form: Form = formOf(request);
    const consent = Object.fromEntries(
      CONSENT_FIELDS.map((field) => [field, form[field] === 'yes']),
    ) as unknown as ClosureConsent;
    return act(reply, '/account/close', async () => {
      await requestClosure(ctx.app, ctx.rules, {
        accountId: h.accountId,
        consent,
        confirmed: false,
        actor: h.actor,
      });
      return '/account/close/code';
    });
  });

  web.get('/account/close/code', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    const lang = langOf(request);
    const view = await loadAccount(ctx, h.accountId, lang);
    if (view.state !== 'requested' || !view.closure) return seeOther(reply, '/account');
    return sendPage(
      reply,
      200,
      <CodePage
        lang={lang}
        csrf={h.csrf}
        expiresAt={view.closure.confirmationExpiresAt}
        error={errorWords(request)}
      />,
    );
  });

  web.post(
    '/account/close/confirm',
    { config: { rateLimitGroup: 'confirm' } },
    async (request, reply) => {
      const h = await holder(request, reply, { write: true });
      if (!h) return reply;
      const code = (formOf(request)['code'] ?? '').slice(0, 20);
      return act(reply, '/account/close/code', async () => {
        await confirmClosure(ctx.app, ctx.rules, {
          accountId: h.accountId,
          code,
          actor: h.actor,
        });
        return '/account/closure';
      });
    },
  );

  web.get('/account/closure', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    const lang = langOf(request);
    const view = await loadAccount(ctx, h.accountId, lang);
    if (!view.closure) return seeOther(reply, '/account');
    return sendPage(reply, 200, <ClosurePage view={view} lang={lang} csrf={h.csrf} />);
  });

  web.post('/account/closure/cancel', async (request, reply) => {
    const h = await holder(request, reply, { write: true });
    if (!h) return reply;
    return act(reply, '/account', async () => {
      await cancelClosure(ctx.app, ctx.rules, { accountId: h.accountId, actor: h.actor });
      return '/account?done=cancelled';
    });
  });

  web.post('/account/disable', async (request, reply) => {
    const h = await holder(request, reply, { write: true });
    if (!h) return reply;
    return act(reply, '/account', async () => {
      const rules = ctx.rules(await ctx.jurisdiction(h.accountId));
      await disableAccount(ctx.app, rules, {
        accountId: h.accountId,
        reason: 'the holder disabled the account from the web page',
        actor: h.actor,
      });
      // Disabling signs the holder out everywhere, this browser included.
      clearSessionCookie(request, reply, 'holder');
      return '/account/disabled';
    });
  });

  web.get('/account/disabled', async (request, reply) =>
    sendPage(reply, 200, <DisabledPage lang={langOf(request)} />),
  );

  web.post('/account/statements', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    // A closed account may still export: checked here, as `write` would refuse it.
    checkCsrf(kit, h.session, request);
    const config = statementsOrThrow(kit);
    const id = await prepareStatements(ctx, config, h.accountId);
    return seeOther(reply, `/account/statements/${id}`);
  });

  web.get('/account/statements/:exportId', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    const { exportId } = request.params as { exportId: string };
    const summary = await exportSummary(statementsOrThrow(kit), h.accountId, exportId);
    if (!summary) throw notFound(exportId);
    return sendPage(
      reply,
      200,
      <ExportPage lang={langOf(request)} csrf={h.csrf} summary={summary} />,
    );
  });

  web.get('/account/statements/:exportId/:file', async (request, reply) => {
    const h = await holder(request, reply, { write: false });
    if (!h) return reply;
    const { exportId, file } = request.params as { exportId: string; file: string };
    const config = statementsOrThrow(kit);
    if (file === 'statements.zip') {
      const zip = await zipStream(config, h.accountId, exportId);
      if (!zip) throw notFound(exportId);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="statements-${exportId}.zip"`)
        .send(zip);
    }
    const found = await exportFilePath(config, h.accountId, exportId, file);
    if (!found) throw notFound(exportId);
    return reply
      .type(exportFileType(file))
      .header('content-length', found.size)
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(createReadStream(found.path));
  });
};

const notFound = (exportId: string) =>
  new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no statements ${exportId} for this account`);

function statementsOrThrow(kit: WebKit) {
  if (!kit.statements)
    throw new OffboardError(
      'OFFBOARD_ERR_SIGNING_KEY',
      'statement exports are not configured on this service (no signing key)',
    );
  return kit.statements;
}

/**
 * The account a sign-in token opens, or null: a sandbox one-time link, or a holder token
 * from the platform (the API's JWT) that is in date and issued after any disable.
 */
async function signInAccount(kit: WebKit, token: string, now: Date): Promise<string | null> {
  const { ctx } = kit.services;
  if (looksLikeSignInLink(token)) return redeemSignInLink(ctx.app, token, now);
  const claims = await verifyHolderToken(kit.tokenSecret, token, now);
  if (!claims) return null;
  const standing = await holderTokenStanding(ctx.app, claims.accountId, claims.issuedAt);
  return standing === 'revoked' ? null : claims.accountId;
}

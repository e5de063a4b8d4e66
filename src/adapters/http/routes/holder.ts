import { Type } from 'typebox';
import { redeemDisableLink } from '../../../app/disable-account.js';
import { OffboardError } from '../../../domain/errors.js';
import type { App, Services } from '../app.js';
import { callerFor } from '../auth.js';
import {
  ClosureRequested,
  ClosureResult,
  ClosureStatus,
  Disabled,
  EmptyBody,
  LangQuery,
  StringEnum,
  Verdict,
  errors,
  Closed,
  Consent,
  Reason,
} from '../schemas.js';
import { disabledPage, disableLinkPage, sendPage, wantsPage } from '../pages.js';
import * as accounts from './accounts.js';

const HOLDER = { access: { holder: true } } as const;
// What a closed account's token may still do: read where things stand.
const HOLDER_READ = { access: { holder: true, closedAccount: true } } as const;

export const CodeBody = Closed({
  code: Type.String({
    minLength: 1,
    maxLength: 20,
    description: 'The one-time code sent to every channel on file',
  }),
});

export function registerHolderRoutes(app: App, services: Services): void {
  const { ctx } = services;

  app.get(
    '/v1/me',
    {
      config: HOLDER_READ,
      schema: {
        tags: ['holder'],
        summary: 'The account this token is for',
        response: {
          200: Closed({
            accountId: Type.String(),
            status: StringEnum(['active', 'disabled', 'frozen', 'closed'] as const),
            jurisdiction: Type.String(),
          }),
          ...errors(404),
        },
      },
    },
    async (request) => {
      const caller = callerFor(request);
      const facts = await ctx.app.platform.facts(caller.accountId);
      if (!facts)
        throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${caller.accountId}"`);
      return { accountId: facts.accountId, status: facts.status, jurisdiction: facts.jurisdiction };
    },
  );

  app.get(
    '/v1/me/eligibility',
    {
      config: HOLDER_READ,
      schema: {
        tags: ['holder'],
        summary: "Why can't I close my account? Every blocker at once, each with its fix",
        querystring: LangQuery,
        response: { 200: Verdict, ...errors(404) },
      },
    },
    async (request) =>
      accounts.eligibility(services, callerFor(request), request.query.lang ?? 'en', 'holder'),
  );

  app.get(
    '/v1/me/closure',
    {
      config: HOLDER_READ,
      schema: {
        tags: ['holder'],
        summary: 'My latest closure and its last verdict',
        querystring: LangQuery,
        response: { 200: ClosureStatus, ...errors(404) },
      },
    },
    async (request) =>
      accounts.status(services, callerFor(request), request.query.lang ?? 'en', 'holder'),
  );

  app.post(
    '/v1/me/closure',
    {
      config: HOLDER,
      schema: {
        tags: ['holder'],
        summary: 'Request closure',
        description:
          'Accepted when only waits and automatic actions the holder consents to stand in the way; refused with the full verdict (409 OFFBOARD_ERR_NOT_ELIGIBLE) otherwise. A one-time code goes to every channel on file: confirm with it.',
        body: Closed({ consent: Type.Optional(Consent) }),
        response: { 201: ClosureRequested, ...errors(403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const result = await accounts.request(services, callerFor(request), {
        consent: request.body.consent,
      });
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/v1/me/closure/confirm',
    {
      config: { ...HOLDER, rateLimitGroup: 'confirm' },
      schema: {
        tags: ['holder'],
        summary: 'Confirm closure with the one-time code',
        body: CodeBody,
        response: { 200: ClosureResult, ...errors(403, 404, 409, 422, 429) },
      },
    },
    async (request) => accounts.confirm(services, callerFor(request), request.body.code),
  );

  app.post(
    '/v1/me/closure/cancel',
    {
      config: HOLDER,
      schema: {
        tags: ['holder'],
        summary: 'Cancel closure (until finalization starts)',
        body: EmptyBody,
        response: { 200: ClosureResult, ...errors(403, 404, 409) },
      },
    },
    async (request) => accounts.cancel(services, callerFor(request)),
  );

  app.post(
    '/v1/me/disable',
    {
      config: HOLDER,
      schema: {
        tags: ['holder'],
        summary: 'Disable my account at once',
        description:
          'Revokes API keys, sessions, devices and withdrawal addresses, cancels open orders and cancellable withdrawals, blocks login (this token stops working). Balances stay. Re-enabling needs support.',
        body: Closed({
          reason: Type.Optional(
            Reason(
              'Why, in the holder’s words (kept in the disablement record; the audit log records only who asked)',
            ),
          ),
        }),
        response: { 200: Disabled, ...errors(403, 404, 409) },
      },
    },
    async (request) =>
      accounts.disable(
        services,
        callerFor(request),
        request.body.reason ?? 'the holder disabled the account',
      ),
  );

  const LinkParams = Closed({
    token: Type.String({
      minLength: 1,
      maxLength: 400,
      description: 'The token of a disable link from a security notification',
    }),
  });

  app.post(
    '/v1/disable-links/:token',
    {
      config: { access: { public: true }, rateLimitGroup: 'disable-link', page: true },
      schema: {
        tags: ['holder'],
        summary: 'Disable an account through the link in a notification (no login)',
        description:
          'The holder’s kill switch, even when an attacker holds the password. Each link works once and expires; it is used up only when the account is disabled. A browser (`Accept: text/html` without `application/json`, as the link page’s button sends) gets an HTML page saying what happened, errors included; other clients get JSON.',
        params: LinkParams,
        body: EmptyBody,
        produces: ['application/json', 'text/html'],
        response: { 200: Disabled, ...errors(404, 409, 429) },
      },
    },
    async (request, reply) => {
      const result = await redeemDisableLink(
        ctx.app,
        async (id) => ctx.rules(await ctx.jurisdiction(id)),
        request.params.token,
      );
      if (wantsPage(request)) return sendPage(reply, 200, disabledPage(result));
      return result;
    },
  );

  // A link in an e-mail is opened with GET, and mail scanners open links too: GET only
  // shows a button; the POST behind it disables.
  app.get(
    '/v1/disable-links/:token',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['holder'],
        summary: 'The page a disable link opens: one button that disables the account',
        params: LinkParams,
        produces: ['text/html'],
        response: { 200: Type.String({ description: 'An HTML page with a form' }) },
      },
    },
    async (request, reply) => sendPage(reply, 200, disableLinkPage(request.params.token)),
  );
}

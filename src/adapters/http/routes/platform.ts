import { Type } from 'typebox';
import { enableAccount } from '../../../app/disable-account.js';
import { assertHolderTokenMintable } from '../../../app/holder-tokens.js';
import { auditPage, listClosures, listMailbox, verifyAuditChain } from '../../../app/records.js';
import { scanAccounts } from '../../../app/scan.js';
import { CLOSURE_STATES } from '../../../domain/closure.js';
import type { ClosureState } from '../../../domain/closure.js';
import { BLOCKER_CODES } from '../../../domain/eligibility.js';
import { LANGS } from '../../../domain/messages.js';
import type { App, Services } from '../app.js';
import { callerFor } from '../auth.js';
import {
  AccountParams,
  AuditEntry,
  ClosurePage,
  ClosureRequested,
  ClosureResult,
  ClosureStatus,
  Closed,
  Consent,
  Disabled,
  EmptyBody,
  Reason,
  StringEnum,
  Verdict,
  errors,
} from '../schemas.js';
import { mintHolderToken } from '../tokens.js';
import { auditView, closureView } from '../views.js';
import * as accounts from './accounts.js';
import { CodeBody } from './holder.js';

const MAX_GRACE_S = 366 * 86_400;
const MAX_TOKEN_TTL_S = 30 * 86_400;

const ViewQuery = Closed({
  lang: Type.Optional(
    StringEnum(LANGS, { description: 'Language of messages and fixes (default en)' }),
  ),
  audience: Type.Optional(
    StringEnum(['holder', 'agent'] as const, {
      description:
        'holder (default): what the holder may be told; agent: hold kinds, reasons and details too',
    }),
  ),
});

const Limit = (max: number, fallback: number) =>
  Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: max,
      default: fallback,
      description: `At most this many (default ${fallback})`,
    }),
  );

export function registerPlatformRoutes(app: App, services: Services): void {
  const { ctx } = services;
  const readOrHolder = { access: { scope: 'read', holder: true, closedAccount: true } } as const;
  const write = { access: { scope: 'write' } } as const;
  const admin = { access: { scope: 'admin' } } as const;

  app.get(
    '/v1/accounts/:id/eligibility',
    {
      config: readOrHolder,
      schema: {
        tags: ['platform'],
        summary: "Why can't this account be closed? Every blocker at once",
        params: AccountParams,
        querystring: ViewQuery,
        response: { 200: Verdict, ...errors(403, 404) },
      },
    },
    async (request) =>
      accounts.eligibility(
        services,
        callerFor(request, request.params.id),
        request.query.lang ?? 'en',
        request.query.audience ?? 'holder',
      ),
  );

  app.get(
    '/v1/accounts/:id/closure',
    {
      config: readOrHolder,
      schema: {
        tags: ['platform'],
        summary: "The account's latest closure and its last verdict",
        params: AccountParams,
        querystring: ViewQuery,
        response: { 200: ClosureStatus, ...errors(403, 404) },
      },
    },
    async (request) =>
      accounts.status(
        services,
        callerFor(request, request.params.id),
        request.query.lang ?? 'en',
        request.query.audience ?? 'holder',
      ),
  );

  app.post(
    '/v1/accounts/:id/closure',
    {
      config: write,
      schema: {
        tags: ['platform'],
        summary: 'Request closure on the holder’s behalf',
        description:
          'As the holder route, plus: `confirmed` when the platform re-authenticated the holder itself (no code is sent), and `graceSeconds` to override the policy’s grace period.',
        params: AccountParams,
        body: Closed({
          consent: Type.Optional(Consent),
          confirmed: Type.Optional(
            Type.Boolean({ description: 'The platform already re-authenticated the holder' }),
          ),
          graceSeconds: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: MAX_GRACE_S,
              description: 'Grace period instead of the policy’s',
            }),
          ),
        }),
        response: { 201: ClosureRequested, ...errors(403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { consent, confirmed, graceSeconds } = request.body;
      const result = await accounts.request(services, callerFor(request, request.params.id), {
        consent,
        confirmed,
        gracePeriodMs: graceSeconds === undefined ? undefined : graceSeconds * 1000,
      });
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/v1/accounts/:id/closure/confirm',
    {
      config: { ...write, rateLimitGroup: 'confirm' },
      schema: {
        tags: ['platform'],
        summary: 'Confirm closure with the holder’s one-time code',
        params: AccountParams,
        body: CodeBody,
        response: { 200: ClosureResult, ...errors(403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      accounts.confirm(services, callerFor(request, request.params.id), request.body.code),
  );

  app.post(
    '/v1/accounts/:id/closure/cancel',
    {
      config: write,
      schema: {
        tags: ['platform'],
        summary: 'Cancel closure (until finalization starts)',
        params: AccountParams,
        body: EmptyBody,
        response: { 200: ClosureResult, ...errors(403, 404, 409) },
      },
    },
    async (request) => accounts.cancel(services, callerFor(request, request.params.id)),
  );

  app.post(
    '/v1/accounts/:id/disable',
    {
      config: write,
      schema: {
        tags: ['platform'],
        summary: 'Disable the account at once',
        params: AccountParams,
        body: Closed({
          reason: Reason(
            'Why (kept in the disablement record, never shown to the holder; the audit log records only who asked)',
          ),
        }),
        response: { 200: Disabled, ...errors(403, 404, 409) },
      },
    },
    async (request) =>
      accounts.disable(services, callerFor(request, request.params.id), request.body.reason),
  );

  app.post(
    '/v1/accounts/:id/enable',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary:
          'Enable a disabled account again (after the policy’s minimum wait and re-verification)',
        params: AccountParams,
        body: Closed({
          reverified: Type.Optional(
            Type.Boolean({ description: 'The platform has re-verified the holder' }),
          ),
        }),
        response: {
          200: Closed({
            accountId: Type.String(),
            disablementId: Type.Integer(),
            enabledAt: Type.String(),
          }),
          ...errors(403, 404, 409, 422),
        },
      },
    },
    async (request) => {
      const caller = callerFor(request, request.params.id);
      const rules = ctx.rules(await ctx.jurisdiction(caller.accountId));
      const result = await enableAccount(ctx.app, rules, {
        accountId: caller.accountId,
        reverified: request.body.reverified ?? false,
        actor: caller.actor,
      });
      return { accountId: caller.accountId, ...result };
    },
  );

  app.post(
    '/v1/accounts/:id/holder-token',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Mint a holder token for the account',
        description:
          'For platforms that do not sign holder tokens themselves: hand it to the signed-in holder. Refused (409 OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE) for a disabled or closed account.',
        params: AccountParams,
        body: Closed({
          ttlSeconds: Type.Optional(
            Type.Integer({
              minimum: 60,
              maximum: MAX_TOKEN_TTL_S,
              description: 'Lifetime (default 3600)',
            }),
          ),
        }),
        response: {
          201: Closed({ token: Type.String(), expiresAt: Type.String() }),
          ...errors(403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const caller = callerFor(request, request.params.id);
      // 404 for an unknown account, 409 for a disabled or closed one.
      await assertHolderTokenMintable(ctx.app, caller.accountId);
      const minted = mintHolderToken(
        services.secret,
        caller.accountId,
        ctx.clock.now(),
        (request.body.ttlSeconds ?? 3600) * 1000,
      );
      return reply
        .status(201)
        .send({ token: minted.token, expiresAt: minted.expiresAt.toISOString() });
    },
  );

  app.get(
    '/v1/closures',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['platform'],
        summary: 'Closures, newest first',
        querystring: Closed({
          state: Type.Optional(
            StringEnum([...CLOSURE_STATES, 'open'] as const, {
              description: 'One state, or open (requested, grace, finalizing, escalated)',
            }),
          ),
          account: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          cursor: Type.Optional(
            Type.String({
              pattern: '^[0-9]{1,16}\\.[^\\s]{1,200}$',
              description: 'The `next` of the previous page',
            }),
          ),
          limit: Limit(500, 50),
        }),
        response: { 200: ClosurePage, ...errors(403) },
      },
    },
    async (request) => {
      const { state, account, cursor, limit } = request.query;
      const dot = cursor?.indexOf('.') ?? -1;
      const page = await listClosures(ctx.app, {
        accountId: account,
        state: state as ClosureState | 'open' | undefined,
        cursor:
          cursor && dot > 0
            ? { createdAt: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) }
            : undefined,
        limit: limit ?? 50,
      });
      return {
        closures: page.closures.map((s) => closureView(s.closure, 'platform')),
        next: page.next,
      };
    },
  );

  app.post(
    '/v1/scan',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Evaluate every account: how many are eligible, how many carry each blocker',
        description:
          'Reads every account in batches; on a large platform this takes a while (`offboard scan` shows progress).',
        body: Closed({
          jurisdiction: Type.Optional(
            Type.String({
              pattern: '^[A-Z]{2}$',
              description: 'Only this ISO 3166 alpha-2 jurisdiction',
            }),
          ),
        }),
        response: {
          200: Closed({
            accounts: Type.Integer(),
            eligible: Type.Integer(),
            blockers: Closed(Object.fromEntries(BLOCKER_CODES.map((c) => [c, Type.Integer()]))),
          }),
          ...errors(403),
        },
      },
    },
    async (request) =>
      scanAccounts(ctx.app, ctx.rules, {
        now: ctx.clock.now(),
        jurisdiction: request.body.jurisdiction,
      }),
  );

  app.get(
    '/v1/audit',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'The hash-chained audit log, in order',
        querystring: Closed({
          account: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'Only entries about this account',
            }),
          ),
          after: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: Number.MAX_SAFE_INTEGER,
              description: 'Entries after this sequence number',
            }),
          ),
          limit: Limit(1000, 100),
        }),
        response: {
          200: Closed({
            entries: Type.Array(AuditEntry),
            next: Type.Union([Type.Integer(), Type.Null()], {
              description: 'Pass as after for the next page',
            }),
          }),
          ...errors(403),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const entries = await auditPage(ctx.app, {
        accountId: request.query.account,
        afterSeq: request.query.after ?? 0,
        limit,
      });
      return {
        entries: entries.map(auditView),
        next: entries.length === limit ? entries[entries.length - 1]!.seq : null,
      };
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary:
          'Walk every audit chain and stored checkpoint and name the first entry altered, removed or reordered',
        response: {
          200: Closed({
            intact: Type.Boolean(),
            entries: Type.Integer(),
            headSeq: Type.Optional(Type.Integer()),
            chains: Type.Optional(Type.Integer({ description: 'Chains walked' })),
            checkpoints: Type.Optional(Type.Integer({ description: 'Checkpoints checked' })),
            chain: Type.Optional(
              Type.Union([Type.Integer(), Type.Null()], {
                description: 'The broken chain: 0 system, 1..P accounts, null legacy',
              }),
            ),
            seq: Type.Optional(
              Type.Integer({ description: "The bad entry's position in its chain" }),
            ),
            problem: Type.Optional(Type.String()),
            message: Type.Optional(Type.String()),
          }),
          ...errors(403),
        },
      },
    },
    async () => verifyAuditChain(ctx.app),
  );

  app.get(
    '/v1/sandbox/mailbox',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary:
          'The sandbox mailbox: messages sent to holders (one-time codes, closure news, disable links)',
        description: 'The sandbox notifier keeps messages here instead of sending them.',
        querystring: Closed({
          account: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          limit: Limit(200, 20),
        }),
        response: {
          200: Closed({
            messages: Type.Array(
              Closed({
                id: Type.Integer(),
                accountId: Type.String(),
                channel: Type.String(),
                address: Type.String(),
                template: Type.String(),
                subject: Type.String(),
                body: Type.String(),
                createdAt: Type.String(),
              }),
            ),
          }),
          ...errors(403),
        },
      },
    },
    async (request) => {
      const messages = await listMailbox(ctx.app, {
        accountId: request.query.account,
        limit: request.query.limit ?? 20,
      });
      return { messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })) };
    },
  );
}

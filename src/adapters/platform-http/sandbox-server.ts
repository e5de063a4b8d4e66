import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountFacts } from '../../domain/facts.js';
import { OffboardError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import { toErrorResponse } from '../http/errors.js';
import { readLedgerFacts } from '../ledger/ledger-facts.js';
import { BuiltinLedger, PLATFORM_HOLDER_ID } from '../ledger/ledger.js';
import { seedScenarios } from '../ledger/scenarios.js';
import type { Database } from '../store/database.js';
import { PlatformIdempotencyRepository } from '../store/platform-idempotency-repository.js';
import * as C from './contract.js';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyRequest,
} from './signing.js';

/*
 * The sandbox platform server: the builtin ledger served through the platform contract,
 * as a platform would serve its own. Every request is signed; every write is idempotent by
 * its Idempotency-Key, remembered in this server's own database.
 */

export interface SandboxDeps {
  database: Database;
  clock: Clock;
  /** The shared HMAC secret (OFFBOARD_PLATFORM_SECRET). */
  secret: string;
  /** Serve the test-only fixtures endpoints. */
  testMode: boolean;
  /** Scenario fixtures: how many transactions demo-whale gets (small by default). */
  whaleTransactions?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

const json = (schema: unknown) => ({ 200: schema, '4xx': C.ErrorBody });

export async function buildSandboxApp(deps: SandboxDeps) {
  const ledger = new BuiltinLedger(deps.database, deps.clock);
  const keys = new PlatformIdempotencyRepository(deps.database.db);
  const app = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  // The signature covers the exact bytes sent: keep them beside the parsed body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(
        new OffboardError('OFFBOARD_ERR_INVALID_REQUEST', 'the body is not valid JSON'),
        undefined,
      );
    }
  });

  // Before validation: an unsigned request learns nothing, not even what its body lacks.
  app.addHook('preValidation', async (request) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const verdict = verifyRequest(
      deps.secret,
      {
        method: request.method,
        path: request.url,
        idempotencyKey: header(IDEMPOTENCY_HEADER) ?? null,
        body: request.rawBody ?? '',
        timestamp: header(TIMESTAMP_HEADER),
        signature: header(SIGNATURE_HEADER),
      },
      deps.clock.now(),
    );
    if (!verdict.ok) throw new OffboardError(verdict.code, verdict.message);
    if (request.method === 'POST' && request.body === undefined) request.body = {};
  });

  app.setErrorHandler((error, request, reply) => sendContractError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendContractError(
      request,
      reply,
      new OffboardError(
        'OFFBOARD_ERR_UNKNOWN_ROUTE',
        `no route ${request.method} ${request.url.split('?')[0]}; docs/platform-contract.md lists them`,
      ),
    ),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'offboard platform contract',
        version: C.CONTRACT_VERSION,
        description:
          'What a platform implements so offboard can read facts about its accounts and act on them. Every request is signed (offboard-timestamp, offboard-signature: HMAC-SHA256, 5-minute window); every POST carries an Idempotency-Key remembered for at least 30 days. Amounts are decimal-integer strings of minor units, instants RFC 3339 UTC. Errors are {"error":{"code","message"}}. docs/platform-contract.md explains each rule.',
      },
      components: {
        securitySchemes: {
          signature: {
            type: 'apiKey',
            in: 'header',
            name: SIGNATURE_HEADER,
            description:
              'v1=hex(HMAC-SHA256(secret, METHOD\\nPATH\\nTIMESTAMP\\nIDEMPOTENCY-KEY\\nBODY)), with offboard-timestamp',
          },
        },
      },
      security: [{ signature: [] }],
    },
  });

  /**
   * Runs a write once per Idempotency-Key: a repeat of the same request gets the first
   * answer; the key with another method, path or body is refused with 409. Refusals are not
   * remembered: repeating one asks again.
   */
  const once = async <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    run: (ledgerKey: string) => Promise<T>,
  ) => {
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))
      throw new OffboardError(
        'OFFBOARD_ERR_PLATFORM_KEY_MISSING',
        'send an Idempotency-Key header of 1 to 200 visible ASCII characters on every POST',
      );
    const requestHash = createHash('sha256')
      .update(`${request.method}\n${request.url}\n${request.rawBody ?? ''}`)
      .digest('hex');
    let answer = await keys.find(key);
    if (!answer) {
      // The ledger's own idempotency makes a racing duplicate act once as well.
      const result = await run(`platform:${key}`);
      answer = await keys.remember(
        key,
        { requestHash, status: 200, response: JSON.stringify(result) },
        deps.clock.now(),
      );
    }
    if (answer.requestHash !== requestHash)
      throw new OffboardError(
        'OFFBOARD_ERR_PLATFORM_KEY_REUSED',
        `Idempotency-Key "${key}" was used before for another request; use a new key`,
      );
    return reply
      .code(answer.status)
      .header('content-type', 'application/json')
      .send(answer.response);
  };

  const requireAccount = async (accountId: string) => {
    const row = await deps.database.db
      .selectFrom('accounts')
      .select(['id', 'holder_id'])
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!row || row.holder_id === PLATFORM_HOLDER_ID)
      throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${accountId}"`);
  };
  const requireAsset = async (code: string) => {
    const row = await deps.database.db
      .selectFrom('assets')
      .select('code')
      .where('code', '=', code)
      .executeTakeFirst();
    if (!row) throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ASSET', `no asset "${code}"`);
  };
  const requireOwned = async (
    table: 'orders' | 'authorizations' | 'credentials' | 'holds',
    id: string,
    accountId: string,
  ) => {
    await requireAccount(accountId);
    const row = await deps.database.db
      .selectFrom(table)
      .select('account_id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.account_id !== accountId)
      throw new OffboardError(
        'OFFBOARD_ERR_NOT_FOUND',
        `no ${table.slice(0, -1)} "${id}" on ${accountId}`,
      );
  };
  const status = async (accountId: string) => {
    const row = await ledger.account(accountId);
    return { accountId, status: row.status };
  };

  const P = C.PREFIX;

  app.post(
    `${P}/facts/query`,
    {
      schema: {
        summary: 'Facts of many accounts at once',
        body: C.FactsQuery,
        response: json(C.FactsBatch),
      },
    },
    async (request) => {
      const found = await readLedgerFacts(deps.database, request.body.accountIds);
      const ids = [...new Set(request.body.accountIds)];
      return {
        accounts: ids.flatMap((id) => {
          const facts = found.get(id);
          return facts ? [factsToWire(facts)] : [];
        }),
        missing: ids.filter((id) => !found.has(id)),
      };
    },
  );

  app.get(
    `${P}/accounts/:accountId/facts`,
    {
      schema: { summary: "One account's facts", params: C.AccountParams, response: json(C.Facts) },
    },
    async (request) => {
      const facts = (await readLedgerFacts(deps.database, [request.params.accountId])).get(
        request.params.accountId,
      );
      if (!facts)
        throw new OffboardError(
          'OFFBOARD_ERR_UNKNOWN_ACCOUNT',
          `no account "${request.params.accountId}"`,
        );
      return factsToWire(facts);
    },
  );

  app.get(
    `${P}/accounts`,
    {
      schema: {
        summary: 'Account ids in id order',
        querystring: C.ListQuery,
        response: json(C.AccountList),
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      let query = deps.database.db
        .selectFrom('accounts')
        .select('id')
        .where('holder_id', '!=', PLATFORM_HOLDER_ID)
        .orderBy('id')
        .limit(limit);
      if (request.query.after !== undefined) query = query.where('id', '>', request.query.after);
      if (request.query.jurisdiction !== undefined)
        query = query.where('jurisdiction', '=', request.query.jurisdiction);
      const accountIds = (await query.execute()).map((r) => r.id);
      return {
        accountIds,
        next: accountIds.length === limit ? accountIds[accountIds.length - 1]! : null,
      };
    },
  );

  app.get(
    `${P}/accounts/count`,
    {
      schema: {
        summary: 'How many accounts there are',
        querystring: C.CountQuery,
        response: json(C.Count),
      },
    },
    async (request) => {
      let query = deps.database.db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('holder_id', '!=', PLATFORM_HOLDER_ID);
      if (request.query.jurisdiction !== undefined)
        query = query.where('jurisdiction', '=', request.query.jurisdiction);
      return { count: Number((await query.executeTakeFirstOrThrow()).n) };
    },
  );

  app.get(
    `${P}/accounts/:accountId/contact`,
    {
      schema: {
        summary: "The holder's name, channels and jurisdiction",
        params: C.AccountParams,
        response: json(C.Contact),
      },
    },
    async (request) => {
      const row = await deps.database.db
        .selectFrom('accounts')
        .innerJoin('holders', 'holders.id', 'accounts.holder_id')
        .select([
          'holders.name',
          'holders.email',
          'holders.phone',
          'accounts.jurisdiction',
          'accounts.holder_id',
        ])
        .where('accounts.id', '=', request.params.accountId)
        .executeTakeFirst();
      if (!row || row.holder_id === PLATFORM_HOLDER_ID)
        throw new OffboardError(
          'OFFBOARD_ERR_UNKNOWN_ACCOUNT',
          `no account "${request.params.accountId}"`,
        );
      return { name: row.name, email: row.email, phone: row.phone, jurisdiction: row.jurisdiction };
    },
  );

  const statusAction = (
    path: string,
    summary: string,
    act: (id: string, key: string) => Promise<unknown>,
  ) =>
    app.post(
      `${P}/accounts/:accountId/${path}`,
      {
        schema: { summary, params: C.AccountParams, body: C.Empty, response: json(C.StatusResult) },
      },
      (request, reply) =>
        once(request, reply, async (key) => {
          await requireAccount(request.params.accountId);
          await act(request.params.accountId, key);
          return status(request.params.accountId);
        }),
    );
  statusAction('freeze', 'Freeze: deposits are returned, nothing leaves', (id, key) =>
    ledger.freeze(id, { idempotencyKey: key }),
  );
  statusAction('unfreeze', 'Lift a freeze', (id, key) =>
    ledger.unfreeze(id, { idempotencyKey: key }),
  );
  statusAction('close', 'Mark closed, for good', (id, key) =>
    ledger.close(id, { idempotencyKey: key }),
  );

  app.post(
    `${P}/accounts/:accountId/disabled`,
    {
      schema: {
        summary: 'Disable or enable logins and activity',
        params: C.AccountParams,
        body: C.DisabledBody,
        response: json(C.StatusResult),
      },
    },
    (request, reply) =>
      once(request, reply, async (key) => {
        await requireAccount(request.params.accountId);
        await ledger.setStatus(
          request.params.accountId,
          request.body.disabled ? 'disabled' : 'active',
          {
            idempotencyKey: key,
          },
        );
        return status(request.params.accountId);
      }),
  );

  app.post(
    `${P}/accounts/:accountId/sweep-dust`,
    {
      schema: {
        summary: "Move an asset's whole available balance to the platform",
        params: C.AccountParams,
        body: C.SweepBody,
        response: json(C.SweepResult),
      },
    },
    (request, reply) =>
      once(request, reply, async (key) => {
        await requireAccount(request.params.accountId);
        await requireAsset(request.body.asset);
        const amount = await ledger.sweepDust(request.params.accountId, request.body.asset, {
          idempotencyKey: key,
        });
        return {
          accountId: request.params.accountId,
          asset: request.body.asset,
          amount: amount.toString(),
        };
      }),
  );

  const recordAction = (
    path: string,
    table: 'orders' | 'authorizations' | 'credentials' | 'holds',
    summary: string,
    act: (accountId: string, id: string, key: string) => Promise<unknown>,
  ) =>
    app.post(
      `${P}/accounts/:accountId/${path}`,
      { schema: { summary, params: C.SubjectParams, body: C.Empty, response: json(C.DoneResult) } },
      (request, reply) =>
        once(request, reply, async (key) => {
          const { accountId, id } = request.params;
          await requireOwned(table, id, accountId);
          await act(accountId, id, key);
          return { accountId, id };
        }),
    );
  recordAction(
    'orders/:id/cancel',
    'orders',
    'Cancel an open order and release its funds',
    (_a, id, key) => ledger.cancelOrder(id, { idempotencyKey: key }),
  );
  recordAction(
    'authorizations/:id/revoke',
    'authorizations',
    'Revoke a third-party authorization for good',
    async (_a, id) => {
      // A revoked grant stays revoked: revoking twice has one effect.
      const row = await deps.database.db
        .selectFrom('authorizations')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      if (row.status === 'active') await ledger.revokeAuthorization(id);
    },
  );
  recordAction(
    'credentials/:id/revoke',
    'credentials',
    'Revoke a credential for good',
    async (_a, id) => {
      const row = await deps.database.db
        .selectFrom('credentials')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      if (row.status === 'active') await ledger.revokeCredential(id);
    },
  );
  recordAction('holds/:id/lift', 'holds', 'Lift a hold', async (accountId, id) => {
    const row = await deps.database.db
      .selectFrom('holds')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (row.status === 'active') await ledger.liftHold(id);
  });

  app.post(
    `${P}/accounts/:accountId/withdrawals/:id/cancel`,
    {
      schema: {
        summary: 'Stop a cancellable pending withdrawal and release its funds',
        params: C.SubjectParams,
        body: C.Empty,
        response: json(C.DoneResult),
      },
    },
    (request, reply) =>
      once(request, reply, async (key) => {
        const { accountId, id } = request.params;
        await requireAccount(accountId);
        const row = /^\d{1,15}$/.test(id)
          ? await deps.database.db
              .selectFrom('transactions')
              .select(['account_id', 'status', 'type', 'cancellable'])
              .where('id', '=', Number(id))
              .executeTakeFirst()
          : undefined;
        if (!row || row.account_id !== accountId || row.type !== 'withdrawal')
          throw new OffboardError(
            'OFFBOARD_ERR_NOT_FOUND',
            `no withdrawal "${id}" on ${accountId}`,
          );
        if (row.status === 'pending') {
          if (!row.cancellable)
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_STATE',
              `withdrawal "${id}" can no longer be stopped`,
            );
          await ledger.failWithdrawal(Number(id), { idempotencyKey: key });
        }
        return { accountId, id };
      }),
  );

  app.post(
    `${P}/accounts/:accountId/holds`,
    {
      schema: {
        summary: 'Place a hold',
        params: C.AccountParams,
        body: C.HoldBody,
        response: json(C.DoneResult),
      },
    },
    (request, reply) =>
      once(request, reply, async () => {
        const { accountId } = request.params;
        await requireAccount(accountId);
        await ledger.placeHold(accountId, request.body);
        return { accountId, id: request.body.id };
      }),
  );

  app.get(
    `${P}/accounts/:accountId/transactions`,
    {
      schema: {
        summary: 'Transactions, oldest first, in cursor pages',
        params: C.AccountParams,
        querystring: C.TransactionsQuery,
        response: json(C.TransactionPage),
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await requireAccount(accountId);
      const limit = request.query.limit ?? 500;
      const after = request.query.after;
      if (after !== undefined && !/^\d{1,15}$/.test(after))
        throw new OffboardError(
          'OFFBOARD_ERR_INVALID_ARGUMENT',
          '`after` must be the `next` cursor of an earlier page',
        );
      // Ids only grow, so a page boundary never moves: a transaction recorded meanwhile
      // comes after every page already read.
      let query = deps.database.db
        .selectFrom('transactions')
        .innerJoin('assets', 'assets.code', 'transactions.asset')
        .selectAll('transactions')
        .select('assets.decimals')
        .where('transactions.account_id', '=', accountId)
        .orderBy('transactions.id')
        .limit(limit);
      if (after !== undefined) query = query.where('transactions.id', '>', Number(after));
      const rows = await query.execute();
      return {
        transactions: rows.map((r) => ({
          id: String(r.id),
          asset: r.asset,
          decimals: Number(r.decimals),
          type: r.type,
          amount: BigInt(r.amount).toString(),
          fee: BigInt(r.fee).toString(),
          status: r.status,
          counterparty: r.counterparty,
          reference: r.reference,
          createdAt: new Date(Number(r.created_at)).toISOString(),
          completedAt:
            r.completed_at === null ? null : new Date(Number(r.completed_at)).toISOString(),
        })),
        next: rows.length === limit ? String(rows[rows.length - 1]!.id) : null,
      };
    },
  );

  if (deps.testMode) {
    app.post(
      `${P}/test/fixtures`,
      {
        schema: {
          summary: 'Test mode only: create the demo scenario accounts',
          body: C.FixturesBody,
          response: json(C.FixturesResult),
        },
      },
      (request, reply) =>
        once(request, reply, async () => {
          const seeded = await seedScenarios(deps.database, deps.clock, {
            whaleTransactions: deps.whaleTransactions ?? 200,
          });
          return { accountIds: seeded.accounts };
        }),
    );
    app.post(
      `${P}/test/accounts/:accountId/deposits`,
      {
        schema: {
          summary: 'Test mode only: money arrives for the account',
          params: C.AccountParams,
          body: C.DepositBody,
          response: json(C.DepositResult),
        },
      },
      (request, reply) =>
        once(request, reply, async (key) => {
          const { accountId } = request.params;
          await requireAccount(accountId);
          await requireAsset(request.body.asset);
          const amount = BigInt(request.body.amount);
          if (amount <= 0n)
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_AMOUNT',
              'a deposit amount must be positive',
            );
          const result = await ledger.deposit(accountId, request.body.asset, amount, {
            idempotencyKey: key,
            ...(request.body.counterparty ? { counterparty: request.body.counterparty } : {}),
          });
          return { transactionId: String(result.transactionId), returned: result.returned };
        }),
    );
  }
  return app;
}

export type SandboxApp = Awaited<ReturnType<typeof buildSandboxApp>>;

/** The one error shape of the contract: `{"error":{"code","message"}}`, never a stack. */
function sendContractError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const { status, body } = toErrorResponse(error, request.id);
  return reply.code(status).send({ error: { code: body.error.code, message: body.error.message } });
}

/** Facts as the contract carries them: amounts as decimal strings, instants as RFC 3339. */
export function factsToWire(f: AccountFacts) {
  const iso = (d: Date) => d.toISOString();
  const isoOrNull = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    accountId: f.accountId,
    status: f.status,
    jurisdiction: f.jurisdiction,
    openedAt: iso(f.openedAt),
    balances: f.balances.map((b) => ({
      asset: b.asset,
      decimals: b.decimals,
      available: b.available.toString(),
      locked: b.locked.toString(),
      allowNegative: b.allowNegative,
      priceMinorPerUnit: b.priceMinorPerUnit === null ? null : b.priceMinorPerUnit.toString(),
    })),
    openOrders: f.openOrders.map((o) => ({
      ...o,
      locked: o.locked.toString(),
      createdAt: iso(o.createdAt),
    })),
    pendingTransfers: f.pendingTransfers.map((t) => ({
      ...t,
      amount: t.amount.toString(),
      createdAt: iso(t.createdAt),
    })),
    disputes: f.disputes.map((d) => ({
      ...d,
      amount: d.amount.toString(),
      openedAt: iso(d.openedAt),
    })),
    authorizations: f.authorizations.map((a) => ({ ...a, grantedAt: iso(a.grantedAt) })),
    credentials: f.credentials.map((c) => ({ ...c, createdAt: iso(c.createdAt) })),
    holds: f.holds.map((h) => ({ ...h, placedAt: iso(h.placedAt) })),
    lastActivity: {
      trade: isoOrNull(f.lastActivity.trade),
      withdrawal: isoOrNull(f.lastActivity.withdrawal),
      deposit: isoOrNull(f.lastActivity.deposit),
      securityChange: isoOrNull(f.lastActivity.securityChange),
    },
  };
}

/** The OpenAPI 3.1 document of the contract, generated from the routes' schemas. */
export async function contractDocument(): Promise<Record<string, unknown>> {
  const { openDatabase } = await import('../store/database.js');
  // The routes need a database only to answer; building them needs none open for long.
  const database = await openDatabase('sqlite::memory:');
  try {
    const app = await buildSandboxApp({
      database,
      clock: { now: () => new Date() },
      secret: 'contract',
      testMode: true,
    });
    await app.ready();
    const document = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return document;
  } finally {
    await database.close();
  }
}

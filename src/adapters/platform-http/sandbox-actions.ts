import { OffboardError } from '../../domain/errors.js';
import { seedScenarioCopy, seedScenarios } from '../ledger/scenarios.js';
import * as C from './contract.js';
import { json } from './sandbox-kit.js';
import type { SandboxApp, SandboxTools } from './sandbox-kit.js';

/** The contract's writes, each once per Idempotency-Key; and the test-mode fixtures. */
export function registerActionRoutes(app: SandboxApp, tools: SandboxTools): void {
  const { deps, ledger, platform, once, requireAccount, requireAsset, requireOwned, status } =
    tools;
  const P = C.PREFIX;

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
  statusAction('unfreeze', 'Lift a freeze', async (id, key) => {
    // The ledger's unfreeze is a no-op on a closed account; the contract refuses it, so
    // nothing ever looks like it reopened one.
    if ((await ledger.account(id)).status === 'closed')
      throw new OffboardError(
        'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE',
        `account "${id}" is closed for good`,
      );
    return ledger.unfreeze(id, { idempotencyKey: key });
  });
  app.post(
    `${P}/accounts/:accountId/erase`,
    {
      schema: {
        summary: "Erase the personal data of a closed account's records in the given classes",
        params: C.AccountParams,
        body: C.EraseBody,
        response: json(C.EraseResult),
      },
    },
    (request, reply) =>
      once(request, reply, async (key) => {
        await requireAccount(request.params.accountId);
        const answer = await ledger.erase(request.params.accountId, request.body.classes, {
          idempotencyKey: key,
        });
        return { accountId: request.params.accountId, ...answer };
      }),
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
    (accountId, id, key) => platform.revokeAuthorization(accountId, id, key),
  );
  recordAction(
    'credentials/:id/revoke',
    'credentials',
    'Revoke a credential for good',
    (accountId, id, key) => platform.revokeCredential(accountId, id, key),
  );
  recordAction('holds/:id/lift', 'holds', 'Lift a hold', (accountId, id) =>
    platform.liftHold(accountId, id),
  );

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
          const options = { whaleTransactions: deps.whaleTransactions ?? 200 };
          const { scenario, accountId } = request.body;
          if (scenario === undefined && accountId === undefined) {
            const seeded = await seedScenarios(deps.database, deps.clock, options);
            return { accountIds: seeded.accounts };
          }
          if (scenario === undefined || accountId === undefined)
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_REQUEST',
              'send both `scenario` and `accountId` to copy a scenario, or neither',
            );
          await seedScenarioCopy(deps.database, deps.clock, `demo-${scenario}`, accountId, options);
          return { accountIds: [accountId] };
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
}

import { OffboardError } from '../../domain/errors.js';
import type { AccountFacts } from '../../domain/facts.js';
import { readLedgerFacts } from '../ledger/ledger-facts.js';
import { PLATFORM_HOLDER_ID } from '../ledger/ledger.js';
import * as C from './contract.js';
import { json } from './sandbox-kit.js';
import type { SandboxApp, SandboxTools } from './sandbox-kit.js';

/** The contract's reads: facts, listing, counting, contact, transaction pages. */
export function registerReadRoutes(app: SandboxApp, tools: SandboxTools): void {
  const { deps, requireAccount } = tools;
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

import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { OffboardError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import { BuiltinLedger, PLATFORM_HOLDER_ID } from '../ledger/ledger.js';
import { LedgerPlatform, requireOwnedRecord } from '../ledger/ledger-platform.js';
import type { OwnedRecordTable } from '../ledger/ledger-platform.js';
import type { Database } from '../store/database.js';
import { PlatformIdempotencyRepository } from '../store/platform-idempotency-repository.js';
import * as C from './contract.js';
import { IDEMPOTENCY_HEADER } from './signing.js';

/** What the sandbox platform server's routes share: the app's type, its deps, the helpers. */

export type SandboxApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

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

/** A route's responses: the answer, and the one error shape for every 4xx. */
export const json = (schema: unknown) => ({ 200: schema, '4xx': C.ErrorBody });

export function sandboxTools(deps: SandboxDeps) {
  const ledger = new BuiltinLedger(deps.database, deps.clock);
  // The builtin ledger's own port implementation: the sandbox serves exactly its semantics.
  const platform = new LedgerPlatform(deps.database, ledger);
  const keys = new PlatformIdempotencyRepository(deps.database.db);

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
      // The ledger's own idempotency makes a racing duplicate act once as well: the loser's
      // transaction fails on the ledger's key and rolls back; run again, it reads the
      // winner's result, so both callers get the first answer rather than a 409.
      const result = await run(`platform:${key}`).catch((error: unknown) => {
        if (
          error instanceof Error &&
          /UNIQUE constraint failed|duplicate key value/i.test(error.message)
        )
          return run(`platform:${key}`);
        throw error;
      });
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
  const requireOwned = async (table: OwnedRecordTable, id: string, accountId: string) => {
    await requireAccount(accountId);
    await requireOwnedRecord(deps.database, table, id, accountId);
  };
  const status = async (accountId: string) => {
    const row = await ledger.account(accountId);
    return { accountId, status: row.status };
  };

  return { deps, ledger, platform, once, requireAccount, requireAsset, requireOwned, status };
}

export type SandboxTools = ReturnType<typeof sandboxTools>;

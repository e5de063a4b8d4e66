import { Migrator } from 'kysely';
import type { Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, verifyAudit } from '../../src/adapters/store/audit-repository.js';
import { openDatabase } from '../../src/adapters/store/database.js';
import type { Database } from '../../src/adapters/store/database.js';
import { migrateToLatest } from '../../src/adapters/store/migrate.js';
import { MIGRATIONS } from '../../src/adapters/store/migrations/index.js';
import { storeOf } from '../../src/adapters/store/repositories.js';
import { sandboxKeyring } from '../../src/adapters/crypto/keyring.js';
import { GENESIS_HASH, hashInput } from '../../src/domain/audit-chain.js';
import type { AuditEntryContent } from '../../src/domain/audit-chain.js';
import { createTestDatabase } from '../support/databases.js';

// A log written by the single-chain offboard (migrations 001..004) keeps verifying after
// migration 006: its rows become the legacy chain, and new entries go to the new chains.

describe.each(['sqlite', 'postgres'] as const)('the legacy audit chain [%s]', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const test = await createTestDatabase(dialect);
    database = await openDatabase(test.url);
    dispose = async () => {
      await database.close();
      await test.dispose();
    };
    const before006 = MIGRATIONS.filter((m) => m.name < '005');
    const migrator = new Migrator({
      db: database.db,
      provider: {
        getMigrations: () =>
          Promise.resolve(
            Object.fromEntries(
              before006.map((m): [string, Migration] => [
                m.name,
                { up: (db) => m.up(db, database.store.columnTypes, { auditChains: 16 }) },
              ]),
            ),
          ),
      },
      migrationTableName: 'offboard_migrations',
      migrationLockTableName: 'offboard_migrations_lock',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    // The old writer: one chain, positions are `seq`, one head row.
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 4; seq++) {
      const content: AuditEntryContent = {
        at: 1_000 + seq,
        actorKind: 'worker',
        actorId: 'w',
        action: 'closure.timer',
        accountId: `old-${seq % 2}`,
        data: '{}',
      };
      const hash = sha256(hashInput(seq, prev, content));
      await database.db
        .insertInto('audit_log')
        .values({
          seq,
          at: content.at,
          actor_kind: content.actorKind,
          actor_id: content.actorId,
          action: content.action,
          account_id: content.accountId,
          data: content.data,
          prev_hash: prev,
          hash,
        } as never)
        .execute();
      prev = hash;
    }
    await database.db.insertInto('audit_head').values({ id: 1, seq: 4, hash: prev }).execute();
    await migrateToLatest(database, { auditChains: 4 });
  });
  afterAll(async () => dispose());

  it('verifies the old chain and the new ones together, with the chain count chosen', async () => {
    const { repos } = storeOf(database, await sandboxKeyring(database));
    const added = await repos.audit.append({
      at: 2_000,
      actorKind: 'agent',
      actorId: 'a',
      action: 'account.disable',
      accountId: 'old-1',
      data: '{}',
    });
    expect(added.chain).toBeGreaterThanOrEqual(1);
    expect(added.chain).toBeLessThanOrEqual(4);
    expect(added.seq).toBe(5); // the row id goes on from the old log's
    expect(await verifyAudit(database)).toMatchObject({ intact: true, entries: 5, chains: 6 });
    expect((await repos.audit.heads())[0]).toMatchObject({ chain: null, seq: 4 });
  });

  it('names an altered entry of the legacy chain', async () => {
    await database.db
      .updateTable('audit_log')
      .set({ data: '{"x":1}' })
      .where('seq', '=', 3)
      .execute();
    expect(await verifyAudit(database)).toMatchObject({
      intact: false,
      chain: null,
      seq: 3,
      problem: 'altered',
    });
  });
});

describe('the number of audit chains', () => {
  it('is read from OFFBOARD_AUDIT_CHAINS, and a bad value is refused with a clear error', async () => {
    const { auditChainsFromEnv } = await import('../../src/adapters/store/migrate.js');
    expect(auditChainsFromEnv({})).toEqual({});
    expect(auditChainsFromEnv({ OFFBOARD_AUDIT_CHAINS: '64' })).toEqual({ auditChains: 64 });
    for (const bad of ['0', '2000', 'many', '1.5'])
      expect(() => auditChainsFromEnv({ OFFBOARD_AUDIT_CHAINS: bad })).toThrow(
        expect.objectContaining({
          code: 'OFFBOARD_ERR_INVALID_ARGUMENT',
          message: expect.stringContaining(`not "${bad}"`),
        }),
      );
  });
});

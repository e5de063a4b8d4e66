import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeOf } from '../../src/adapters/store/repositories.js';
import { sandboxKeyring } from '../../src/adapters/crypto/keyring.js';
import type { Database } from '../../src/adapters/store/database.js';
import type { Store } from '../../src/ports/unit-of-work.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

// The repositories and the unit of work on real databases: what a use case relies on.

const NOW = new Date('2026-06-01T12:00:00Z');
const agent = { kind: 'agent' as const, id: 'agent-1' };

describe.each(DIALECTS)('repositories on %s', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  let store: Store;

  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
    store = storeOf(database, await sandboxKeyring(database));
  });
  afterAll(async () => dispose());

  it('commits what a unit of work wrote together, audit entry included', async () => {
    await store.unitOfWork.run(async (repos) => {
      await repos.outbox.emit('test.committed', 'acc-commit', { n: 1 }, NOW);
      await repos.audit.append({
        at: NOW.getTime(),
        actorKind: 'agent',
        actorId: 'agent-1',
        action: 'test.commit',
        accountId: 'acc-commit',
        data: '{}',
      });
    });
    expect((await store.repos.audit.forAccount('acc-commit')).map((e) => e.action)).toEqual([
      'test.commit',
    ]);
    expect((await store.repos.audit.verify()).intact).toBe(true);
  });

  it('rolls back everything a unit of work wrote when it throws', async () => {
    await expect(
      store.unitOfWork.run(async (repos) => {
        await repos.disablements.insert({
          accountId: 'acc-rollback',
          disabledAt: NOW,
          reason: 'test',
          actor: agent,
          enableNotBefore: NOW,
        });
        await repos.audit.append({
          at: NOW.getTime(),
          actorKind: 'agent',
          actorId: 'agent-1',
          action: 'test.rollback',
          accountId: 'acc-rollback',
          data: '{}',
        });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await store.repos.disablements.findOpen('acc-rollback')).toBeNull();
    expect(await store.repos.audit.forAccount('acc-rollback')).toEqual([]);
    expect((await store.repos.audit.verify()).intact).toBe(true);
  });

  it('enables a disablement once: a second enable finds nothing to do', async () => {
    const id = await store.repos.disablements.insert({
      accountId: 'acc-enable',
      disabledAt: NOW,
      reason: 'test',
      actor: agent,
      enableNotBefore: NOW,
    });
    expect(await store.repos.disablements.findOpen('acc-enable')).toEqual({
      id,
      disabledAt: NOW,
      enableNotBefore: NOW,
    });
    expect(await store.repos.disablements.markEnabled(id, NOW)).toBe(true);
    expect(await store.repos.disablements.markEnabled(id, NOW)).toBe(false);
    expect(await store.repos.disablements.findOpen('acc-enable')).toBeNull();
  });

  it('uses a disable link once, and says why it cannot be used again', async () => {
    await store.repos.disableLinks.insert({
      tokenHash: 'hash-1',
      accountId: 'acc-link',
      createdAt: NOW,
      expiresAt: new Date(NOW.getTime() + 60_000),
    });
    expect(await store.repos.disableLinks.problem('hash-1')).toBeNull();
    expect(await store.repos.disableLinks.consume('hash-1', NOW)).toBeNull();
    expect(await store.repos.disableLinks.consume('hash-1', NOW)).toBe('used');
    expect(await store.repos.disableLinks.problem('hash-never-issued')).toBe('unknown');
  });

  it('uses a sign-in link once, and never after it expires; of two racing uses one wins', async () => {
    const link = (tokenHash: string, ttlMs: number) =>
      store.repos.signInLinks.insert({
        tokenHash,
        accountId: 'acc-sign-in',
        createdAt: NOW,
        expiresAt: new Date(NOW.getTime() + ttlMs),
      });
    await link('sign-in-1', 60_000);
    expect(await store.repos.signInLinks.consume('sign-in-1', NOW)).toBe('acc-sign-in');
    expect(await store.repos.signInLinks.consume('sign-in-1', NOW)).toBeNull();
    await link('sign-in-2', 60_000);
    expect(
      await store.repos.signInLinks.consume('sign-in-2', new Date(NOW.getTime() + 60_000)),
    ).toBeNull();
    expect(await store.repos.signInLinks.consume('sign-in-never-issued', NOW)).toBeNull();
    await link('sign-in-3', 60_000);
    const raced = await Promise.all([
      store.repos.signInLinks.consume('sign-in-3', NOW),
      store.repos.signInLinks.consume('sign-in-3', NOW),
    ]);
    expect(raced.filter((r) => r !== null)).toEqual(['acc-sign-in']);
  });

  it('only ever moves a holder-token cutoff forward', async () => {
    await store.repos.holderTokens.raiseCutoff('acc-cutoff', 2000);
    await store.repos.holderTokens.raiseCutoff('acc-cutoff', 1000);
    expect(await store.repos.holderTokens.gate('acc-cutoff')).toEqual({
      notBefore: 2000,
      closed: false,
    });
  });

  it('settles an approval once: the second decision loses', async () => {
    await store.repos.approvals.insert({
      id: 'apr-1',
      action: 'hold.lift',
      accountId: 'acc-apr',
      subject: 'hold-1',
      note: 'n',
      requestedBy: 'agent-1',
      requestedAt: NOW,
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
    });
    expect((await store.repos.approvals.findPending('hold.lift', 'hold-1'))?.id).toBe('apr-1');
    expect(await store.repos.approvals.settle('apr-1', 'approved', 'agent-2', NOW)).toBe(true);
    expect(await store.repos.approvals.settle('apr-1', 'declined', 'agent-3', NOW)).toBe(false);
    expect(await store.repos.approvals.get('apr-1')).toMatchObject({
      status: 'approved',
      decidedBy: 'agent-2',
      decidedAt: NOW,
    });
  });

  it('keeps API keys as records and revokes an active one once', async () => {
    await store.repos.apiKeys.insert({
      id: 'key-1',
      name: 'test',
      secretHash: 'ab',
      scopes: ['read', 'admin'],
      createdAt: NOW,
      revokedAt: null,
    });
    expect(await store.repos.apiKeys.find('key-1')).toEqual({
      id: 'key-1',
      name: 'test',
      secretHash: 'ab',
      scopes: ['read', 'admin'],
      createdAt: NOW,
      revokedAt: null,
    });
    expect(await store.repos.apiKeys.revoke('key-1', NOW)).toBe(true);
    expect(await store.repos.apiKeys.revoke('key-1', NOW)).toBe(false);
  });
});

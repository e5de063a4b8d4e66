import { sandboxKeyring } from '../../src/adapters/crypto/keyring.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeOf } from '../../src/adapters/store/repositories.js';
import type { Database } from '../../src/adapters/store/database.js';
import type { Store } from '../../src/ports/unit-of-work.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

// What the agent console stores and reads, on real databases: one-time sign-in links (the
// holder's too) and the disabled accounts its queue lists.

const NOW = new Date('2026-06-01T12:00:00Z');
const LATER = new Date(NOW.getTime() + 3_600_000);

describe.each(DIALECTS)('agent console storage on %s', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  let store: Store;

  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
    store = storeOf(database, await sandboxKeyring(database));
  });
  afterAll(async () => dispose());

  it('redeems a sign-in link exactly once, even when two redemptions race', async () => {
    const links = store.repos.agentSignInLinks;
    await links.insert({
      tokenHash: 'h-once',
      agentId: 'agent-ana',
      roles: ['support', 'compliance'],
      createdAt: NOW,
      expiresAt: LATER,
    });
    const both = await Promise.all([links.redeem('h-once', NOW), links.redeem('h-once', NOW)]);
    expect(both.filter(Boolean)).toEqual([
      { agentId: 'agent-ana', roles: ['support', 'compliance'] },
    ]);
    expect(await links.redeem('h-once', NOW)).toBeNull();
    expect(await links.redeem('h-unknown', NOW)).toBeNull();
  });

  it('refuses an expired sign-in link', async () => {
    const links = store.repos.agentSignInLinks;
    await links.insert({
      tokenHash: 'h-expired',
      agentId: 'agent-bo',
      roles: ['compliance'],
      createdAt: NOW,
      expiresAt: LATER,
    });
    expect(await links.redeem('h-expired', LATER)).toBeNull();
  });

  it('spends a holder sign-in link exactly once, even when two uses race, and never late', async () => {
    const links = store.repos.signInLinks;
    const link = { accountId: 'acct-1', createdAt: NOW, expiresAt: LATER };
    await links.insert({ ...link, tokenHash: 'h-holder-once' });
    const both = await Promise.all([
      links.consume('h-holder-once', NOW),
      links.consume('h-holder-once', NOW),
    ]);
    expect(both.filter(Boolean)).toEqual(['acct-1']);
    expect(await links.consume('h-holder-once', NOW)).toBeNull();
    expect(await links.consume('h-holder-unknown', NOW)).toBeNull();
    await links.insert({ ...link, tokenHash: 'h-holder-late' });
    expect(await links.consume('h-holder-late', LATER)).toBeNull();
  });

  it('lists open disablements longest-standing first, not the enabled ones', async () => {
    const insert = (accountId: string, at: number) =>
      store.repos.disablements.insert({
        accountId,
        disabledAt: new Date(NOW.getTime() + at),
        reason: 'test',
        actor: { kind: 'agent', id: 'agent-1' },
        enableNotBefore: new Date(NOW.getTime() + at + 86_400_000),
      });
    await insert('acc-second', 2000);
    await insert('acc-first', 1000);
    const enabled = await insert('acc-enabled', 0);
    await store.repos.disablements.markEnabled(enabled, LATER);
    const open = await store.repos.disablements.listOpen(10);
    expect(open.map((d) => d.accountId)).toEqual(['acc-first', 'acc-second']);
    expect(open[0]!.enableNotBefore.getTime()).toBe(NOW.getTime() + 1000 + 86_400_000);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/store/database.js';
import { cli } from '../support/cli.js';
import { DIALECTS, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

// `offboard disable --link` as a holder's helper runs it: with the link pasted from the
// message, on an account that can be disabled and on one that cannot.
describe.each(DIALECTS)('offboard disable --link [%s]', (dialect) => {
  let db: TestDatabase;
  const run = (...args: string[]) => cli([...args, '--db', db.url]);

  /** The whole disable link in the newest message to the account, as the holder sees it. */
  async function mailedLink(account: string): Promise<string> {
    const out = await run('mail', '--account', account, '--limit', '1', '--json');
    expect(out.code, out.stderr).toBe(0);
    const [message] = out.json<{ messages: { body: string }[] }>().messages;
    const link = /(https?:\/\/\S+\/v1\/disable-links\/\S+)/.exec(message?.body ?? '')?.[1];
    expect(link, out.stdout).toBeDefined();
    return link!;
  }

  async function usedLinks(): Promise<number> {
    const database = await openDatabase(db.url);
    try {
      const rows = await database.db
        .selectFrom('disable_links')
        .select('used_at')
        .where('used_at', 'is not', null)
        .execute();
      return rows.length;
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    expect((await run('seed', '--scenarios', '--whale-transactions', '10')).code).toBe(0);
  });
  afterAll(async () => db.dispose());

  it('takes the whole link from the message, not only its last segment', async () => {
    expect((await run('close', 'demo-clean')).code).toBe(0); // mails a code with a disable link
    const link = await mailedLink('demo-clean');
    expect(link).toMatch(/^http:\/\/.*\/v1\/disable-links\/[^/\s]+$/);
    const out = await run('disable', '--link', link);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('demo-clean disabled through its disable link');
    // Used up: the same link, as a bare token this time, is refused as used.
    const again = await run('disable', '--link', link.split('/').pop()!);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('OFFBOARD_ERR_INVALID_LINK');
    expect(again.stderr).toContain('used');
  });

  it('accepts a bare token and a link in angle brackets', async () => {
    expect((await run('close', 'demo-dust', '--consent', 'sweep-dust')).code).toBe(0);
    const bare = (await mailedLink('demo-dust')).split('/').pop()!;
    const out = await run('disable', '--link', bare, '--json');
    expect(out.code, out.stderr).toBe(0);
    expect(out.json()).toMatchObject({ accountId: 'demo-dust' });

    expect((await run('close', 'demo-open-order', '--consent', 'cancel-orders')).code).toBe(0);
    const bracketed = `<${await mailedLink('demo-open-order')}>`;
    expect((await run('disable', '--link', bracketed)).code).toBe(0);
  });

  it('leaves a link working when the disable fails on a closed account', async () => {
    expect((await run('close', 'demo-whale')).code).toBe(0); // a link is mailed while open
    const link = await mailedLink('demo-whale');
    expect((await run('cancel', 'demo-whale')).code).toBe(0);
    expect((await run('close', 'demo-whale', '--confirmed', '--grace', '0')).code).toBe(0);
    expect((await run('work', '--once')).code).toBe(0);
    expect((await run('status', 'demo-whale', '--json')).stdout).toContain('"closed"');
    const used = await usedLinks();
    for (let attempt = 0; attempt < 2; attempt++) {
      const out = await run('disable', '--link', link);
      // Refused for what it is, each time: the account is closed, the link is not "used".
      expect(out.code, out.stderr).toBe(4);
      expect(out.stderr).toContain('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE');
    }
    expect(await usedLinks()).toBe(used);
  });
});

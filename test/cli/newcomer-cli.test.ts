import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { openDatabase } from '../../src/adapters/store/database.js';
import { systemClock } from '../../src/ports/clock.js';
import { cli } from '../support/cli.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('CLI: untrusted text never reaches the terminal raw', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    await cli(['seed', '--scenarios', '--whale-transactions', '10', '--db', db.url]);
  });
  afterAll(async () => db.dispose());
  const run = (...args: string[]) => cli([...args, '--db', db.url]);

  it('escapes an echoed account id: no forged line, no raw escape', async () => {
    const out = await run('check', 'demo\noffboard: OFFBOARD_ERR_FORGED: x\x1b[31m\u202e');
    expect(out.code).toBe(2);
    expect(lines(out.stderr)).toHaveLength(1);
    expect(out.stderr).toMatch(/^offboard: OFFBOARD_ERR_UNKNOWN_ACCOUNT: /);
    expect(out.stderr).toContain('demo\\noffboard: OFFBOARD_ERR_FORGED: x\\x1b[31m\\u202e');
    expect(out.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });

  it('escapes a usage error that echoes its input', async () => {
    const out = await run('ledger', 'balances', 'demo-clean', '--evil\x1b]0;pwned\x07\u2066');
    expect(out.code).toBe(2);
    expect(lines(out.stderr)).toHaveLength(1);
    expect(out.stderr).toContain('--evil\\x1b]0;pwned\\x07\\u2066');
  });

  it('escapes stored text in human output, and leaves JSON exact', async () => {
    const reason = 'case 7\n\x1b[2Joffboard: eligible\u202e';
    const database = await openDatabase(db.url);
    try {
      await new BuiltinLedger(database, systemClock).placeHold('demo-clean', {
        id: 'hold-escape',
        kind: 'fraud',
        reason,
      });
    } finally {
      await database.close();
    }
    const text = await run('check', 'demo-clean', '--audience', 'agent');
    expect(text.stdout).toContain('case 7\\n\\x1b[2Joffboard: eligible\\u202e');
    expect(text.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    const json = await run('check', 'demo-clean', '--audience', 'agent', '--json');
    const verdict = json.json<{ blockers: { code: string; detail?: string; message: string }[] }>();
    expect(verdict.blockers.find((b) => b.code === 'account_hold')?.message).toContain(reason);
  });
});

describe('CLI: usage errors are one line', () => {
  it('prints one line with the code and the --help hint, exit 2', async () => {
    for (const argv of [
      ['ledger', 'deposit', 'x'],
      ['ledger', 'balances', '--nope'],
      ['frobnicate'],
    ]) {
      const out = await cli(argv);
      expect(out.code).toBe(2);
      expect(lines(out.stderr)).toHaveLength(1);
      expect(out.stderr).toMatch(
        /^offboard: OFFBOARD_ERR_USAGE: .+; run `offboard[a-z ]*--help` for usage\n$/,
      );
    }
    expect((await cli(['ledger', 'deposit', 'x'])).stderr).toContain(
      '`offboard ledger deposit --help`',
    );
  });

  it('gives a usage error as JSON with --json', async () => {
    const out = await cli(['ledger', 'balances', '--nope', '--json']);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('');
    expect(out.json<{ error: { code: string } }>().error.code).toBe('OFFBOARD_ERR_USAGE');
  });
});

describe('CLI: migrate says what it did', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => db.dispose());

  it('names the migrations it applied, then says the schema was current', async () => {
    const first = await cli(['migrate', '--db', db.url]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied \d+ migrations on sqlite:.*: 001-ledger, /);
    const again = await cli(['migrate', '--db', db.url]);
    expect(again.stdout).toMatch(/^schema already current on sqlite:.* nothing applied\n$/);
    const json = await cli(['migrate', '--db', db.url, '--json']);
    expect(json.json<{ applied: string[] }>().applied).toEqual([]);
  });
});

describe.each(DIALECTS)('CLI: newcomer findings [%s]', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await cli(['seed', '--scenarios', '--whale-transactions', '10', '--db', db.url]);
  });
  afterAll(async () => db.dispose());
  const run = (...args: string[]) => cli([...args, '--db', db.url]);

  it('says when --whale-transactions cannot apply to an existing demo-whale', async () => {
    const out = await run('seed', '--scenarios', '--whale-transactions', '20');
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(
      /^offboard: notice: demo-whale exists already, so --whale-transactions 20 was not applied/,
    );
    const json = await run('seed', '--scenarios', '--whale-transactions', '20', '--json');
    expect(json.json<{ notices: string[] }>().notices).toHaveLength(1);
    // Without the option there is nothing to say.
    expect((await run('seed', '--scenarios')).stderr).toBe('');
  });

  it('opens an account with a holder, its channels and jurisdiction', async () => {
    const out = await run(
      'ledger',
      'open',
      'ana-1',
      '--holder',
      'Ana Example',
      '--jurisdiction',
      'GB',
      '--email',
      'ana@example.test',
      '--phone',
      '+44 20 7946 0000',
      '--json',
    );
    expect(out.code).toBe(0);
    expect(out.json()).toMatchObject({
      account: 'ana-1',
      holderId: 'holder-ana-1',
      jurisdiction: 'GB',
      email: 'ana@example.test',
    });
    const check = await run('check', 'ana-1');
    expect(check.code).toBe(0);
    expect(
      (await run('ledger', 'balances', 'ana-1', '--json')).json<{ status: string }>().status,
    ).toBe('active');
  });

  it('refuses a duplicate account, a bad jurisdiction and a bad id, with clear codes', async () => {
    await run('ledger', 'open', 'dup-1', '--holder', 'Dup', '--jurisdiction', 'DE');
    const dup = await run('ledger', 'open', 'dup-1', '--holder', 'Dup', '--jurisdiction', 'DE');
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/^offboard: OFFBOARD_ERR_DUPLICATE: account "dup-1" exists already/);
    const scenario = await run(
      'ledger',
      'open',
      'demo-clean',
      '--holder',
      'X',
      '--jurisdiction',
      'DE',
    );
    expect(scenario.stderr).toContain('OFFBOARD_ERR_DUPLICATE');
    const lower = await run('ledger', 'open', 'j-1', '--holder', 'J', '--jurisdiction', 'de');
    expect(lower.code).toBe(2);
    expect(lower.stderr).toMatch(
      /OFFBOARD_ERR_INVALID_ARGUMENT: --jurisdiction .* "de"; did you mean DE\?/,
    );
    for (const bad of ['XX', 'UK', 'DEU'])
      expect(
        (await run('ledger', 'open', 'j-1', '--holder', 'J', '--jurisdiction', bad)).stderr,
      ).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    for (const id of ['a b', '.x', 'x/y', 'é', 'a'.repeat(65)]) {
      const out = await run('ledger', 'open', id, '--holder', 'J', '--jurisdiction', 'DE');
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    }
    expect(
      (
        await run(
          'ledger',
          'open',
          'j-2',
          '--holder',
          'J',
          '--jurisdiction',
          'DE',
          '--email',
          'nope',
        )
      ).stderr,
    ).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    expect(
      (await run('ledger', 'open', 'j-3', '--holder', 'J\x1b[31m', '--jurisdiction', 'DE')).stderr,
    ).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    expect((await run('ledger', 'open', 'j-4', '--jurisdiction', 'DE')).stderr).toMatch(
      /^offboard: OFFBOARD_ERR_USAGE: .*--holder/,
    );
    // Nothing half-made: the refused ids do not exist.
    expect((await run('ledger', 'balances', 'j-1')).stderr).toContain(
      'OFFBOARD_ERR_UNKNOWN_ACCOUNT',
    );
  });

  it('records a reference or memo on deposits and withdrawals', async () => {
    await run('ledger', 'open', 'ref-1', '--holder', 'Ref', '--jurisdiction', 'US');
    const deposit = await run(
      'ledger',
      'deposit',
      'ref-1',
      'USD',
      '10.00',
      '--reference',
      'INV-2026-001',
      '--json',
    );
    expect(deposit.code).toBe(0);
    expect(deposit.json<{ reference: string }>().reference).toBe('INV-2026-001');
    expect(
      (await run('ledger', 'withdraw', 'ref-1', 'USD', '2.50', '--memo', 'rent share')).code,
    ).toBe(0);
    const rows = (await run('ledger', 'transactions', 'ref-1', '--json')).json<{
      transactions: { type: string; reference: string | null }[];
    }>().transactions;
    expect(rows.map((r) => [r.type, r.reference])).toEqual([
      ['deposit', 'INV-2026-001'],
      ['withdrawal', 'rent share'],
    ]);
    expect((await run('ledger', 'transactions', 'ref-1')).stdout).toContain('INV-2026-001');
    const both = await run(
      'ledger',
      'deposit',
      'ref-1',
      'USD',
      '1',
      '--reference',
      'a',
      '--memo',
      'b',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
  });

  it('lists accounts, by status and in pages, and the unknown-account hint points there', async () => {
    const all = (await run('accounts', 'list', '--json', '--limit', '1000')).json<{
      accounts: { id: string; status: string }[];
      next: string | null;
    }>();
    expect(all.accounts.map((a) => a.id)).toEqual(
      expect.arrayContaining(['demo-clean', 'demo-whale', 'ana-1']),
    );
    expect(all.accounts.map((a) => a.id)).not.toContain('platform-dust');
    expect(all.next).toBeNull();
    const page = (await run('accounts', 'list', '--json', '--limit', '2')).json<{
      accounts: { id: string }[];
      next: string;
    }>();
    expect(page.accounts).toHaveLength(2);
    const rest = (
      await run('accounts', 'list', '--json', '--limit', '1000', '--after', page.next)
    ).json<{ accounts: { id: string }[] }>();
    expect([...page.accounts, ...rest.accounts].map((a) => a.id)).toEqual(
      all.accounts.map((a) => a.id),
    );
    expect(
      (await run('accounts', 'list', '--status', 'closed', '--json')).json<{
        accounts: unknown[];
      }>().accounts,
    ).toEqual([]);
    const text = await run('accounts', 'list');
    expect(text.stdout).toMatch(/^ana-1 +active +GB +opened /m);
    const bad = await run('accounts', 'list', '--status', 'gone');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    for (const argv of [
      ['check', 'nobody'],
      ['ledger', 'balances', 'nobody'],
      ['close', 'nobody'],
    ]) {
      const out = await run(...argv);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(
        /^offboard: OFFBOARD_ERR_UNKNOWN_ACCOUNT: .*`offboard accounts list`\n$/,
      );
    }
  });

  it('counts blockers in words that add up', async () => {
    const out = await run('close', 'demo-everything', '--confirmed');
    expect(out.code).toBe(1);
    const head = lines(out.stderr)[0] ?? '';
    const match = /cannot be closed yet: (\d+) blockers; (\d+) needs? the holder or support$/.exec(
      head,
    );
    expect(match, head).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(Number(match?.[2]));
    const one = await run('close', 'demo-balance', '--confirmed');
    expect(lines(one.stderr)[0]).toMatch(/: 1 blocker; it needs the holder or support$/);
  });

  it('states insufficient funds in decimals', async () => {
    await run('ledger', 'open', 'poor-1', '--holder', 'Poor', '--jurisdiction', 'DE');
    await run('ledger', 'deposit', 'poor-1', 'BTC', '0.5');
    const out = await run('ledger', 'withdraw', 'poor-1', 'BTC', '1');
    expect(out.code).toBe(4);
    expect(out.stderr).toContain('has 0.50000000 BTC available, 1.00000000 BTC needed');
  });

  it('shows severities by their names, and a closed account as closed', async () => {
    const balance = await run('check', 'demo-balance');
    expect(balance.stdout).toContain('[balance_remaining, holder_action]');
    expect(balance.stdout).not.toContain(', you]');
    await run('ledger', 'open', 'gone-1', '--holder', 'Gone', '--jurisdiction', 'DE');
    expect((await run('close', 'gone-1', '--confirmed', '--grace', '0')).code).toBe(0);
    expect((await run('work', '--once')).code).toBe(0);
    const check = await run('check', 'gone-1');
    expect(check.code).toBe(1);
    expect(check.stdout).toBe('gone-1: This account is already closed. Nothing to do.\n');
    const close = await run('close', 'gone-1', '--confirmed');
    expect(close.code).toBe(4);
    expect(close.stderr).toBe(
      'offboard: OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE: account "gone-1" is closed already; there is nothing to close\n',
    );
  });

  it('prints the prices `ledger assets --help` promises', async () => {
    const out = await run('ledger', 'assets');
    expect(out.stdout).toMatch(/^BTC +8 decimals, price 60000\.00 USD$/m);
    expect(out.stdout).toMatch(/^USD +2 decimals, price 1\.00 USD, may go negative$/m);
  });
});

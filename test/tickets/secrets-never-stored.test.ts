import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { generateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhn } from '../../src/domain/redaction.js';
import { parseDatabaseUrl } from '../../src/adapters/store/database-url.js';
import { cli } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { openHarness } from '../http/harness.js';
import type { Harness } from '../http/harness.js';

/*
 * Secrets never stored: a scenario through the API and the CLI plants a seed phrase, a
 * private key, a card number, an API token, a one-time code offboard issued and a password
 * in ticket messages (holder's and agents'); then the raw database is searched for each:
 * the SQLite file and its -wal byte for byte, every PostgreSQL table of the schema as
 * text, and the request logs and CLI output. Zero hits — except the one-time code in the
 * sandbox mailbox's confirmation notice, which is where offboard sent it.
 */

function cardNumber(): string {
  for (;;) {
    const digits = `4${[...randomBytes(15)].map((b) => String(b % 10)).join('')}`;
    if (luhn(digits)) return digits;
  }
}

function planted(code: string) {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return {
    seed: generateMnemonic(wordlist),
    privateKey: randomBytes(32).toString('hex'),
    card: cardNumber(),
    token: `ghp_${[...randomBytes(36)].map((b) => alnum[b % alnum.length]).join('')}`,
    code,
    password: `Zq8!${randomBytes(6).toString('hex')}`,
  };
}

describe.each(DIALECTS)('secrets never stored [%s]', (dialect) => {
  let h: Harness;
  let logs = '';

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    h = await openHarness(dialect, { deps: { logger: { level: 'trace', stream } } });
  });
  afterAll(async () => {
    await h.dispose();
  });

  it('keeps every planted secret out of the database, the outbox, the logs and the output', async () => {
    const account = 'demo-cooling-off';
    const holder = h.holder(account);
    expect((await h.call('POST', '/v1/me/closure', { token: holder, body: {} })).status).toBe(201);
    const s = planted(await h.code(account));
    const all = Object.values(s);

    // Through the API: the holder opens a ticket with three secrets, replies with three more.
    const opened = await h.call('POST', '/v1/me/tickets', {
      token: holder,
      body: {
        body: `Help! seed: ${s.seed}. My private key is ${s.privateKey} and card ${s.card}.`,
      },
    });
    expect(opened.status).toBe(201);
    const id = opened.json<{ ticket: { id: string } }>().ticket.id;
    const replied = await h.call('POST', `/v1/me/tickets/${id}/messages`, {
      token: holder,
      body: { body: `token ${s.token}, the code is ${s.code}, my password is ${s.password}` },
    });
    expect(replied.status).toBe(201);
    expect(
      replied
        .json<{ redacted: { kind: string }[] }>()
        .redacted.map((r) => r.kind)
        .sort(),
    ).toEqual(['api_secret', 'one_time_code', 'password']);
    const agent = h.agent('agent-ada', ['support']);
    await h.call('POST', `/v1/agent/tickets/${id}/notes`, {
      token: agent,
      body: { body: `holder pasted card ${s.card} and key ${s.privateKey} earlier` },
    });

    // Through the CLI: the holder opens another ticket and an agent notes and replies.
    const db = ['--db', h.url];
    const outputs: string[] = [];
    const run = async (...args: string[]) => {
      const out = await cli([...db, ...args]);
      outputs.push(out.stdout, out.stderr);
      expect(out.code, out.stderr).toBe(0);
      return out;
    };
    const cliOpened = await run(
      'tickets',
      'open',
      account,
      '--json',
      '--message',
      `again: ${s.seed} / ${s.privateKey} / ${s.card} / ${s.token} / code ${s.code} / password: ${s.password}`,
    );
    const cliId = cliOpened.json<{ ticket: { id: string } }>().ticket.id;
    expect(cliOpened.stderr).toMatch(/redacted before storing/);
    await run(
      'tickets',
      'note',
      cliId,
      '--agent',
      'agent-bo',
      '--message',
      `copy of ${s.token}, password: ${s.password}`,
    );
    await run(
      'tickets',
      'reply',
      cliId,
      '--holder',
      account,
      '--message',
      `pwd=${s.password} ${s.seed}`,
    );
    await run('tickets', 'show', cliId, '--json');
    await run('tickets', 'show', cliId, '--holder', account);
    await run('tickets', 'list', '--json');
    await run('work', '--once');

    const hits = (text: string) => all.filter((secret) => text.includes(secret));
    expect(hits(logs)).toEqual([]);
    expect(hits(outputs.join('\n'))).toEqual([]);

    if (dialect === 'sqlite') {
      const location = parseDatabaseUrl(h.url);
      const path = location.dialect === 'sqlite' ? location.path : '';
      const bytes = ['', '-wal']
        .map((suffix) => `${path}${suffix}`)
        .filter((file) => existsSync(file))
        .map((file) => readFileSync(file).toString('latin1'))
        .join('\n');
      for (const secret of all) {
        const found = [...bytes.matchAll(new RegExp(secret, 'g'))];
        if (secret === s.code) {
          // Only where the sandbox mailbox keeps the confirmation notice offboard sent.
          for (const m of found)
            expect(bytes.slice(m.index - 30, m.index)).toContain('confirm with this code: ');
        } else expect(found, secret.slice(0, 6)).toEqual([]);
      }
    } else {
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
        h.ctx.database.db,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['tickets', 'ticket_messages', 'outbox', 'audit_log']),
      );
      for (const { table_name } of tables.rows) {
        const rows = await sql<{
          t: string;
        }>`select t::text as t from ${sql.table(table_name)} t`.execute(h.ctx.database.db);
        const text = rows.rows.map((r) => r.t).join('\n');
        for (const secret of all) {
          if (secret === s.code && table_name === 'mailbox') {
            for (const m of text.matchAll(new RegExp(secret, 'g')))
              expect(text.slice(m.index - 30, m.index)).toContain('confirm with this code: ');
          } else expect(text.includes(secret), `${table_name}: ${secret.slice(0, 6)}`).toBe(false);
        }
      }
    }
  });
});

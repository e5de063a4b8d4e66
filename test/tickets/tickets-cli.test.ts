import { generateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/adapters/cli/program.js';
import type { CliIo } from '../../src/adapters/cli/output.js';
import { listMail } from '../../src/adapters/store/mailbox-repository.js';
import { openContext } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import { binary } from '../support/cli.js';
import { DIALECTS, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

/*
 * `offboard tickets ...` on a real database of each dialect: the "done when"
 * scenario from the command line, the holder's view without notes, the refused reply's
 * exit code, and `tickets --breaching` with a moved clock (the CLI runs in this process
 * with a FixedClock; one command runs the built binary).
 */

const HOUR = 3_600_000;
const T0 = new Date('2026-05-04T09:00:00Z');

describe.each(DIALECTS)('offboard tickets [%s]', (dialect) => {
  let db: TestDatabase;
  const clock = new FixedClock(T0);

  const run = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      interactive: false,
      env: {},
    };
    const code = await runCli(['--db', db.url, ...args], {
      io,
      openContext: (options) => openContext({ ...options, clock }),
    });
    return {
      code,
      stdout,
      stderr,
      json: <T>() => JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T,
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    expect((await run('seed', '--scenarios', '--whale-transactions', '10')).code).toBe(0);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('runs the dispute scenario from the command line', async () => {
    const seed = generateMnemonic(wordlist);
    const opened = await run(
      'tickets',
      'open',
      'demo-dispute',
      '--blocker',
      'open_dispute',
      '--message',
      `My phrase: ${seed}`,
      '--json',
    );
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).not.toContain(seed);
    expect(opened.stderr).toMatch(/\[redacted: seed phrase\]/);
    expect(opened.stderr).toMatch(/warning: .*seed phrase/);
    const ticket = opened.json<{ ticket: { id: string; category: string } }>().ticket;
    expect(ticket.category).toBe('dispute');

    const unsafe = await run(
      'tickets',
      'reply',
      ticket.id,
      '--agent',
      'agent-ada',
      '--message',
      'Please send us the SMS code so we can verify you.',
    );
    expect(unsafe.code).toBe(2);
    expect(unsafe.stderr).toMatch(/OFFBOARD_ERR_UNSAFE_REPLY/);

    expect(
      (
        await run(
          'tickets',
          'note',
          ticket.id,
          '--agent',
          'agent-ada',
          '--message',
          'NOTE-FOR-AGENTS merchant agreed',
        )
      ).code,
    ).toBe(0);
    expect(
      (await run('tickets', 'assign', ticket.id, '--agent', 'agent-ada', '--priority', 'high'))
        .code,
    ).toBe(0);
    const resolved = await run(
      'tickets',
      'resolve',
      ticket.id,
      '--agent',
      'agent-ada',
      '--message',
      'The dispute is closed in your favour.',
      '--json',
    );
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.json<{ ticket: { state: string } }>().ticket.state).toBe('resolved');

    const holderView = await run(
      'tickets',
      'show',
      ticket.id,
      '--holder',
      'demo-dispute',
      '--json',
    );
    expect(holderView.code).toBe(0);
    expect(holderView.stdout).not.toContain('NOTE-FOR-AGENTS');
    expect(holderView.json<{ messages: { from: string }[] }>().messages.map((m) => m.from)).toEqual(
      ['holder', 'support'],
    );
    const holderText = await run('tickets', 'show', ticket.id, '--holder', 'demo-dispute');
    expect(holderText.stdout).not.toContain('NOTE-FOR-AGENTS');
    expect((await run('tickets', 'show', ticket.id, '--holder', 'demo-balance')).stderr).toMatch(
      /OFFBOARD_ERR_NOT_FOUND/,
    );

    const agentView = await run('tickets', 'show', ticket.id);
    expect(agentView.stdout).toContain('NOTE-FOR-AGENTS');
    expect(agentView.stdout).toContain('[redacted: seed phrase]');

    const ctx = await openContext({ db: db.url, clock });
    try {
      const mail = await listMail(ctx.database, { accountId: 'demo-dispute', limit: 50 });
      expect(mail.some((m) => m.body.includes('in your favour'))).toBe(true);
      expect(mail.some((m) => m.body.includes('NOTE-FOR-AGENTS'))).toBe(false);
    } finally {
      await ctx.close();
    }
  });

  it('lists breaching tickets as the clock moves, and the binary answers --json', async () => {
    const opened = await run(
      'tickets',
      'open',
      'demo-balance',
      '--category',
      'other',
      '--message',
      'Where is my statement?',
      '--json',
    );
    const id = opened.json<{ ticket: { id: string } }>().ticket.id;
    const breaching = async () =>
      (await run('tickets', '--breaching', '--json'))
        .json<{ tickets: { id: string }[] }>()
        .tickets.map((t) => t.id);
    expect(await breaching()).not.toContain(id);
    clock.advance(21 * HOUR);
    expect(await breaching()).toContain(id);
    // The worker's pass drives the SLA timers: one warning, however often it runs.
    expect((await run('work', '--once')).code).toBe(0);
    expect((await run('work', '--once')).code).toBe(0);
    const ctx = await openContext({ db: db.url, clock });
    try {
      const warnings = await ctx.database.db
        .selectFrom('outbox')
        .select('payload')
        .where('event', '=', 'ticket.sla_warning')
        .execute();
      expect(warnings.filter((w) => w.payload.includes(id))).toHaveLength(1);
    } finally {
      await ctx.close();
    }
    clock.set(T0);

    const listed = binary([
      '--db',
      db.url,
      'tickets',
      'list',
      '--account',
      'demo-balance',
      '--json',
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json<{ tickets: { id: string }[] }>().tickets.map((t) => t.id)).toContain(id);
  });
});

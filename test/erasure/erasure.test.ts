import { readFileSync, existsSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCertificateText } from '../../src/adapters/crypto/certificate.js';
import { certificateKey } from '../../src/adapters/crypto/sandbox-signing-key.js';
import { parseDatabaseUrl } from '../../src/adapters/store/database-url.js';
import { requestClosure } from '../../src/app/closures.js';
import { erasureStatus, runErasureBatch } from '../../src/app/erasure.js';
import { liftHold, placeHold } from '../../src/app/holds.js';
import { addNote, agentReply, openSupportTicket } from '../../src/app/tickets.js';
import { verifyAuditChain } from '../../src/app/records.js';
import { workOnce } from '../../src/app/worker.js';
import { YEAR } from '../../src/domain/duration.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import { DIALECTS } from '../support/databases.js';
import { openWorkflowContext } from '../support/workflow-context.js';

/*
 * Retention then erasure, end to end on a real database: a holder with planted personal
 * strings closes their account; nothing is erased one millisecond before the retention
 * ends; a hold suspends the erasure at the end; lifting it lets the erasure run; then the
 * database — every table on PostgreSQL, the raw files (with the WAL) on SQLite — holds
 * none of the planted strings, the certificate verifies and the audit chain is intact.
 * The holder's support ticket (subject, their message, an agent's reply and an internal
 * note) is sealed at rest from the start, kept while the hold stands (with a ticket opened
 * during it), and deleted with the account's data key.
 */

const PLANTED = {
  name: 'Zelda Quincewhistle',
  email: 'zelda.quincewhistle@example.test',
  phone: '+44 7700 900417',
  body: 'my grandmother Ophelia Marchbank left me this wallet',
  ticketSubject: 'Wallet of Ophelia Marchbank',
  ticketBody: 'please send the balance to my cousin Barnaby Thistlewood',
  ticketReply: 'Thank you Zelda, we are looking at the wallet of your grandmother',
  ticketNote: 'holder says the cousin lives at 12 Larkspur Mews',
  heldTicketBody: 'I am still waiting, signed Z. Quincewhistle of Larkspur Mews',
};
/** The ticket's strings: sealed at rest, so never in plain text even before erasure. */
const TICKET_STRINGS = [
  'ticketSubject',
  'ticketBody',
  'ticketReply',
  'ticketNote',
  'heldTicketBody',
] as const;
const ACCOUNT = 'erase-me';
const AGENT = { kind: 'agent' as const, id: 'agent-ada' };
const OWNER = { owner: 'test-eraser', limit: 10, leaseMs: 60_000 };

describe.each(DIALECTS)('retention then erasure [%s]', (dialect) => {
  const clock = new FixedClock(new Date('2026-01-10T12:00:00Z'));
  let ctx: Context;
  let dispose: () => Promise<void>;
  let closedAt: Date;
  let ticketId: string;

  beforeAll(async () => {
    ({ ctx, dispose } = await openWorkflowContext(dialect, clock));
    await ctx.ledger.createHolder({
      id: 'holder-erase-me',
      name: PLANTED.name,
      email: PLANTED.email,
      phone: PLANTED.phone,
    });
    await ctx.ledger.openAccount({ id: ACCOUNT, holderId: 'holder-erase-me', jurisdiction: 'GB' });
    // A message from the holder, kept as a communication record.
    await ctx.app.repos.mailbox.enqueue({
      accountId: ACCOUNT,
      channel: 'email',
      address: PLANTED.email,
      template: 'support.message',
      subject: 'About my account',
      body: PLANTED.body,
      createdAt: clock.now(),
      dedupeKey: 'planted-message',
    });
    // A support ticket: the holder's message, an agent's reply and an internal note.
    const opened = await openSupportTicket(ctx.app, ctx.rules, {
      accountId: ACCOUNT,
      actor: { kind: 'holder', id: ACCOUNT },
      subject: PLANTED.ticketSubject,
      body: PLANTED.ticketBody,
    });
    ticketId = opened.ticket.id;
    await agentReply(ctx.app, ctx.rules, {
      ticketId,
      agentId: AGENT.id,
      body: PLANTED.ticketReply,
    });
    await addNote(ctx.app, ctx.rules, { ticketId, agentId: AGENT.id, body: PLANTED.ticketNote });
    await requestClosure(ctx.app, ctx.rules, {
      accountId: ACCOUNT,
      consent: { sweepDust: false, cancelOrders: false, revokeApps: false },
      confirmed: true,
      gracePeriodMs: 0,
      actor: { kind: 'holder', id: ACCOUNT },
    });
    const moved = await workOnce(ctx.app, ctx.rules, {
      owner: 'w',
      leaseMs: 60_000,
      concurrency: 1,
    });
    expect(moved.map((m) => m.to)).toEqual(['closed']);
    closedAt = clock.now();
  });
  afterAll(async () => dispose?.());

  it('seals the holder’s data at rest: no plain address or body in the mailbox rows', async () => {
    const rows = await ctx.database.db.selectFrom('mailbox').selectAll().execute();
    const text = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThan(1); // the planted message and the closure notices
    for (const planted of [PLANTED.email, PLANTED.phone, PLANTED.body])
      expect(text).not.toContain(planted);
    // ... and it reads back through the repository.
    const mail = await ctx.app.repos.mailbox.list({ accountId: ACCOUNT, limit: 10 });
    expect(mail.map((m) => m.body)).toContain(PLANTED.body);
  });

  it('seals the support ticket at rest, and reads it back whole', async () => {
    const tickets = await ctx.database.db
      .selectFrom('tickets')
      .selectAll()
      .where('account_id', '=', ACCOUNT)
      .execute();
    const messages = await ctx.database.db
      .selectFrom('ticket_messages')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .execute();
    expect(tickets).toHaveLength(1);
    expect(messages.map((m) => m.kind)).toEqual(['reply', 'reply', 'note']);
    const text = JSON.stringify([tickets, messages]);
    for (const what of TICKET_STRINGS) expect(text).not.toContain(PLANTED[what]);
    // Nor in any other table in plain text (the audit log, the outbox, the mailbox).
    const plain = (await plantedInTables(ctx)).filter((f) =>
      TICKET_STRINGS.some((what) => f.endsWith(` the ${what}`)),
    );
    expect(plain).toEqual([]);
    // Not in the raw file either, WAL included: the proof the bodies are encrypted.
    if (dialect === 'sqlite') {
      await checkpoint(ctx);
      expect(plantedInFiles(ctx).filter((w) => w.startsWith('ticket'))).toEqual([]);
    }
    const stored = await ctx.app.repos.tickets.get(ticketId);
    expect(stored?.ticket.subject).toBe(PLANTED.ticketSubject);
    const read = await ctx.app.repos.tickets.messages(ticketId);
    expect(read.map((m) => m.body)).toEqual([
      PLANTED.ticketBody,
      PLANTED.ticketReply,
      PLANTED.ticketNote,
    ]);
    expect((await ctx.app.repos.tickets.holderMessages(ticketId)).map((m) => m.body)).toEqual([
      PLANTED.ticketBody,
      PLANTED.ticketReply,
    ]);
  });

  it('schedules the erasure for the end of the jurisdiction’s retention (GB: 5 years)', async () => {
    const status = await erasureStatus(ctx.app, ACCOUNT);
    expect(status.erasure.state).toBe('scheduled');
    expect(status.erasure.erasedClasses).toEqual(['security', 'preferences']);
    expect(status.erasure.dueAt?.getTime()).toBe(closedAt.getTime() + 5 * YEAR);
  });

  it('erases nothing one millisecond before the retention ends', async () => {
    clock.set(new Date(closedAt.getTime() + 5 * YEAR - 1));
    expect(await runErasureBatch(ctx.app, OWNER)).toEqual([]);
    expect((await ctx.app.platform.contact(ACCOUNT))?.name).toBe(PLANTED.name);
    // The file grep below can see a name when there is one.
    if (dialect === 'sqlite') expect(plantedInFiles(ctx)).toContain('name');
  });

  it('suspends the erasure while a hold stands, and erases once it is lifted', async () => {
    const hold = await placeHold(ctx.app, {
      accountId: ACCOUNT,
      kind: 'legal',
      reason: 'litigation hold',
      actor: AGENT,
    });
    clock.set(new Date(closedAt.getTime() + 5 * YEAR));
    expect(await runErasureBatch(ctx.app, OWNER)).toEqual([
      { accountId: ACCOUNT, result: 'held', holds: ['legal'] },
    ]);
    expect((await ctx.app.platform.contact(ACCOUNT))?.email).toBe(PLANTED.email);
    expect((await erasureStatus(ctx.app, ACCOUNT)).erasure.state).toBe('held');
    // A ticket opened while the hold stands is kept with the first one, readable by agents.
    const held = await openSupportTicket(ctx.app, ctx.rules, {
      accountId: ACCOUNT,
      actor: { kind: 'holder', id: ACCOUNT },
      body: PLANTED.heldTicketBody,
    });
    clock.advance(1000);
    expect(await runErasureBatch(ctx.app, OWNER)).toEqual([]); // rechecked daily, not yet
    const kept = await ctx.app.repos.tickets.list({ accountId: ACCOUNT, limit: 10 });
    expect(kept.map((t) => t.ticket.id).sort()).toEqual([ticketId, held.ticket.id].sort());
    expect((await ctx.app.repos.tickets.messages(held.ticket.id)).map((m) => m.body)).toEqual([
      PLANTED.heldTicketBody,
    ]);
    expect((await ctx.app.repos.tickets.messages(ticketId)).map((m) => m.body)).toContain(
      PLANTED.ticketNote,
    );

    clock.advance(1000);
    await liftHold(ctx.app, {
      accountId: ACCOUNT,
      holdId: hold.holdId,
      actor: AGENT,
      approvalId: 'ap_test',
    });
    const outcomes = await runErasureBatch(ctx.app, OWNER);
    expect(outcomes).toMatchObject([
      {
        accountId: ACCOUNT,
        result: 'erased',
        classes: ['identity', 'transactions', 'communications'],
      },
    ]);
    // Done is done: another pass does nothing again.
    clock.advance(10 * YEAR);
    expect(await runErasureBatch(ctx.app, OWNER)).toEqual([]);
    const status = await erasureStatus(ctx.app, ACCOUNT);
    expect(status.erasure.state).toBe('erased');
    expect(status.certificates).toHaveLength(1);
    // The tickets went with the communications: no row of them or their messages is left.
    expect(await ctx.app.repos.tickets.list({ accountId: ACCOUNT, limit: 10 })).toEqual([]);
    expect(await ctx.app.repos.tickets.get(ticketId)).toBeNull();
    expect(await ctx.database.db.selectFrom('ticket_messages').select('id').execute()).toEqual([]);
  });

  it('gives a certificate signed with the platform key that says what went, when and why', async () => {
    const [stored] = (await erasureStatus(ctx.app, ACCOUNT)).certificates;
    const key = await certificateKey({}, ctx.database);
    const certificate = verifyCertificateText(stored!.document, 'certificate', key.publicKey);
    expect(certificate).toMatchObject({
      accountId: ACCOUNT,
      jurisdiction: 'GB',
      erased: [{ class: 'identity' }, { class: 'transactions' }, { class: 'communications' }],
      kept: [],
      policy: { legalBasis: 'Money Laundering Regulations 2017 reg. 40' },
    });
    expect(certificate.suspendedByHold).not.toBeNull();
    expect(certificate.method.join('\n')).toMatch(/support tickets were deleted/);
    expect(certificate.policy.version).toMatch(/^retention-[0-9a-f]{16}$/);
    const tampered = stored!.document.replace('"GB"', '"FR"');
    expect(() => verifyCertificateText(tampered, 'certificate', key.publicKey)).toThrow(
      /changed after it was signed/,
    );
  });

  it('keeps the audit chain intact, with the erasure in it', async () => {
    expect((await verifyAuditChain(ctx.app)).intact).toBe(true);
    const actions = await ctx.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('account_id', '=', ACCOUNT)
      .execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['erasure.held', 'hold.lift', 'erasure.erase']),
    );
  });

  it('leaves none of the planted personal strings in any table', async () => {
    expect(await plantedInTables(ctx)).toEqual([]);
    // The ledger's books stay, pseudonymous: the account, its status, the holder's id.
    expect((await ctx.app.platform.contact(ACCOUNT))?.name).toBe('erased');
  });

  it.runIf(dialect === 'sqlite')(
    'leaves none of them in the SQLite files either: the database, its WAL and shared memory',
    async () => {
      await ctx.close();
      expect(plantedInFiles(ctx)).toEqual([]);
    },
  );
});

/** Which planted strings offboard's tables hold, as text: `<table> holds the <what>`. */
async function plantedInTables(ctx: Context): Promise<string[]> {
  const { tables } = await ctx.database.store.ownTables(ctx.database.db);
  const found: string[] = [];
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      ctx.database.db,
    );
    const text = JSON.stringify(rows.rows);
    for (const [what, planted] of Object.entries(PLANTED))
      if (text.includes(planted)) found.push(`${table} holds the ${what}`);
  }
  return found;
}

/** Moves the WAL's pages into the database file, so the grep sees what a reader of it would. */
async function checkpoint(ctx: Context): Promise<void> {
  await sql`pragma wal_checkpoint(passive)`.execute(ctx.database.db);
}

/** Which planted strings the SQLite database's files hold, byte for byte. */
function plantedInFiles(ctx: Context): string[] {
  const location = parseDatabaseUrl(ctx.database.url);
  if (location.dialect !== 'sqlite') throw new Error('not sqlite');
  const found = new Set<string>();
  for (const suffix of ['', '-wal', '-shm']) {
    const file = `${location.path}${suffix}`;
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    for (const [what, planted] of Object.entries(PLANTED))
      if (bytes.includes(Buffer.from(planted, 'utf8'))) found.add(what);
  }
  return [...found];
}

// `npm run bench -- erasure [--accounts N]`: erasures/s of `runDueErasures` over N closed
// accounts whose retention has ended (default 100,000), on SQLite, beside a plain DELETE
// (and UPDATE) of the same personal rows on a copy of the same database. The difference is
// what erasure adds: the hold check, the platform's idempotent erase, crypto-shredding, the
// signed certificate, the journal and the audit entry, one transaction per account.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { seedReferenceData } from '../src/adapters/ledger/scenarios.js';
import { runDueErasures } from '../src/app/erasure.js';
import { YEAR } from '../src/domain/duration.js';
import { openContext } from '../src/main/context.js';
import { flag, line, round, scratchDir } from './util.js';

const CHUNK = 1000;

export async function run(args: string[]): Promise<void> {
  const accounts = flag(args, 'accounts', 100_000);
  const dir = scratchDir('erasure');
  const file = join(dir, 'erasure.db');
  const copy = join(dir, 'baseline.db');
  const env = { OFFBOARD_ERASURE_JOURNAL: join(dir, 'journal.jsonl') };
  try {
    let ctx = await openContext({ db: `sqlite:${file}`, env });
    await seedReferenceData(ctx.database, ctx.clock);
    const now = ctx.clock.now();
    const ids: string[] = [];
    for (let start = 0; start < accounts; start += CHUNK) {
      const chunk = Array.from(
        { length: Math.min(CHUNK, accounts - start) },
        (_, i) => `bench-${String(start + i).padStart(7, '0')}`,
      );
      ids.push(...chunk);
      // The population is written straight into the ledger's tables: a bench fixture.
      await ctx.database.db
        .insertInto('holders')
        .values(
          chunk.map((id) => ({
            id: `h-${id}`,
            name: `Holder ${id}`,
            email: `${id}@example.test`,
            phone: '+44 7700 900000',
            created_at: now.getTime(),
          })),
        )
        .execute();
      await ctx.database.db
        .insertInto('accounts')
        .values(
          chunk.map((id) => ({
            id,
            holder_id: `h-${id}`,
            status: 'closed' as const,
            jurisdiction: 'GB',
            opened_at: now.getTime() - 8 * YEAR,
            status_changed_at: now.getTime() - 6 * YEAR,
            status_before_freeze: null,
            last_trade_at: null,
            last_withdrawal_at: null,
            last_deposit_at: null,
            last_security_change_at: null,
          })),
        )
        .execute();
      await ctx.app.unitOfWork.run(async (repos) => {
        for (const id of chunk) {
          await repos.mailbox.enqueue({
            accountId: id,
            channel: 'email',
            address: `${id}@example.test`,
            template: 'closure.completed',
            subject: 'Your account is closed',
            body: `Goodbye, Holder ${id}`,
            createdAt: now,
            dedupeKey: `bench-${id}`,
          });
          await repos.erasures.schedule({
            accountId: id,
            jurisdiction: 'GB',
            closedAt: new Date(now.getTime() - 6 * YEAR),
            dueAt: new Date(now.getTime() - YEAR),
            erasedClasses: ['security', 'preferences'],
            now,
          });
        }
      });
    }
    await ctx.close(); // checkpoints the WAL, so the copy is whole
    copyFileSync(file, copy);
    line('population', `${accounts} closed accounts, retention ended`);

    // Baseline: the same personal rows deleted (or emptied) plainly, in batches of 100.
    const baseline = await openContext({ db: `sqlite:${copy}`, env: {} });
    let started = performance.now();
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      await baseline.database.store.transaction(baseline.database.db, async (db) => {
        await db.deleteFrom('mailbox').where('account_id', 'in', batch).execute();
        await db.deleteFrom('data_keys').where('subject', 'in', batch).execute();
        await db
          .updateTable('holders')
          .set({ name: 'erased', phone: null })
          .where(
            'id',
            'in',
            batch.map((id) => `h-${id}`),
          )
          .execute();
      });
    }
    const baselineSeconds = (performance.now() - started) / 1000;
    await baseline.close();
    const baselineRate = accounts / baselineSeconds;
    line('baseline plain DELETE/UPDATE', `${Math.round(baselineRate)} accounts/s`);

    ctx = await openContext({ db: `sqlite:${file}`, env });
    started = performance.now();
    const outcomes = await runDueErasures(ctx.app, {
      owner: 'bench',
      batchSize: 100,
      leaseMs: 10 * 60_000,
    });
    const seconds = (performance.now() - started) / 1000;
    await ctx.close();
    const erased = outcomes.filter((o) => o.result === 'erased').length;
    if (erased !== accounts) throw new Error(`erased ${erased} of ${accounts}`);
    const rate = erased / seconds;
    line('offboard erasure run', `${Math.round(rate)} erasures/s`);
    const ratio = baselineRate / rate;
    line('ratio baseline/erasure', `${round(ratio, 1)} (erasure is that many times slower)`);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'erasure',
        accounts,
        erasuresPerSecond: Math.round(rate),
        baselinePerSecond: Math.round(baselineRate),
        ratio: round(ratio, 2),
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReferenceData } from '../../src/adapters/ledger/scenarios.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import { YEAR } from '../../src/domain/duration.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { waitFor } from '../support/wait.js';
import {
  describeExit,
  killAfterLine,
  runOffboard,
  startOffboard,
} from '../support/workflow-processes.js';

/*
 * A real `offboard erasure run` killed with SIGKILL in the middle of a batch (after its
 * first erased account, while it holds the claims of the others), then a second run once
 * the dead process's leases expired: every due account is erased exactly once — one
 * certificate, one journal entry, one audit entry, one platform erase per account — and
 * the audit chain is intact. Needs `npm run build` (the binary loads dist/).
 */

const ACCOUNTS = 30;
const LEASE = '1s';

describe.each(DIALECTS)(
  'an erasure run killed mid-batch resumes without double work [%s]',
  (dialect) => {
    let db: TestDatabase;
    let ctx: Context;
    const dir = mkdtempSync(join(tmpdir(), 'offboard-erasure-crash-'));
    const env = { OFFBOARD_ERASURE_JOURNAL: join(dir, 'journal.jsonl') };

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      ctx = await openContext({ db: db.url, env });
      await seedReferenceData(ctx.database, ctx.clock);
      const now = ctx.clock.now();
      for (let i = 1; i <= ACCOUNTS; i++) {
        const id = `crash-${String(i).padStart(2, '0')}`;
        await ctx.ledger.createHolder({
          id: `h-${id}`,
          name: `Holder ${i}`,
          email: `${id}@example.test`,
          phone: null,
        });
        await ctx.ledger.openAccount({ id, holderId: `h-${id}`, jurisdiction: 'FR' });
        await ctx.ledger.close(id, { idempotencyKey: `close-${id}` });
        await ctx.app.repos.mailbox.enqueue({
          accountId: id,
          channel: 'email',
          address: `${id}@example.test`,
          template: 'closure.completed',
          subject: 'Closed',
          body: `Goodbye, Holder ${i}`,
          createdAt: now,
          dedupeKey: `m-${id}`,
        });
        // Closed six years ago: its five years have ended.
        await ctx.app.unitOfWork.run((repos) =>
          repos.erasures.schedule({
            accountId: id,
            jurisdiction: 'FR',
            closedAt: new Date(now.getTime() - 6 * YEAR),
            dueAt: new Date(now.getTime() - YEAR),
            erasedClasses: ['security', 'preferences'],
            now,
          }),
        );
      }
    });
    afterAll(async () => {
      await ctx?.close();
      await db?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('erases each due account once', async () => {
      const args = ['erasure', 'run', '--db', db.url, '--batch', '10', '--lease', LEASE];
      const victim = startOffboard(args, env);
      const killed = await killAfterLine(victim, /: erased /, 0);
      expect(killed.signal, describeExit('victim', killed)).toBe('SIGKILL');
      const erasedBefore = await countErased(ctx);
      expect(erasedBefore).toBeLessThan(ACCOUNTS);

      // The dead process's claims lapse; then a second run finishes the work.
      await waitFor('the dead run’s leases to expire', async () => {
        const live = await ctx.database.db
          .selectFrom('erasures')
          .select('account_id')
          .where('lease_expires_at', '>', Date.now())
          .execute();
        return live.length === 0;
      });
      const finisher = await runOffboard([...args, '--json'], env);
      expect(finisher.code, describeExit('finisher', finisher)).toBe(0);

      expect(await countErased(ctx)).toBe(ACCOUNTS);
      const perAccount = async (table: 'erasure_certificates' | 'erasure_journal') =>
        (
          await ctx.database.db
            .selectFrom(table)
            .select(['account_id', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy('account_id')
            .execute()
        ).map((r) => Number(r.n));
      expect(await perAccount('erasure_certificates')).toEqual(Array(ACCOUNTS).fill(1));
      expect(await perAccount('erasure_journal')).toEqual(Array(ACCOUNTS).fill(1));
      const audits = await ctx.database.db
        .selectFrom('audit_log')
        .select('account_id')
        .where('action', '=', 'erasure.erase')
        .execute();
      expect(audits).toHaveLength(ACCOUNTS);
      expect(new Set(audits.map((a) => a.account_id)).size).toBe(ACCOUNTS);
      const platformErasures = await ctx.database.db
        .selectFrom('ledger_effects')
        .select('key')
        .where('action', '=', 'erase')
        .execute();
      expect(platformErasures).toHaveLength(ACCOUNTS);
      const verify = await runOffboard(['audit', 'verify', '--db', db.url], env);
      expect(verify.code, describeExit('audit verify', verify)).toBe(0);
    }, 300_000);
  },
);

async function countErased(ctx: Context): Promise<number> {
  const rows = await ctx.database.db
    .selectFrom('erasures')
    .select('account_id')
    .where('state', '=', 'erased')
    .execute();
  return rows.length;
}

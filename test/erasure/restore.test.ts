import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedReferenceData } from '../../src/adapters/ledger/scenarios.js';
import { exportAccountDir } from '../../src/adapters/statements/export-dir.js';
import { requestClosure } from '../../src/app/closures.js';
import { runErasureBatch } from '../../src/app/erasure.js';
import { workOnce } from '../../src/app/worker.js';
import { YEAR } from '../../src/domain/duration.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import { cli } from '../support/cli.js';

/*
 * docs/operations.md, "Restoring a backup": a backup taken before an erasure brings the
 * holder back; replaying the erasure journal (kept outside the database) erases them again.
 * On SQLite, so the test can restore by copying the file and grep the raw bytes.
 */

const PLANTED = {
  name: 'Bartholomew Oakenshaw',
  email: 'b.oakenshaw@example.test',
  phone: '+44 7700 900588',
  body: 'the spare key is under the blue flowerpot',
};
const ACCOUNT = 'restore-me';

describe('restoring a backup older than an erasure [sqlite]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-restore-'));
  const file = join(dir, 'offboard.db');
  const backup = join(dir, 'backup.db');
  const journal = join(dir, 'erasure-journal.jsonl');
  const url = `sqlite:${file}`;
  const exportsRoot = join(dir, 'exports');
  const env = { OFFBOARD_ERASURE_JOURNAL: journal, OFFBOARD_EXPORT_DIR: exportsRoot };
  const clock = new FixedClock(new Date('2026-02-01T09:00:00Z'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = () => openContext({ db: url, clock, env });

  async function closeTheAccount(ctx: Context) {
    await seedReferenceData(ctx.database, clock);
    await ctx.ledger.createHolder({ id: 'h-restore', ...PLANTED });
    await ctx.ledger.openAccount({ id: ACCOUNT, holderId: 'h-restore', jurisdiction: 'DE' });
    await ctx.app.repos.mailbox.enqueue({
      accountId: ACCOUNT,
      channel: 'email',
      address: PLANTED.email,
      template: 'support.message',
      subject: 'A note',
      body: PLANTED.body,
      createdAt: clock.now(),
      dedupeKey: 'planted',
    });
    await requestClosure(ctx.app, ctx.rules, {
      accountId: ACCOUNT,
      consent: { sweepDust: false, cancelOrders: false, revokeApps: false },
      confirmed: true,
      gracePeriodMs: 0,
      actor: { kind: 'holder', id: ACCOUNT },
    });
    await workOnce(ctx.app, ctx.rules, { owner: 'w', leaseMs: 60_000, concurrency: 1 });
  }

  function planted(): string[] {
    const found = new Set<string>();
    for (const suffix of ['', '-wal', '-shm']) {
      if (!existsSync(file + suffix)) continue;
      const bytes = readFileSync(file + suffix);
      for (const [what, text] of Object.entries(PLANTED))
        if (bytes.includes(Buffer.from(text, 'utf8'))) found.add(what);
    }
    return [...found].sort();
  }

  it('erases the holder again when the journal is replayed after the restore', async () => {
    let ctx = await open();
    await closeTheAccount(ctx);
    await ctx.close(); // the last connection checkpoints the WAL into the file
    copyFileSync(file, backup);

    // A statement export the holder downloaded before closing, kept by `serve`.
    const exported = join(exportAccountDir(exportsRoot, ACCOUNT), 'exp_1');
    mkdirSync(exported, { recursive: true });
    writeFileSync(join(exported, 'statement.csv'), `name\n${PLANTED.name}\n`);

    ctx = await open();
    clock.advance(5 * YEAR);
    expect(
      await runErasureBatch(ctx.app, { owner: 'e', limit: 10, leaseMs: 60_000 }),
    ).toMatchObject([{ accountId: ACCOUNT, result: 'erased' }]);
    await ctx.close();
    expect(planted()).toEqual([]);
    expect(existsSync(exported)).toBe(false);
    expect(readFileSync(journal, 'utf8')).not.toMatch(/Oakenshaw|example\.test|7700|flowerpot/);

    // The restore: the old file comes back, and the holder with it.
    for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
    copyFileSync(backup, file);
    expect(planted()).toContain('name');

    const replay = await cli(['erasure', 'replay-journal', journal, '--db', url, '--json'], env);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.json()).toEqual({ entries: 1, erased: 1, failed: 0 });
    expect(planted()).toEqual([]);

    // Replaying again finds nothing left to do.
    const again = await cli(['erasure', 'replay-journal', journal, '--db', url, '--json'], env);
    expect(again.json()).toEqual({ entries: 2, erased: 0, failed: 0 });
    expect((await cli(['audit', 'verify', '--db', url])).code).toBe(0);
  });
});

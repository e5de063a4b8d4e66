import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { HANG_MS } from '../support/wait.js';
import { startOffboard, waitForLine } from '../support/workflow-processes.js';

/*
 * PostgreSQL only: LISTEN/NOTIFY is a PostgreSQL feature; on SQLite the worker polls.
 *
 * The worker polls once an hour, and the closure is requested only after it said it is
 * idle (its `idle: nothing due` line, printed as it starts waiting). Only the notification
 * can then explain the closure being finalized before the hour is up; the test's own
 * limits are far shorter than the poll and exist only to guard against a hang.
 */
const POLL = '1h';

describe('an idle worker wakes on NOTIFY [postgres]', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    expect(
      (await cli(['seed', '--scenarios', '--whale-transactions', '10', '--db', db.url])).code,
    ).toBe(0);
  });
  afterAll(async () => db.dispose());

  it(
    'finalizes a closure requested while it idles, long before its next poll',
    async () => {
      const worker = startOffboard(['work', '--poll', POLL, '--db', db.url]);
      try {
        const idle = await waitForLine(worker, /^idle: nothing due/, HANG_MS);
        expect(idle).toBe(`idle: nothing due (polling every ${POLL})`);
        expect(worker.stdout(), 'nothing was due before the request').toBe(`${idle}\n`);

        const closed = await cli([
          'close',
          'demo-clean',
          '--confirmed',
          '--grace',
          '0',
          '--json',
          '--db',
          db.url,
        ]);
        expect(closed.code, closed.stderr).toBe(0);
        const closureId = closed.json<{ closure: { id: string } }>().closure.id;

        const moved = await waitForLine(worker, new RegExp(`^${closureId}: `), HANG_MS);
        expect(moved).toBe(`${closureId}: grace -> closed`);
        const status = await cli(['status', 'demo-clean', '--json', '--db', db.url]);
        expect(status.json<{ closure: { state: string } }>().closure.state).toBe('closed');
      } finally {
        worker.child.kill('SIGTERM');
      }
      const exited = await worker.exited;
      expect(exited.code, exited.stderr).toBe(0);
      expect(exited.stderr).toBe('');
    },
    3 * HANG_MS,
  );
});

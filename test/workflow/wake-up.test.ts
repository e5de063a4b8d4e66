import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { sleep, startOffboard } from '../support/workflow-processes.js';

// PostgreSQL only: LISTEN/NOTIFY is a PostgreSQL feature; on SQLite the worker polls.
describe('an idle worker wakes on NOTIFY [postgres]', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    expect((await cli(['seed', '--scenarios', '--whale-transactions', '10', '--db', db.url])).code).toBe(0);
  });
  afterAll(async () => db.dispose());

  it('finalizes a closure due now long before its next poll', async () => {
    // A one-minute poll: only the notification can explain a closure finished in seconds.
    const worker = startOffboard(['work', '--poll', '60s', '--db', db.url]);
    try {
      await sleep(1500); // let it migrate, pass once and go idle
      const requested = Date.now();
      expect((await cli(['close', 'demo-clean', '--confirmed', '--grace', '0', '--db', db.url])).code).toBe(0);
      let state = '';
      while (Date.now() - requested < 20_000) {
        state = (await cli(['status', 'demo-clean', '--json', '--db', db.url])).json<{ closure: { state: string } }>().closure.state;
        if (state === 'closed') break;
        await sleep(100);
      }
      expect(state).toBe('closed');
      expect(Date.now() - requested).toBeLessThan(20_000);
    } finally {
      worker.child.kill('SIGTERM');
      const exited = await worker.exited;
      expect(exited.stderr).toBe('');
    }
  }, 60_000);
});

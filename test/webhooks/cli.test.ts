import { Command } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliDeps, ExitBox } from '../../src/adapters/cli/command-kit.js';
import { inTransaction } from '../../src/adapters/store/database.js';
import type { Database } from '../../src/adapters/store/database.js';
import { emitEvent } from '../../src/adapters/store/outbox-repository.js';
import { registerWebhooks } from '../../src/adapters/webhooks/cli.js';
import { deliverDue, dispatchOutbox, webhookConfig } from '../../src/adapters/webhooks/webhooks.js';
import { openContext } from '../../src/main/context.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

// The command is not in program.ts yet: this mounts it on a bare program with the same
// global --db option, through the same action() wrapper the real CLI uses.
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const deps: CliDeps = {
    io: {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      interactive: false,
      env: {},
    },
    openContext,
  };
  const exit: ExitBox = { code: 0 };
  const program = new Command('offboard').option('--db <url>').exitOverride();
  registerWebhooks(program, deps, exit);
  await program.parseAsync(args, { from: 'user' });
  return { code: exit.code, stdout, stderr };
}

describe.each(DIALECTS)('CLI: webhooks [%s]', (dialect) => {
  let database: Database;
  let url: string;
  let dispose: () => Promise<void>;
  let deadId: number;
  const now = new Date('2026-03-01T12:00:00Z');

  beforeAll(async () => {
    ({ database, url, dispose } = await openTestDatabase(dialect));
    await inTransaction(database, (tx) =>
      emitEvent(tx, 'closure.completed', 'acct-cli', { closureId: 'c-9' }, now),
    );
    // No network needed: a client that always gets 500 makes the delivery dead at once.
    const config = webhookConfig({
      endpoints: ['https://receiver.invalid/hook'],
      secret: 'cli-secret',
      maxAttempts: 1,
    });
    await dispatchOutbox(database, config, now);
    const send = (async () =>
      new Response('down for maintenance', { status: 500 })) as typeof fetch;
    expect(await deliverDue(database, config, now, { owner: 'cli-test', send })).toEqual({
      delivered: 0,
      failed: 0,
      dead: 1,
    });
    const [row] = await database.db.selectFrom('webhook_deliveries').select('id').execute();
    deadId = Number(row?.id);
  });
  afterAll(async () => dispose());

  it('lists dead deliveries with their last error, as JSON and as text', async () => {
    const json = await run(['webhooks', 'list', '--status', 'dead', '--json', '--db', url]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      deliveries: [
        {
          id: deadId,
          outboxId: expect.any(Number),
          event: 'closure.completed',
          accountId: 'acct-cli',
          endpoint: 'https://receiver.invalid/hook',
          status: 'dead',
          attempts: 1,
          nextAttemptAt: null,
          deliveredAt: null,
          lastError: 'HTTP 500: down for maintenance',
        },
      ],
    });
    const text = await run(['webhooks', 'list', '--db', url]);
    expect(text.stdout).toContain('dead');
    expect(text.stdout).toContain(`offboard webhooks retry ${deadId}`);
    expect((await run(['webhooks', 'list', '--status', 'pending', '--db', url])).stdout).toBe(
      'no pending webhook deliveries\n',
    );
  });

  it('retries a dead delivery once, and says why it will not retry anything else', async () => {
    const retried = await run(['webhooks', 'retry', String(deadId), '--db', url]);
    expect(retried).toMatchObject({ code: 0, stderr: '' });
    const pending = JSON.parse(
      (await run(['webhooks', 'list', '--status', 'pending', '--json', '--db', url])).stdout,
    ) as { deliveries: { id: number; attempts: number }[] };
    expect(pending.deliveries).toMatchObject([{ id: deadId, attempts: 0 }]);

    const again = await run(['webhooks', 'retry', String(deadId), '--db', url]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('OFFBOARD_ERR_INVALID_STATE');
    expect(again.stderr).toContain('is pending, not dead');

    const missing = await run(['webhooks', 'retry', '987654', '--json', '--db', url]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'OFFBOARD_ERR_NOT_FOUND' } });
  });

  it('refuses an unknown status filter', async () => {
    const out = await run(['webhooks', 'list', '--status', 'lost', '--db', url]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--status must be one of pending, delivered, dead');
  });
});

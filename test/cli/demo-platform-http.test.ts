import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/store/database.js';
import { HANG_MS } from '../support/wait.js';
import { describeExit, startOffboard, waitForLine } from '../support/workflow-processes.js';

// `offboard demo --platform-http` as a newcomer runs it (the built binary): the sandbox
// platform server beside the demo, over a database of its own, every request to it printed.
describe('offboard demo --platform-http', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-demo-http-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'closes demo-clean through the platform contract, printing each request, and keeps the accounts out of offboard’s database',
    async () => {
      const demo = startOffboard([
        'demo',
        '--platform-http',
        '--port',
        '0',
        '--whale-transactions',
        '5',
        '--db',
        `sqlite:${join(dir, 'demo.db')}`,
      ]);
      try {
        await waitForLine(demo, /Ctrl-C stops\.$/, HANG_MS);
        const text = demo.stdout();
        const url = /^ {2}API\s+(http:\/\/\S+)$/m.exec(text)![1]!;
        const apiKey = /^API key \(scopes[^\n]*\n\s+(\S+)$/m.exec(text)![1]!;
        expect(text).toMatch(
          /^ {2}platform\s+http:\/\/127\.0\.0\.1:\d+\/offboard-platform\/v1 \(the sandbox platform over HTTP, on sqlite:.*demo\.platform\.db\)$/m,
        );

        const requested = await fetch(`${url}/v1/accounts/demo-clean/closure`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ confirmed: true, graceSeconds: 0 }),
        });
        expect(requested.status, await requested.clone().text()).toBe(201);
        // The request read the facts over HTTP; the worker froze and closed the account there.
        await waitForLine(
          demo,
          /^platform {2}GET {2}\/accounts\/demo-clean\/facts 200 \d+\.\d ms$/,
          HANG_MS,
        );
        await waitForLine(
          demo,
          /^platform {2}POST \/accounts\/demo-clean\/freeze 200 \d+\.\d ms$/,
          HANG_MS,
        );
        await waitForLine(
          demo,
          /^platform {2}POST \/accounts\/demo-clean\/close 200 \d+\.\d ms$/,
          HANG_MS,
        );
      } finally {
        demo.child.kill('SIGTERM');
      }
      const exited = await demo.exited;
      expect(exited.code, describeExit('demo', exited)).toBe(0);

      // The scenario accounts live in the platform's database beside the demo's, not in offboard's.
      expect(existsSync(join(dir, 'demo.platform.db'))).toBe(true);
      const offboard = await openDatabase(`sqlite:${join(dir, 'demo.db')}`);
      const platform = await openDatabase(`sqlite:${join(dir, 'demo.platform.db')}`);
      try {
        const closure = await offboard.db
          .selectFrom('closures')
          .select('state')
          .where('account_id', '=', 'demo-clean')
          .executeTakeFirst();
        expect(closure?.state).toBe('closed');
        expect(await offboard.db.selectFrom('accounts').select('id').execute()).toEqual([]);
        const account = await platform.db
          .selectFrom('accounts')
          .select('status')
          .where('id', '=', 'demo-clean')
          .executeTakeFirst();
        expect(account?.status).toBe('closed');
      } finally {
        await offboard.close();
        await platform.close();
      }
    },
    HANG_MS * 2,
  );
});

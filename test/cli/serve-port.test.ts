import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

// `offboard serve` and `offboard demo` on a port another process holds: a clear error
// with its own code and the way out, not an internal failure.
describe('a busy port', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-port-'));
  const db = `sqlite:${join(dir, 'port.db')}`;
  let holder: Server;
  let port: number;

  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const command of [['serve'], ['demo', '--whale-transactions', '5']]) {
    it(`${command[0]} says the port is in use and to pass --port`, async () => {
      const out = await cli([...command, '--port', String(port), '--db', db]);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr).toContain('OFFBOARD_ERR_PORT_IN_USE');
      expect(out.stderr).toContain(`port ${port} is in use`);
      expect(out.stderr).toContain('--port');
      expect(out.stderr).not.toContain('OFFBOARD_ERR_INTERNAL');
      expect(out.stdout).toBe('');
    });
  }

  it('says a --host that is not an address of this machine is wrong', async () => {
    // 192.0.2.1 is TEST-NET-1: never a local address. Binding fails at once; no traffic is sent.
    const out = await cli(['serve', '--port', '0', '--host', '192.0.2.1', '--db', db]);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    expect(out.stderr).toContain('--host');
  });
});

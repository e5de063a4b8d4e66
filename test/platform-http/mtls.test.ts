import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPlatform } from '../../src/adapters/platform-http/client.js';
import { buildSandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import type { SandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import { seedScenarios } from '../../src/adapters/ledger/scenarios.js';
import { httpPlatformFrom } from '../../src/main/context.js';
import { systemClock } from '../../src/ports/clock.js';
import { openTestDatabase } from '../support/databases.js';
import { HANG_MS } from '../support/wait.js';
import {
  describeExit,
  runOffboard,
  startOffboard,
  waitForLine,
} from '../support/workflow-processes.js';

/*
 * Mutual TLS between offboard's platform client and a platform that demands a client
 * certificate: the sandbox server with --tls-cert/--tls-key/--client-ca, the client with
 * OFFBOARD_PLATFORM_CA/_CLIENT_CERT/_CLIENT_KEY. The certificates are made here, at test
 * time, by the openssl command (node has no certificate generator).
 */

const OPENSSL = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
const SECRET = 'mtls-test-secret-0123456789';

interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by a CA the server does not trust. */
  strangerCert: string;
  strangerKey: string;
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-mtls-'));
  const at = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) =>
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.pem`),
    );
  const leaf = (name: string, signer: string, extension: string) => {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.csr`),
    );
    writeFileSync(at(`${name}.ext`), extension);
    ssl(
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at(`${signer}.pem`),
      '-CAkey',
      at(`${signer}.key`),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      at(`${name}.ext`),
      '-out',
      at(`${name}.pem`),
    );
  };
  ca('test-ca');
  ca('stranger-ca');
  leaf('platform', 'test-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('offboard', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: at('test-ca.pem'),
    serverCert: at('platform.pem'),
    serverKey: at('platform.key'),
    clientCert: at('offboard.pem'),
    clientKey: at('offboard.key'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
  };
}

// Without the openssl command there are no certificates to test with: the suite is then
// reported skipped (not passed), its name saying why.
describe.runIf(OPENSSL)('mutual TLS to the platform (openssl makes the certificates)', () => {
  let pki: Pki;
  let app: SandboxApp;
  let url: string;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    pki = makePki();
    const opened = await openTestDatabase('sqlite');
    dispose = opened.dispose;
    await seedScenarios(opened.database, systemClock, { whaleTransactions: 5 });
    app = await buildSandboxApp(
      { database: opened.database, clock: systemClock, secret: SECRET, testMode: false },
      {
        tls: {
          cert: readFileSync(pki.serverCert),
          key: readFileSync(pki.serverKey),
          clientCa: readFileSync(pki.ca),
        },
      },
    );
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  }, HANG_MS);
  afterAll(async () => {
    await app?.close();
    await dispose?.();
    rmSync(pki.dir, { recursive: true, force: true });
  });

  const client = (tls: ConstructorParameters<typeof HttpPlatform>[0]['tls']) =>
    new HttpPlatform({ url, secret: SECRET, maxAttempts: 1, ...(tls ? { tls } : {}) });

  it('serves a client presenting a certificate the platform trusts', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const platform = client({
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.clientCert),
      key: readFileSync(pki.clientKey),
    });
    const facts = await platform.facts('demo-dust');
    expect(facts?.balances.find((b) => b.asset === 'USD')?.available).toBe(37n);
  });

  it('refuses a client without a certificate, or with one from another CA', async () => {
    for (const tls of [
      { ca: readFileSync(pki.ca) },
      {
        ca: readFileSync(pki.ca),
        cert: readFileSync(pki.strangerCert),
        key: readFileSync(pki.strangerKey),
      },
    ]) {
      await expect(client(tls).facts('demo-dust')).rejects.toMatchObject({
        code: 'OFFBOARD_ERR_PLATFORM_UNAVAILABLE',
        message: expect.stringContaining('facts(demo-dust)'),
      });
    }
    // The global fetch presents no certificate either.
    await expect(fetch(`${url}/offboard-platform/v1/accounts/count`)).rejects.toThrow();
  });

  it('reads the CA, certificate and key from OFFBOARD_PLATFORM_* files', async () => {
    const env = {
      OFFBOARD_PLATFORM_SECRET: SECRET,
      OFFBOARD_PLATFORM_CA: pki.ca,
      OFFBOARD_PLATFORM_CLIENT_CERT: pki.clientCert,
      OFFBOARD_PLATFORM_CLIENT_KEY: pki.clientKey,
    };
    const platform = httpPlatformFrom(url, env)!;
    expect(await platform.jurisdiction('demo-clean')).toBe('DE');
    expect(() => httpPlatformFrom(url, { ...env, OFFBOARD_PLATFORM_CLIENT_KEY: '' })).toThrow(
      /OFFBOARD_PLATFORM_CLIENT_CERT and OFFBOARD_PLATFORM_CLIENT_KEY go together/,
    );
    expect(() =>
      httpPlatformFrom(url, { ...env, OFFBOARD_PLATFORM_CA: join(pki.dir, 'missing.pem') }),
    ).toThrow(/OFFBOARD_PLATFORM_CA: cannot read .*missing\.pem/);
    expect(() => httpPlatformFrom(url.replace('https:', 'http:'), env)).toThrow(
      /need an https:\/\/ platform URL/,
    );
  });

  it(
    'runs `sandbox serve --client-ca` and `check --platform https://...` as processes',
    async () => {
      const sandboxDb = `sqlite:${join(pki.dir, 'sandbox.db')}`;
      const seeded = await runOffboard([
        'seed',
        '--scenarios',
        '--whale-transactions',
        '5',
        '--db',
        sandboxDb,
      ]);
      expect(seeded.code, describeExit('seed', seeded)).toBe(0);
      const server = startOffboard(
        [
          'sandbox',
          'serve',
          '--port',
          '0',
          '--db',
          sandboxDb,
          '--tls-cert',
          pki.serverCert,
          '--tls-key',
          pki.serverKey,
          '--client-ca',
          pki.ca,
        ],
        { OFFBOARD_PLATFORM_SECRET: SECRET },
      );
      try {
        const line = await waitForLine(server, /^offboard sandbox: listening on /, HANG_MS);
        expect(line).toContain('(client certificates required)');
        const base = /listening on (https:\/\/127\.0\.0\.1:\d+)\//.exec(line)![1]!;
        const offboardDb = `sqlite:${join(pki.dir, 'offboard.db')}`;
        const env = { OFFBOARD_PLATFORM_SECRET: SECRET, OFFBOARD_PLATFORM_CA: pki.ca };
        const check = (extra: Record<string, string>) =>
          runOffboard(['check', 'demo-dust', '--json', '--platform', base, '--db', offboardDb], {
            ...env,
            ...extra,
          });
        const refused = await check({});
        expect(refused.code, describeExit('check without a certificate', refused)).toBe(3);
        expect(refused.stdout + refused.stderr).toContain('OFFBOARD_ERR_PLATFORM_UNAVAILABLE');
        const served = await check({
          OFFBOARD_PLATFORM_CLIENT_CERT: pki.clientCert,
          OFFBOARD_PLATFORM_CLIENT_KEY: pki.clientKey,
        });
        expect(served.code, describeExit('check with a certificate', served)).toBe(1);
        expect(JSON.parse(served.stdout) as { blockers: { code: string }[] }).toMatchObject({
          blockers: [{ code: 'dust_remaining' }],
        });
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    },
    HANG_MS * 2,
  );

  it('refuses --client-ca without a certificate to serve', async () => {
    const out = await runOffboard(
      [
        'sandbox',
        'serve',
        '--port',
        '0',
        '--db',
        `sqlite:${join(pki.dir, 'x.db')}`,
        '--client-ca',
        pki.ca,
      ],
      { OFFBOARD_PLATFORM_SECRET: SECRET },
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--client-ca needs --tls-cert and --tls-key');
  });
});

import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/app/api-keys.js';
import { agentKeys } from '../../src/adapters/http/agent-keys.js';
import {
  tokenSecret,
  verifyAgentToken,
  verifyHolderToken,
  verifyToken,
} from '../../src/adapters/http/tokens.js';
import { openDatabase } from '../../src/adapters/store/database.js';
import { storeOf } from '../../src/adapters/store/repositories.js';
import { sandboxKeyring } from '../../src/adapters/crypto/keyring.js';
import { cli } from '../support/cli.js';
import { DIALECTS, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { HANG_MS, waitFor } from '../support/wait.js';
import { describeExit, startOffboard, waitForLine } from '../support/workflow-processes.js';

// `offboard keys`, `offboard token` and `offboard demo` as a user runs them.
describe.each(DIALECTS)('HTTP credentials from the CLI [%s]', (dialect) => {
  let db: TestDatabase;
  const run = (...args: string[]) => cli([...args, '--db', db.url]);
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await run('seed', '--scenarios', '--whale-transactions', '10');
  });
  afterAll(async () => db.dispose());

  it('creates an API key shown once and stored hashed, lists and revokes it', async () => {
    const created = await run(
      'keys',
      'create',
      '--scopes',
      'read,admin',
      '--name',
      'backoffice',
      '--json',
    );
    expect(created.code).toBe(0);
    const { key, id, scopes } = created.json<{ key: string; id: string; scopes: string[] }>();
    expect(scopes).toEqual(['read', 'admin']);
    const database = await openDatabase(db.url);
    try {
      const stored = await database.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const secret = /^obk_[0-9a-f]{16}_(.+)$/.exec(key)![1]!;
      // Only a hash is kept: no column holds the secret.
      expect(JSON.stringify(stored)).not.toContain(secret);
      expect(stored.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(
        (await authenticateApiKey(storeOf(database, await sandboxKeyring(database)), key))?.scopes,
      ).toEqual(['read', 'admin']);
      const listed = await run('keys', 'list', '--json');
      expect(listed.stdout).not.toContain(key);
      expect(listed.json<{ keys: { id: string }[] }>().keys.map((k) => k.id)).toContain(id);
      expect((await run('keys', 'revoke', id)).code).toBe(0);
      expect(
        await authenticateApiKey(storeOf(database, await sandboxKeyring(database)), key),
      ).toBeNull();
    } finally {
      await database.close();
    }
  });

  it('refuses unknown scopes', async () => {
    const out = await run('keys', 'create', '--scopes', 'read,root');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
  });

  it('mints holder tokens with the token secret and agent tokens with the sandbox agent key', async () => {
    const holder = (await run('token', 'holder', 'demo-clean', '--ttl', '2h', '--json')).json<{
      token: string;
    }>();
    const agent = (
      await run('token', 'agent', 'agent-ada', '--roles', 'support,admin', '--json')
    ).json<{ token: string }>();
    const database = await openDatabase(db.url);
    try {
      const secret = await tokenSecret(database, {});
      const agents = await agentKeys(database, {});
      const keys = { holderSecret: secret, agents };
      expect(await verifyToken(keys, holder.token, new Date())).toMatchObject({
        kind: 'holder',
        accountId: 'demo-clean',
      });
      expect(await verifyToken(keys, agent.token, new Date())).toMatchObject({
        kind: 'agent',
        agentId: 'agent-ada',
        roles: ['support', 'admin'],
      });
      // Only the agent key's public half is needed to check one; the holder secret checks none.
      expect(
        await verifyAgentToken(
          { key: createPublicKey(agents.signingKey!), algorithms: ['EdDSA'] },
          agent.token,
          new Date(),
        ),
      ).not.toBeNull();
      expect(await verifyHolderToken(secret, agent.token, new Date())).toBeNull();
      expect(
        await verifyToken(keys, holder.token, new Date(Date.now() + 3 * 3_600_000)),
      ).toBeNull();
    } finally {
      await database.close();
    }
    expect((await run('token', 'holder', 'no-such-account')).code).toBe(2);
    expect((await run('token', 'agent', 'x', '--roles', 'god')).code).toBe(2);
  });

  it('uses OFFBOARD_TOKEN_SECRET when it is set', async () => {
    const out = await cli(['token', 'holder', 'demo-clean', '--json', '--db', db.url], {
      OFFBOARD_TOKEN_SECRET: 'platform-shared-secret',
    });
    expect(
      await verifyHolderToken(
        'platform-shared-secret',
        out.json<{ token: string }>().token,
        new Date(),
      ),
    ).not.toBeNull();
  });

  it('mints no agent token when an identity provider issues them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'offboard-agent-key-'));
    try {
      const file = join(dir, 'agents.pem');
      writeFileSync(
        file,
        generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      );
      const out = await cli(['token', 'agent', 'agent-ada', '--roles', 'support', '--db', db.url], {
        OFFBOARD_AGENT_PUBLIC_KEY: file,
      });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('OFFBOARD_ERR_AGENT_KEY');
      expect(out.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mints no holder token for a disabled or a closed account', async () => {
    expect((await run('disable', 'demo-balance', '--reason', 'lost phone')).code).toBe(0);
    const disabled = await run('token', 'holder', 'demo-balance');
    expect(disabled.code).toBe(4);
    expect(disabled.stderr).toContain('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE');
    expect(disabled.stderr).toContain('disabled');
    expect(disabled.stdout).toBe('');
    expect(
      (await run('close', 'demo-dust', '--confirmed', '--consent', 'sweep-dust', '--grace', '0'))
        .code,
    ).toBe(0);
    expect((await run('work', '--once')).code).toBe(0);
    const closed = await run('token', 'holder', 'demo-dust');
    expect(closed.code).toBe(4);
    expect(closed.stderr).toContain('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE');
    expect(closed.stderr).toContain('closed');
  });

  // A failed command leaves the database as it found it.
  it('checks --ttl before writing anything', async () => {
    const fresh = await createTestDatabase(dialect);
    try {
      await cli(['seed', '--scenarios', '--whale-transactions', '1', '--db', fresh.url]);
      const settings = async () => {
        const database = await openDatabase(fresh.url);
        try {
          return (await database.db.selectFrom('settings').select('key').execute()).map(
            (k) => k.key,
          );
        } finally {
          await database.close();
        }
      };
      for (const ttl of ['-1h', '0', 'soon']) {
        const holder = await cli([
          'token',
          'holder',
          'demo-clean',
          `--ttl=${ttl}`,
          '--db',
          fresh.url,
        ]);
        expect(holder.code, holder.stderr).toBe(2);
        expect(holder.stderr).toContain('--ttl');
        const agent = await cli([
          'token',
          'agent',
          'a',
          '--roles',
          'support',
          `--ttl=${ttl}`,
          '--db',
          fresh.url,
        ]);
        expect(agent.code, agent.stderr).toBe(2);
        const written = await settings();
        expect(written, `after --ttl=${ttl}`).not.toContain('token_secret');
        expect(written, `after --ttl=${ttl}`).not.toContain('agent_signing_key');
      }
    } finally {
      await fresh.dispose();
    }
  });
});

describe('offboard demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The limits below only guard against a hang: seeding the scenarios (with demo-whale's
  // long history) takes a few seconds alone and much longer on a loaded machine.
  it(
    'starts with the scenarios, prints working credentials once listening, and stops on SIGTERM',
    async () => {
      const demo = startOffboard([
        'demo',
        '--port',
        '0',
        '--json',
        '--db',
        `sqlite:${join(dir, 'demo.db')}`,
      ]);
      try {
        // The readiness signal: one JSON line, printed once the server listens.
        const line = await waitForLine(demo, /^\{/, 2 * HANG_MS);
        const info = JSON.parse(line) as {
          url: string;
          docs: string;
          apiKey: string;
          holders: Record<string, string>;
          agents: { token: string }[];
        };
        expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(Object.keys(info.holders)).toHaveLength(14);
        const get = (path: string, token?: string) =>
          fetch(`${info.url}${path}`, {
            headers: token ? { authorization: `Bearer ${token}` } : {},
          });
        expect((await get('/healthz')).status).toBe(200);
        expect((await get('/docs/')).status).toBe(200);
        expect(
          await (await get('/v1/me/eligibility', info.holders['demo-everything'])).json(),
        ).toMatchObject({ eligible: false });
        expect((await get('/v1/closures', info.apiKey)).status).toBe(200);
        expect(
          (await get('/v1/agent/accounts/demo-hold-legal', info.agents[0]!.token)).status,
        ).toBe(200);
        // The worker runs in the same process: its first finished pass shows in the metrics.
        const metrics = await waitFor('a worker pass in /metrics', async () => {
          const text = await (await get('/metrics')).text();
          return text.includes('offboard_worker_last_pass_timestamp_seconds') && text;
        });
        expect(metrics).toMatch(/^offboard_worker_last_pass_timestamp_seconds \d/m);
      } finally {
        demo.child.kill('SIGTERM');
      }
      const exited = await demo.exited;
      expect(exited.code, describeExit('demo', exited)).toBe(0);
    },
    4 * HANG_MS,
  );
});

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/app/api-keys.js';
import type { ApiScope } from '../../src/app/api-keys.js';
import { buildApp } from '../../src/adapters/http/app.js';
import type { App, HttpDeps } from '../../src/adapters/http/app.js';
import { mintAgentToken, mintHolderToken } from '../../src/adapters/http/tokens.js';
import type { AgentRole } from '../../src/adapters/http/tokens.js';
import { seedScenarios } from '../../src/adapters/ledger/scenarios.js';
import { generateSigningKey } from '../../src/adapters/statements/signing-key.js';
import type { SigningKey } from '../../src/adapters/statements/signing-key.js';
import type { Dialect } from '../../src/adapters/store/database.js';
import { listMail } from '../../src/adapters/store/mailbox-repository.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import type { PolicyDocument } from '../../src/domain/policy.js';
import { FixedClock } from '../../src/ports/clock.js';
import { createTestDatabase } from '../support/databases.js';

/*
 * The HTTP service over a real database (SQLite file or PostgreSQL), the scenario accounts
 * seeded, API keys and tokens at hand. Time is a FixedClock the tests move.
 */

/** How requests reach the app: Fastify's inject, or real HTTP to a server listening on 127.0.0.1. */
export type Transport = 'inject' | 'http';
export const TRANSPORTS: readonly Transport[] = ['inject', 'http'];

export const T0 = new Date('2026-03-02T10:00:00.000Z');
export const SECRET = 'test-token-secret-0123456789abcdef';
/**
 * The agents' identity provider in tests: it signs agent tokens with this Ed25519 key, and
 * the service holds only the public half (apart from SECRET, which signs holder tokens).
 */
export const AGENT_KEY_PAIR = generateKeyPairSync('ed25519');
export const DAY = 86_400_000;

export interface Harness {
  ctx: Context;
  app: App;
  clock: FixedClock;
  url: string;
  /** Where the service listens (`http://127.0.0.1:PORT`) with the http transport; null with inject. */
  base: string | null;
  /** The key statements are signed with. */
  signingKey: SigningKey;
  keys: Record<'read' | 'write' | 'admin' | 'all', string>;
  holder(accountId: string, ttlMs?: number): string;
  agent(agentId: string, roles: AgentRole[]): string;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** The newest one-time code mailed to the account. */
  code(accountId: string): Promise<string>;
  /** The newest disable-link token mailed to the account. */
  link(accountId: string): Promise<string>;
  dispose(): Promise<void>;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export async function openHarness(
  dialect: Dialect,
  options: {
    env?: NodeJS.ProcessEnv;
    deps?: Partial<HttpDeps>;
    transport?: Transport;
    policy?: PolicyDocument;
  } = {},
): Promise<Harness> {
  const test = await createTestDatabase(dialect);
  const clock = new FixedClock(T0);
  const ctx = await openContext({
    db: test.url,
    env: { ...options.env },
    clock,
    ...(options.policy ? { policy: options.policy } : {}),
  });
  await seedScenarios(ctx.database, clock, { whaleTransactions: 50 });
  const exportsDir = mkdtempSync(join(tmpdir(), 'offboard-exports-'));
  const signingKey = await generateSigningKey(join(exportsDir, 'signing-key.pem'));
  const app = await buildApp({
    ctx,
    tokenSecret: SECRET,
    agentKeys: { key: AGENT_KEY_PAIR.publicKey, algorithms: ['EdDSA', 'Ed25519'] },
    statements: { dir: exportsDir, signingKey: async () => signingKey },
    ...options.deps,
  });
  const key = async (scopes: ApiScope[]) =>
    (
      await createApiKey(ctx.app, {
        name: scopes.join('+'),
        scopes,
        now: clock.now(),
        actor: { kind: 'system', id: 'test' },
      })
    ).key;
  const keys = {
    read: await key(['read']),
    write: await key(['write']),
    admin: await key(['admin']),
    all: await key(['read', 'write', 'admin']),
  };

  let base: string | null = null;
  if (options.transport === 'http') {
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers['authorization'] = `Bearer ${o.token}`;
    let payload: string | Buffer | undefined = o.raw;
    if (o.body !== undefined) {
      payload = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    if (base !== null) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        body: payload === undefined ? undefined : new Uint8Array(Buffer.from(payload)),
      });
      const body = await response.text();
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body,
        json: <T>() => JSON.parse(body) as T,
      };
    }
    const response = await app.inject({
      method: method as 'GET',
      url: path,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      json: <T>() => JSON.parse(response.body) as T,
    };
  };

  const newest = async (accountId: string, pattern: RegExp): Promise<string> => {
    const mail = await listMail(ctx.database, { accountId, limit: 50 });
    for (const m of [...mail].reverse()) {
      const found = pattern.exec(m.body)?.[1];
      if (found) return found;
    }
    throw new Error(`no message to ${accountId} matches ${pattern}`);
  };

  return {
    ctx,
    app,
    clock,
    url: test.url,
    base,
    signingKey,
    keys,
    holder: (accountId, ttlMs = 60 * DAY) =>
      mintHolderToken(SECRET, accountId, clock.now(), ttlMs).token,
    agent: (agentId, roles) =>
      mintAgentToken(AGENT_KEY_PAIR.privateKey, agentId, roles, clock.now(), 60 * DAY).token,
    call,
    code: (accountId) => newest(accountId, /code: (\d{6})/),
    link: (accountId) => newest(accountId, /\/v1\/disable-links\/(\S+)/),
    dispose: async () => {
      await app.close();
      await ctx.close();
      await test.dispose();
      rmSync(exportsDir, { recursive: true, force: true });
    },
  };
}

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/api-keys.js';
import { requestClosure } from '../../src/app/closures.js';
import { buildApp } from '../../src/adapters/http/app.js';
import type { App } from '../../src/adapters/http/app.js';
import { mintHolderToken } from '../../src/adapters/http/tokens.js';
import { seedScenarios } from '../../src/adapters/ledger/scenarios.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import { DIALECTS, createTestDatabase } from '../support/databases.js';
import { AGENT_KEY_PAIR, DAY, SECRET, T0 } from './harness.js';

// What one eligibility request costs the database, counted on real databases through
// Kysely's log hook: docs/operations.md ("Eligibility request cost") states it, this test
// reads the table from the doc, so the doc and the code cannot drift apart, and a change
// that adds a query to the route's hot path fails here.

/** Parses the doc's table: `| credential | database | statements |`. */
function documentedCosts(): Map<string, number> {
  const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const section = doc.split('## Eligibility request cost')[1]?.split('\n## ')[0];
  if (!section) throw new Error('docs/operations.md has no "Eligibility request cost" section');
  const costs = new Map<string, number>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const statements = Number(cells[3]);
    if (cells.length < 5 || !Number.isInteger(statements)) continue;
    costs.set(`${cells[1]!.replace(/`/g, '')} on ${cells[2]!}`, statements);
  }
  return costs;
}

describe.each(DIALECTS)('what one eligibility request costs [%s]', (dialect) => {
  const clock = new FixedClock(T0);
  const documented = documentedCosts();
  const database = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  let ctx: Context;
  let app: App;
  let apiKey: string;
  let dispose: () => Promise<void>;
  let recording = false;
  const log: string[] = [];

  beforeAll(async () => {
    const test = await createTestDatabase(dialect);
    ctx = await openContext({
      db: test.url,
      clock,
      env: {},
      onQuery: (sql) => {
        if (recording) log.push(sql);
      },
    });
    await seedScenarios(ctx.database, clock, { whaleTransactions: 10 });
    app = await buildApp({
      ctx,
      tokenSecret: SECRET,
      agentKeys: { key: AGENT_KEY_PAIR.publicKey, algorithms: ['EdDSA', 'Ed25519'] },
      web: false,
    });
    apiKey = (
      await createApiKey(ctx.app, {
        name: 'cost',
        scopes: ['read'],
        now: clock.now(),
        actor: { kind: 'system', id: 'test' },
      })
    ).key;
    dispose = async () => {
      await app.close();
      await ctx.close();
      await test.dispose();
    };
  });
  afterAll(async () => dispose());

  /** The statements one request runs once its credential has been seen (a busy caller's). */
  async function statementsOf(url: string, token: string): Promise<string[]> {
    const get = () =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    expect((await get()).statusCode).toBe(200);
    log.length = 0;
    recording = true;
    try {
      const answer = await get();
      expect(answer.statusCode, answer.body).toBe(200);
    } finally {
      recording = false;
    }
    return [...log];
  }

  const within = (credential: string, statements: string[]) => {
    const ceiling = documented.get(`${credential} on ${database}`);
    expect(ceiling, `docs/operations.md documents "${credential}" on ${database}`).toBeDefined();
    expect(
      statements.length,
      `${credential}: ${statements.length} statements, documented ${ceiling}\n${statements.join('\n')}`,
    ).toBeLessThanOrEqual(ceiling!);
  };

  it('reads facts and the open closure in one statement for an API key', async () => {
    // demo-everything: every table the facts are made of has rows, and a hold.
    const statements = await statementsOf('/v1/accounts/demo-everything/eligibility', apiKey);
    within('API key', statements);
    expect(statements).toHaveLength(1);
  });

  it("adds only the token's revocation cutoff for a holder token, read fresh every time", async () => {
    const token = mintHolderToken(SECRET, 'demo-everything', clock.now(), DAY).token;
    const statements = await statementsOf('/v1/me/eligibility', token);
    within('holder token', statements);
    expect(statements.some((sql) => sql.includes('holder_token_cutoffs'))).toBe(true);
  });

  it('tells of a closure in progress from that same one statement', async () => {
    await requestClosure(ctx.app, ctx.rules, {
      accountId: 'demo-clean',
      consent: { sweepDust: false, cancelOrders: false, revokeApps: false },
      confirmed: true,
      actor: { kind: 'holder', id: 'demo-clean' },
    });
    const statements = await statementsOf('/v1/accounts/demo-clean/eligibility', apiKey);
    expect(statements).toHaveLength(1);
    const answer = await app.inject({
      method: 'GET',
      url: '/v1/accounts/demo-clean/eligibility',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const codes = answer.json<{ blockers: { code: string }[] }>().blockers.map((b) => b.code);
    expect(codes).toEqual(['closure_in_progress']);
  });
});

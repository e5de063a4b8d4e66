import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/store/database.js';
import { PlatformIdempotencyRepository } from '../../src/adapters/store/platform-idempotency-repository.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

// The sandbox platform's memory of Idempotency-Keys, on both databases: the first answer
// stays, whoever comes second.
describe.each(DIALECTS)('the platform idempotency keys on %s', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
  });
  afterAll(async () => dispose());

  it('keeps the first answer to a key and returns it to a racing second', async () => {
    const keys = new PlatformIdempotencyRepository(database.db);
    const now = new Date('2026-06-01T12:00:00Z');
    expect(await keys.find('k')).toBeNull();
    const first = { requestHash: 'h1', status: 200, response: '{"amount":"37"}' };
    expect(await keys.remember('k', first, now)).toEqual(first);
    const second = { requestHash: 'h1', status: 200, response: '{"amount":"0"}' };
    expect(await keys.remember('k', second, now)).toEqual(first);
    expect(await keys.find('k')).toEqual(first);
  });
});

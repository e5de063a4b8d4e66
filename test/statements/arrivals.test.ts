import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerPlatform } from '../../src/adapters/ledger/ledger-platform.js';
import type { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { seedReferenceData } from '../../src/adapters/ledger/scenarios.js';
import { exportStatements } from '../../src/adapters/statements/export-statements.js';
import { generateSigningKey } from '../../src/adapters/statements/signing-key.js';
import type { SigningKey } from '../../src/adapters/statements/signing-key.js';
import type { Database } from '../../src/adapters/store/database.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

// An export pages through the platform port; deposits that land between its pages (and
// between its passes: the PDF's totals, then the rows) belong to the next export, whole.
describe.each(DIALECTS)('statements while money arrives [%s]', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  let ledger: BuiltinLedger;
  let key: SigningKey;
  let work: string;
  const clock = new FixedClock(new Date('2026-02-01T00:00:00.000Z'));

  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
    work = mkdtempSync(join(tmpdir(), 'offboard-arrivals-'));
    key = await generateSigningKey(join(work, 'signing.pem'));
    ledger = await seedReferenceData(database, clock);
    await ledger.createHolder({ id: 'h-arr', name: 'Ada Arrival', email: 'ada@example.test' });
    await ledger.openAccount({ id: 'acct-arr', holderId: 'h-arr', jurisdiction: 'GB' });
    for (let i = 1; i <= 7; i++) {
      clock.advance(60_000);
      await ledger.deposit('acct-arr', 'GBP', BigInt(i * 100), { reference: `before-${i}` });
    }
  });
  afterAll(async () => {
    await dispose();
    rmSync(work, { recursive: true, force: true });
  });

  /** The builtin platform, in pages of two rows, with a deposit landing after every page. */
  function platformWithArrivals(): { platform: PlatformPort; pages: () => number } {
    const inner = new LedgerPlatform(database, ledger);
    let pages = 0;
    const platform: PlatformPort = Object.create(inner) as PlatformPort;
    platform.transactionPage = async (accountId, request) => {
      const page = await inner.transactionPage(accountId, { ...request, limit: 2 });
      pages += 1;
      clock.advance(1);
      await ledger.deposit('acct-arr', 'GBP', 1n, { reference: `during-${pages}` });
      return page;
    };
    return { platform, pages: () => pages };
  }

  it('writes exactly the history recorded when it began, in every format, and the PDF agrees', async () => {
    const { platform, pages } = platformWithArrivals();
    const out = join(work, 'all');
    const result = await exportStatements({ platform, clock, signingKey: key }, 'acct-arr', {
      out,
    });
    expect(pages()).toBeGreaterThanOrEqual(8); // two passes of four pages: it did page
    const rows = readFileSync(join(out, 'statement.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reference: string; balance: string });
    expect(rows.map((r) => r.reference)).toEqual(
      Array.from({ length: 7 }, (_, i) => `before-${i + 1}`),
    );
    expect(rows.at(-1)?.balance).toBe('28.00');
    expect(result.manifest.rows).toBe(7);
    // The late deposits are all recorded, and the next export has them.
    const next = await exportStatements(
      { platform: new LedgerPlatform(database, ledger), clock, signingKey: key },
      'acct-arr',
      { out: join(work, 'next'), formats: ['csv'] },
    );
    expect(next.manifest.rows).toBe(7 + pages());
  });
});

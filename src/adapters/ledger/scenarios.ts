import { FixedClock } from '../../ports/clock.js';
import type { Clock } from '../../ports/clock.js';
import { bulkLoad } from '../store/bulk-loader.js';
import type { Database } from '../store/database.js';
import { SANDBOX_ASSETS } from './assets.js';
import { BuiltinLedger, PLATFORM_HOLDER_ID } from './ledger.js';
import { Random, emitAccount } from './population.js';

export { DEFAULT_WHALE_TRANSACTIONS, SCENARIO_IDS } from './scenario-catalogue.js';
export type { ScenarioId } from './scenario-catalogue.js';
import type { ScenarioId } from './scenario-catalogue.js';
import { DEFAULT_WHALE_TRANSACTIONS, SCENARIO_IDS } from './scenario-catalogue.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface SeedScenariosOptions {
  whaleTransactions?: number;
}

export interface SeedScenariosResult {
  accounts: ScenarioId[];
  created: ScenarioId[];
}

/** Defines the sandbox assets and the platform's own accounts. Idempotent. */
export async function seedReferenceData(database: Database, clock: Clock): Promise<BuiltinLedger> {
  const ledger = new BuiltinLedger(database, clock);
  for (const asset of SANDBOX_ASSETS) await ledger.defineAsset(asset);
  await ledger.ensurePlatformAccounts();
  return ledger;
}

/**
 * Creates every scenario account that does not exist yet (running it twice is harmless).
 * Amounts are in minor units; the comments give them in whole units.
 */
export async function seedScenarios(
  database: Database,
  clock: Clock,
  options: SeedScenariosOptions = {},
): Promise<SeedScenariosResult> {
  await seedReferenceData(database, clock);
  const existing = new Set(
    (
      await database.db
        .selectFrom('accounts')
        .select('id')
        .where('id', 'in', [...SCENARIO_IDS])
        .execute()
    ).map((r) => r.id),
  );
  const build = scenarioBuilder(database, clock, options);
  const created: ScenarioId[] = [];
  for (const id of SCENARIO_IDS) {
    if (existing.has(id)) continue;
    await build(id, id);
    created.push(id);
  }
  return { accounts: [...SCENARIO_IDS], created };
}

/**
 * Creates one scenario's account under another id (`demo-dust` as `conf-7f3a-dust`), with
 * its records named after that id, unless an account with the id exists. Conformance runs
 * use fresh copies, so a run never meets the state an earlier run left behind.
 */
export async function seedScenarioCopy(
  database: Database,
  clock: Clock,
  scenario: ScenarioId,
  accountId: string,
  options: SeedScenariosOptions = {},
): Promise<{ created: boolean }> {
  await seedReferenceData(database, clock);
  const found = await database.db
    .selectFrom('accounts')
    .select('id')
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (found) return { created: false };
  await scenarioBuilder(database, clock, options)(scenario, accountId);
  return { created: true };
}

/** Builds scenario accounts under any id; the reference data must exist. */
function scenarioBuilder(database: Database, clock: Clock, options: SeedScenariosOptions) {
  const now = clock.now().getTime();
  // The scenarios' past: a clock the seeder moves, so histories carry real dates.
  const past = new FixedClock(new Date(now - 120 * DAY));
  const ledger = new BuiltinLedger(database, past);

  const open = async (id: string, name: string, jurisdiction = 'DE') => {
    past.set(new Date(now - 400 * DAY));
    await ledger.createHolder({
      id: `holder-${id}`,
      name,
      email: `${id}@example.test`,
      phone: '+49 30 0000000',
    });
    await ledger.openAccount({ id, holderId: `holder-${id}`, jurisdiction });
    await ledger.addCredential(id, { id: `${id}-session`, kind: 'session', label: 'web session' });
    await ledger.addCredential(id, { id: `${id}-totp`, kind: 'totp', label: 'authenticator app' });
    // A year of ordinary use, ending four months ago.
    past.set(new Date(now - 200 * DAY));
    await ledger.deposit(id, 'USD', 50_000n, { counterparty: 'bank-transfer' }); // 500.00
    past.set(new Date(now - 150 * DAY));
    const w = await ledger.withdraw(id, 'USD', 50_000n, { counterparty: 'bank-transfer' });
    await ledger.completeWithdrawal(w);
    past.set(new Date(now - 120 * DAY));
  };
  /** Moves the seeder's clock to `ago` before now. */
  const at = (ago: number) => past.set(new Date(now - ago));

  const builders: Record<Exclude<ScenarioId, 'demo-whale'>, (id: string) => Promise<void>> = {
    'demo-clean': async (id) => {
      await open(id, 'Clara Clean');
    },
    'demo-dust': async (id) => {
      await open(id, 'Dusty Miller');
      await ledger.deposit(id, 'USD', 37n); // 0.37, below the 1.00 threshold
    },
    'demo-balance': async (id) => {
      await open(id, 'Bal Anders', 'GB');
      await ledger.deposit(id, 'EUR', 25_000n); // 250.00
    },
    'demo-negative': async (id) => {
      await open(id, 'Nora Negative', 'US');
      await ledger.chargeFee(id, 'USD', 1_250n, { reference: 'chargeback fee' }); // -12.50
    },
    'demo-open-order': async (id) => {
      await open(id, 'Otto Order');
      await ledger.deposit(id, 'USD', 10_000n); // 100.00, all locked by the order
      await ledger.placeOrder(id, {
        id: `${id}-1`,
        side: 'buy',
        asset: 'USD',
        locked: 10_000n,
        counterAsset: 'BTC',
      });
    },
    'demo-pending-withdrawal': async (id) => {
      await open(id, 'Paula Pending');
      await ledger.deposit(id, 'BTC', 5_000_000n); // 0.05 BTC
      at(2 * HOUR);
      await ledger.withdraw(id, 'BTC', 5_000_000n, {
        counterparty: 'external-wallet',
      });
    },
    'demo-pending-deposit': async (id) => {
      await open(id, 'Dee Posit');
      at(3 * HOUR);
      await ledger.deposit(id, 'EUR', 2_000n, {
        pending: true,
        counterparty: 'SEPA transfer',
      }); // 20.00
    },
    'demo-dispute': async (id) => {
      await open(id, 'Dirk Dispute', 'FR');
      await ledger.openDispute(id, {
        id: `${id}-1`,
        kind: 'chargeback',
        asset: 'USD',
        amount: 4_999n,
      });
    },
    'demo-linked-app': async (id) => {
      await open(id, 'Linda Linked');
      await ledger.grantAuthorization(id, {
        id: `${id}-1`,
        kind: 'direct_debit',
        name: 'City Utilities direct debit',
      });
    },
    'demo-cooling-off': async (id) => {
      await open(id, 'Colin Cooling');
      at(2 * HOUR);
      await ledger.recordSecurityChange(id); // a password reset two hours ago
    },
    'demo-hold-legal': async (id) => {
      await open(id, 'Lex Legal');
      await ledger.placeHold(id, {
        id: `${id}-1`,
        kind: 'legal',
        reason: 'garnishment order 2026/0042 (synthetic)',
      });
    },
    'demo-hold-compliance': async (id) => {
      await open(id, 'Cora Compliance', 'GB');
      await ledger.placeHold(id, {
        id: `${id}-1`,
        kind: 'compliance',
        reason: 'suspicious activity review SAR-7781 (synthetic)',
      });
    },
    'demo-everything': async (id) => {
      await open(id, 'Evelyn Everything 李雪');
      await ledger.deposit(id, 'EUR', 50_000n); // 500.00 → balance_remaining
      await ledger.deposit(id, 'ETH', 100_000_000_000_000n); // 0.0001 ETH ≈ 0.30 USD → dust_remaining
      await ledger.chargeFee(id, 'USD', 500n, { reference: 'chargeback fee' }); // -5.00 → negative_balance
      await ledger.deposit(id, 'BTC', 100_000_000n); // 1 BTC
      await ledger.placeOrder(id, {
        id: `${id}-order-1`,
        side: 'sell',
        asset: 'BTC',
        locked: 10_000_000n,
        counterAsset: 'USD',
      }); // open_orders
      await ledger.lockFunds(id, 'BTC', 5_000_000n, 'legacy margin lock'); // funds_locked
      await ledger.openDispute(id, {
        id: `${id}-dispute-1`,
        kind: 'dispute',
        asset: 'EUR',
        amount: 1_000n,
      }); // open_dispute
      await ledger.grantAuthorization(id, {
        id: `${id}-auth-1`,
        kind: 'subscription',
        name: 'Streamly subscription',
      }); // linked_authorization
      await ledger.placeHold(id, {
        id: `${id}-hold-1`,
        kind: 'legal',
        reason: 'court order 2026/0099 (synthetic)',
      });
      await ledger.placeHold(id, {
        id: `${id}-hold-2`,
        kind: 'compliance',
        reason: 'enhanced due diligence EDD-512 (synthetic)',
      });
      at(3 * HOUR);
      await ledger.deposit(id, 'USDC', 1_000_000n, { pending: true }); // pending_deposit
      await ledger.withdraw(id, 'BTC', 10_000_000n); // pending_withdrawal
      await ledger.recordSecurityChange(id); // cooling_off
    },
  };

  return async (scenario: ScenarioId, id: string): Promise<void> => {
    if (scenario === 'demo-whale')
      await seedWhale(database, now, options.whaleTransactions ?? DEFAULT_WHALE_TRANSACTIONS, id);
    else await builders[scenario](id);
  };
}

/** The whale: an eligible account with a very long history, bulk-loaded. */
async function seedWhale(
  database: Database,
  now: number,
  transactions: number,
  id: string,
): Promise<void> {
  await bulkLoad(database, async (sink) => {
    sink.holder({
      id: `holder-${id}`,
      name: 'Walter Whale 鲸鱼 🐋',
      email: `${id}@example.test`,
      phone: null,
      created_at: now - 1500 * DAY,
    });
    await emitAccount(
      sink,
      {
        id,
        holderId: `holder-${id}`,
        jurisdiction: 'US',
        condition: 'clean',
        transactions,
      },
      { now: new Date(now), random: new Random(0x5eed) },
    );
  });
}

/**
 * Accounts that are neither a scenario nor the platform's own: what a database holds
 * beyond the sandbox (up to `limit` ids). The demo's --reset refuses such a database.
 */
export async function nonScenarioAccounts(database: Database, limit = 3): Promise<string[]> {
  const rows = await database.db
    .selectFrom('accounts')
    .select('id')
    .where('id', 'not in', [...SCENARIO_IDS])
    .where('holder_id', '!=', PLATFORM_HOLDER_ID)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

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
  const now = clock.now().getTime();
  await seedReferenceData(database, clock);
  // The scenarios' past: a clock the seeder moves, so histories carry real dates.
  const past = new FixedClock(new Date(now - 120 * DAY));
  const ledger = new BuiltinLedger(database, past);
  const existing = new Set(
    (
      await database.db
        .selectFrom('accounts')
        .select('id')
        .where('id', 'in', [...SCENARIO_IDS])
        .execute()
    ).map((r) => r.id),
  );
  const created: ScenarioId[] = [];

  const open = async (id: ScenarioId, name: string, jurisdiction = 'DE') => {
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

  const builders: Record<Exclude<ScenarioId, 'demo-whale'>, () => Promise<void>> = {
    'demo-clean': async () => {
      await open('demo-clean', 'Clara Clean');
    },
    'demo-dust': async () => {
      await open('demo-dust', 'Dusty Miller');
      await ledger.deposit('demo-dust', 'USD', 37n); // 0.37, below the 1.00 threshold
    },
    'demo-balance': async () => {
      await open('demo-balance', 'Bal Anders', 'GB');
      await ledger.deposit('demo-balance', 'EUR', 25_000n); // 250.00
    },
    'demo-negative': async () => {
      await open('demo-negative', 'Nora Negative', 'US');
      await ledger.chargeFee('demo-negative', 'USD', 1_250n, { reference: 'chargeback fee' }); // -12.50
    },
    'demo-open-order': async () => {
      await open('demo-open-order', 'Otto Order');
      await ledger.deposit('demo-open-order', 'USD', 10_000n); // 100.00, all locked by the order
      await ledger.placeOrder('demo-open-order', {
        id: 'demo-open-order-1',
        side: 'buy',
        asset: 'USD',
        locked: 10_000n,
        counterAsset: 'BTC',
      });
    },
    'demo-pending-withdrawal': async () => {
      await open('demo-pending-withdrawal', 'Paula Pending');
      await ledger.deposit('demo-pending-withdrawal', 'BTC', 5_000_000n); // 0.05 BTC
      at(2 * HOUR);
      await ledger.withdraw('demo-pending-withdrawal', 'BTC', 5_000_000n, {
        counterparty: 'external-wallet',
      });
    },
    'demo-pending-deposit': async () => {
      await open('demo-pending-deposit', 'Dee Posit');
      at(3 * HOUR);
      await ledger.deposit('demo-pending-deposit', 'EUR', 2_000n, {
        pending: true,
        counterparty: 'SEPA transfer',
      }); // 20.00
    },
    'demo-dispute': async () => {
      await open('demo-dispute', 'Dirk Dispute', 'FR');
      await ledger.openDispute('demo-dispute', {
        id: 'demo-dispute-1',
        kind: 'chargeback',
        asset: 'USD',
        amount: 4_999n,
      });
    },
    'demo-linked-app': async () => {
      await open('demo-linked-app', 'Linda Linked');
      await ledger.grantAuthorization('demo-linked-app', {
        id: 'demo-linked-app-1',
        kind: 'direct_debit',
        name: 'City Utilities direct debit',
      });
    },
    'demo-cooling-off': async () => {
      await open('demo-cooling-off', 'Colin Cooling');
      at(2 * HOUR);
      await ledger.recordSecurityChange('demo-cooling-off'); // a password reset two hours ago
    },
    'demo-hold-legal': async () => {
      await open('demo-hold-legal', 'Lex Legal');
      await ledger.placeHold('demo-hold-legal', {
        id: 'demo-hold-legal-1',
        kind: 'legal',
        reason: 'garnishment order 2026/0042 (synthetic)',
      });
    },
    'demo-hold-compliance': async () => {
      await open('demo-hold-compliance', 'Cora Compliance', 'GB');
      await ledger.placeHold('demo-hold-compliance', {
        id: 'demo-hold-compliance-1',
        kind: 'compliance',
        reason: 'suspicious activity review SAR-7781 (synthetic)',
      });
    },
    'demo-everything': async () => {
      const id = 'demo-everything';
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

  for (const id of SCENARIO_IDS) {
    if (existing.has(id)) continue;
    if (id === 'demo-whale') {
      await seedWhale(database, now, options.whaleTransactions ?? DEFAULT_WHALE_TRANSACTIONS);
    } else {
      await builders[id]();
    }
    created.push(id);
  }
  return { accounts: [...SCENARIO_IDS], created };
}

/** The whale: an eligible account with a very long history, bulk-loaded. */
async function seedWhale(database: Database, now: number, transactions: number): Promise<void> {
  await bulkLoad(database, async (sink) => {
    sink.holder({
      id: 'holder-demo-whale',
      name: 'Walter Whale 鲸鱼 🐋',
      email: 'demo-whale@example.test',
      phone: null,
      created_at: now - 1500 * DAY,
    });
    await emitAccount(
      sink,
      {
        id: 'demo-whale',
        holderId: 'holder-demo-whale',
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

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { exportAccountDir } from '../adapters/statements/export-dir.js';
import type { AppContext } from '../app/context.js';
import { effectivePolicy } from '../app/check-eligibility.js';
import type { EffectivePolicy, EligibilityRules } from '../app/check-eligibility.js';
import { LedgerPlatform } from '../adapters/ledger/ledger-platform.js';
import { HttpPlatform } from '../adapters/platform-http/client.js';
import { BuiltinLedger } from '../adapters/ledger/ledger.js';
import { openDatabase } from '../adapters/store/database.js';
import type { Database } from '../adapters/store/database.js';
import { resolveDatabaseUrl } from '../adapters/store/database-url.js';
import {
  auditChainsFromEnv,
  databaseReadiness,
  migrateToLatest,
} from '../adapters/store/migrate.js';
import { storeOf } from '../adapters/store/repositories.js';
import { keyringFromEnv } from '../adapters/crypto/keyring.js';
import { keyringOf, kekOf, newDataKey } from '../adapters/crypto/envelope.js';
import type { Keyring } from '../adapters/crypto/envelope.js';
import { certificateKey } from '../adapters/crypto/sandbox-signing-key.js';
import { textSigner } from '../adapters/statements/signing-key.js';
import { runErasureBatch } from '../app/erasure.js';
import { canonicalJson } from '../domain/canonical-json.js';
import type { CheckpointSigner } from '../ports/audit.js';
import { databaseSecret } from '../adapters/store/settings-repository.js';
import { deliverDue, dispatchOutbox, webhookConfigFromEnv } from '../adapters/webhooks/webhooks.js';
import { OffboardError } from '../domain/errors.js';
import {
  DEFAULT_POLICY_DOCUMENT,
  describeRetention,
  policyFor,
  retentionFor,
} from '../domain/policy.js';
import type { Policy, PolicyDocument } from '../domain/policy.js';
import { systemClock } from '../ports/clock.js';
import type { Clock } from '../ports/clock.js';
import type { PlatformPort } from '../ports/platform.js';

/** What every entry point needs, wired once: the composition root. */
export interface Context {
  readonly database: Database;
  /**
   * The builtin ledger in offboard's own database: the sandbox platform, for the sandbox
   * commands (seed, ledger, accounts, demo). Use cases act on `app.platform`, which is this
   * ledger unless the entry point passed another platform.
   */
  readonly ledger: BuiltinLedger;
  readonly clock: Clock;
  readonly policy: PolicyDocument;
  readonly app: AppContext;
  /** The effective policy of a jurisdiction. */
  readonly rules: EligibilityRules;
  /** An account's jurisdiction (for its policy); unknown accounts are an error. */
  jurisdiction(accountId: string): Promise<string>;
  /** The KEKs that wrap the data keys of personal data (docs/retention.md). */
  readonly keyring: Keyring;
  /** Whether the database answers and its schema is current (the readiness probe). */
  readiness(): Promise<{ database: string } | 'unreachable' | 'schema_behind'>;
  /** The worker's housekeeping after each pass: fan events out, deliver webhooks. */
  afterWorkerPass(owner: string): Promise<void>;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** The `--db` flag; else OFFBOARD_DATABASE_URL; else the embedded SQLite file. */
  db?: string;
  /** A resolved policy document (the `--policy` file, loaded by the entry point). */
  policy?: PolicyDocument;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Bring the schema up to date first (default: yes; commands need it). */
  migrate?: boolean;
  /** The platform the use cases read and act on (default: the builtin ledger in this database). */
  platform?: PlatformPort;
  /**
   * The `--platform` flag: an HTTP platform's URL, or `builtin`; else OFFBOARD_PLATFORM_URL;
   * else the builtin ledger. Null keeps the builtin ledger whatever the environment says
   * (the sandbox commands: seed, ledger, accounts, demo).
   */
  platformUrl?: string | null;
  /** Told the SQL of every statement the database runs (see `OpenOptions.onQuery`). */
  onQuery?: (sql: string) => void;
  /** SQLite's page cache, in KiB (see `OpenOptions.pageCacheKib`). */
  pageCacheKib?: number;
}

const DAY = 86_400_000;
/** Tickets one SLA sweep reads at a time. */
const SLA_BATCH = 100;

/**
 * The HTTP platform client when a platform URL is given (flag, else OFFBOARD_PLATFORM_URL),
 * signed with OFFBOARD_PLATFORM_SECRET; null for the builtin ledger.
 */
export function httpPlatformFrom(
  flag: string | null | undefined,
  env: NodeJS.ProcessEnv,
): PlatformPort | null {
  if (flag === null) return null;
  const url = flag ?? env['OFFBOARD_PLATFORM_URL'];
  if (url === undefined || url === '' || url === 'builtin') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `the platform URL must be http://... or https://... (or builtin), got "${url}"`,
    );
  const secret = env['OFFBOARD_PLATFORM_SECRET'] ?? '';
  if (secret.length < 16)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      'OFFBOARD_PLATFORM_SECRET must hold the secret shared with the platform (at least 16 characters)',
    );
  const tls = platformTlsFrom(env);
  if (tls && parsed.protocol !== 'https:')
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `OFFBOARD_PLATFORM_CA and OFFBOARD_PLATFORM_CLIENT_CERT need an https:// platform URL, got "${url}"`,
    );
  return new HttpPlatform({ url, secret, ...(tls ? { tls } : {}) });
}

/**
 * Mutual TLS for the HTTP platform: the CA to trust (OFFBOARD_PLATFORM_CA) and the client
 * certificate and key to present (OFFBOARD_PLATFORM_CLIENT_CERT, OFFBOARD_PLATFORM_CLIENT_KEY),
 * each a PEM file; null when none is set.
 */
function platformTlsFrom(
  env: NodeJS.ProcessEnv,
): { ca?: Buffer; cert?: Buffer; key?: Buffer } | null {
  const file = (name: string): Buffer | undefined => {
    const path = env[name];
    if (path === undefined || path === '') return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_ARGUMENT',
        `${name}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); it names a PEM file`,
      );
    }
  };
  const ca = file('OFFBOARD_PLATFORM_CA');
  const cert = file('OFFBOARD_PLATFORM_CLIENT_CERT');
  const key = file('OFFBOARD_PLATFORM_CLIENT_KEY');
  if ((cert === undefined) !== (key === undefined))
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      'OFFBOARD_PLATFORM_CLIENT_CERT and OFFBOARD_PLATFORM_CLIENT_KEY go together: set both or neither',
    );
  if (ca === undefined && cert === undefined) return null;
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}

export async function openContext(options: ContextOptions = {}): Promise<Context> {
  const env = options.env ?? process.env;
  const url = resolveDatabaseUrl(options.db, env);
  const webhooks = webhookConfigFromEnv(env);
  const database = await openDatabase(url, {
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    ...(options.pageCacheKib === undefined ? {} : { pageCacheKib: options.pageCacheKib }),
  });
  try {
    if (options.migrate !== false) await migrateToLatest(database, auditChainsFromEnv(env));
  } catch (error) {
    await database.close();
    throw error;
  }
  const clock = options.clock ?? systemClock;
  const ledger = new BuiltinLedger(database, clock);
  let platform: PlatformPort;
  try {
    platform =
      options.platform ??
      httpPlatformFrom(options.platformUrl, env) ??
      new LedgerPlatform(database, ledger);
  } catch (error) {
    await database.close();
    throw error;
  }
  const document = options.policy ?? DEFAULT_POLICY_DOCUMENT;
  // Keyed by the policy a jurisdiction resolves to, so it holds at most the document's base
  // and the jurisdictions it names, whatever the accounts say: a fixed set, read on every
  // check, that must never be evicted. A Map, not an LRU.
  const cache = new Map<Policy, EffectivePolicy>();
  const rules: EligibilityRules = (jurisdiction) => {
    const policy = policyFor(document, jurisdiction);
    let found = cache.get(policy);
    if (!found) {
      found = effectivePolicy(policy);
      cache.set(policy, found);
    }
    return found;
  };
  let keyring: Keyring;
  try {
    keyring = await keyringFromEnv(env, database);
  } catch (error) {
    // An unmigrated database (`offboard migrate`, readiness) has no settings table yet: it
    // stores nothing personal, so a throwaway key serves until the schema exists.
    if (options.migrate !== false) {
      await database.close();
      throw error;
    }
    keyring = keyringOf([kekOf(newDataKey())], 'sandbox');
  }
  let signer: Promise<CheckpointSigner> | null = null;
  const app: AppContext = {
    ...storeOf(database, keyring),
    erasure: {
      retention: (jurisdiction) => retentionFor(document, jurisdiction),
      policyVersion: policyVersionOf(document),
      signer: () => (signer ??= certificateKey(env, database).then(textSigner)),
      journalFile: env['OFFBOARD_ERASURE_JOURNAL'] || 'offboard-erasure-journal.jsonl',
      // The folder `serve` and `demo` write HTTP exports to (server-kit.ts).
      removeExports: (accountId) =>
        rm(exportAccountDir(resolve(env['OFFBOARD_EXPORT_DIR'] ?? 'offboard-exports'), accountId), {
          recursive: true,
          force: true,
        }),
    },
    platform,
    clock,
    // Loaded at the first message: its wordlists and rule set stay out of every other command.
    redactor: {
      scan: async (text, options) =>
        (await import('../adapters/redaction/scanner.js')).scanMessage(text, options),
    },
    linkSecret:
      env['OFFBOARD_SECRET'] ??
      (options.migrate === false ? '' : await databaseSecret(database, 'link_secret')),
    publicUrl: env['OFFBOARD_PUBLIC_URL'] ?? 'http://127.0.0.1:8080',
    disableLinkTtlMs: 7 * DAY,
    onError: (error, subject) => {
      if (env['OFFBOARD_DEBUG'])
        process.stderr.write(`offboard: ${subject}: ${(error as Error).stack ?? String(error)}\n`);
    },
  };
  return {
    database,
    ledger,
    clock,
    policy: document,
    app,
    rules,
    jurisdiction: async (accountId) => {
      const jurisdiction = await platform.jurisdiction(accountId);
      if (jurisdiction === null)
        throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${accountId}"`);
      return jurisdiction;
    },
    readiness: () => databaseReadiness(database),
    keyring,
    afterWorkerPass: async (owner) => {
      // The tickets' SLA timers: due warnings and breaches become outbox events first, so
      // this same pass fans them out.
      const { sweepTicketSla } = await import('../app/tickets.js');
      while ((await sweepTicketSla(app, rules, { limit: SLA_BATCH })).length === SLA_BATCH);
      // Erasures due now, a batch per pass (docs/retention.md).
      await runErasureBatch(app, {
        owner: `${owner}:${hostname()}`,
        limit: 100,
        leaseMs: 5 * 60_000,
      });
      const now = clock.now();
      await dispatchOutbox(database, webhooks, now);
      if (webhooks) await deliverDue(database, webhooks, now, { owner: `${owner}:${hostname()}` });
    },
    close: () => database.close(),
  };
}

/** The retention table's hash: certificates name the policy they were erased under. */
export function policyVersionOf(document: PolicyDocument): string {
  const digest = createHash('sha256').update(canonicalJson(describeRetention(document)));
  return `retention-${digest.digest('hex').slice(0, 16)}`;
}

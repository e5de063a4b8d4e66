import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuditCheckpoint } from '../../src/app/records.js';
import {
  KyselyAuditRepository,
  sha256,
  verifyAudit,
} from '../../src/adapters/store/audit-repository.js';
import { inTransaction } from '../../src/adapters/store/database.js';
import type { Database } from '../../src/adapters/store/database.js';
import { storeOf } from '../../src/adapters/store/repositories.js';
import { sandboxKeyring } from '../../src/adapters/crypto/keyring.js';
import { keyIdOf, textSigner, textVerifier } from '../../src/adapters/statements/signing-key.js';
import { chainEntry, chainOf } from '../../src/domain/audit-chain.js';
import type { AuditCheckpoint } from '../../src/domain/audit-chain.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { Store } from '../../src/ports/unit-of-work.js';
import { cli } from '../support/cli.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';
import { HANG_MS } from '../support/wait.js';

// Signed checkpoints on real databases: what a hash chain alone cannot catch (its newest
// entries removed with its head, or the whole log re-hashed by someone with write access)
// a checkpoint kept outside the database does.

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const key = { keyId: keyIdOf(publicKey), privateKey, publicKey };
const signer = textSigner(key);
const verifier = textVerifier(publicKey);

describe.each(DIALECTS)('audit checkpoints [%s]', (dialect) => {
  let database: Database;
  let url: string;
  let dispose: () => Promise<void>;
  let store: Store;
  let dir: string;
  let keyFile: string;
  const clock = new FixedClock(new Date('2026-06-01T12:00:00Z'));

  const append = (accountId: string | null, action: string) =>
    store.repos.audit.append({
      at: clock.now().getTime(),
      actorKind: 'agent',
      actorId: 'agent-1',
      action,
      accountId,
      data: '{}',
    });

  async function snapshot() {
    const log = await database.db.selectFrom('audit_log').selectAll().execute();
    const chains = await database.db.selectFrom('audit_chains').selectAll().execute();
    const checkpoints = await database.db.selectFrom('audit_checkpoints').selectAll().execute();
    return { log, chains, checkpoints };
  }
  async function restore(s: Awaited<ReturnType<typeof snapshot>>) {
    for (const table of ['audit_log', 'audit_chains', 'audit_checkpoints'] as const)
      await database.db.deleteFrom(table).execute();
    for (const row of s.log) await database.db.insertInto('audit_log').values(row).execute();
    for (const row of s.chains) await database.db.insertInto('audit_chains').values(row).execute();
    for (const row of s.checkpoints)
      await database.db.insertInto('audit_checkpoints').values(row).execute();
  }

  /** Re-hashes chain `chain` from `fromSeq` on and moves its head: what an insider could do. */
  async function rehash(chain: number) {
    const rows = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('chain', '=', chain)
      .orderBy('chain_seq')
      .execute();
    let prev = '0'.repeat(64);
    for (const row of rows) {
      const entry = chainEntry(
        chain,
        Number(row.chain_seq),
        prev,
        {
          at: Number(row.at),
          actorKind: row.actor_kind as 'agent',
          actorId: row.actor_id,
          action: row.action,
          accountId: row.account_id,
          data: row.data,
        },
        sha256,
      );
      await database.db
        .updateTable('audit_log')
        .set({ prev_hash: prev, hash: entry.hash })
        .where('seq', '=', row.seq)
        .execute();
      prev = entry.hash;
    }
    await database.db
      .updateTable('audit_chains')
      .set({ seq: rows.length, hash: prev })
      .where('chain', '=', chain)
      .execute();
  }

  beforeAll(async () => {
    ({ database, url, dispose } = await openTestDatabase(dialect));
    store = storeOf(database, await sandboxKeyring(database));
    dir = mkdtempSync(join(tmpdir(), 'offboard-checkpoint-'));
    keyFile = join(dir, 'signing.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    for (const account of ['acc-a', 'acc-b', 'acc-c', 'acc-a', 'acc-a'])
      await append(account, 'test.action');
    await append(null, 'system.action');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dispose();
  });

  it('signs every chain head and verifies the stored checkpoint', async () => {
    const checkpoint = await writeAuditCheckpoint({ ...store, clock }, signer);
    expect(checkpoint.heads).toHaveLength(17); // the system chain and 16 account chains
    expect(checkpoint.heads.reduce((n, h) => n + h.seq, 0)).toBe(6);
    expect(await verifyAudit(database, { verifier })).toMatchObject({
      intact: true,
      entries: 6,
      checkpoints: 1,
    });
    expect(await store.repos.audit.latestCheckpoint()).toEqual(checkpoint);
  });

  it('catches a forged stored checkpoint and one signed by another key', async () => {
    const saved = await snapshot();
    await database.db
      .updateTable('audit_checkpoints')
      .set({ signature: 'A'.repeat(88) })
      .execute();
    expect(await verifyAudit(database, { verifier })).toMatchObject({
      intact: false,
      problem: 'bad_signature',
    });
    await restore(saved);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(await verifyAudit(database, { verifier: textVerifier(other) })).toMatchObject({
      intact: false,
      problem: 'bad_signature',
    });
    expect(await verifyAudit(database, { verifier })).toMatchObject({ intact: true });
  });

  it('catches the newest entries removed with their head, which the chains alone cannot', async () => {
    const external = (await store.repos.audit.latestCheckpoint())!;
    const saved = await snapshot();
    const chain = chainOf('acc-a', 16, sha256);
    await database.db
      .deleteFrom('audit_log')
      .where('chain', '=', chain)
      .where('chain_seq', '=', 3)
      .execute();
    await database.db.deleteFrom('audit_checkpoints').execute();
    await rehash(chain);
    expect(await verifyAudit(database, { verifier })).toMatchObject({ intact: true });
    const verdict = await verifyAudit(database, { verifier, external });
    expect(verdict).toMatchObject({ intact: false, chain, seq: 3, problem: 'missing' });
    await restore(saved);
  });

  it('catches a rewritten and re-hashed log, which the chains alone cannot', async () => {
    const external = (await store.repos.audit.latestCheckpoint())!;
    const saved = await snapshot();
    const chain = chainOf('acc-a', 16, sha256);
    await database.db
      .updateTable('audit_log')
      .set({ action: 'test.innocent' })
      .where('chain', '=', chain)
      .where('chain_seq', '=', 2)
      .execute();
    await database.db.deleteFrom('audit_checkpoints').execute();
    await rehash(chain);
    expect(await verifyAudit(database, { verifier })).toMatchObject({ intact: true });
    expect(await verifyAudit(database, { verifier, external })).toMatchObject({
      intact: false,
      chain,
      seq: 3,
      problem: 'checkpoint',
    });
    await restore(saved);
  });

  it('refuses a checkpoint whose heads were edited to match a rewritten log', async () => {
    const external = (await store.repos.audit.latestCheckpoint())!;
    const edited: AuditCheckpoint = {
      ...external,
      heads: external.heads.map((h) => (h.seq > 0 ? { ...h, seq: h.seq - 1 } : h)),
    };
    expect(await verifyAudit(database, { verifier, external: edited })).toMatchObject({
      intact: false,
      problem: 'checkpoint',
    });
  });

  it('publishes and checks checkpoints from the command line', async () => {
    const env = { OFFBOARD_SIGNING_KEY: keyFile };
    const file = join(dir, 'checkpoint.json');
    const written = await cli(['--db', url, 'audit', 'checkpoint', '--out', file], env);
    expect(written.code, written.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      format: 'offboard-audit-checkpoint/1',
      keyId: key.keyId,
    });
    const ok = await cli(['--db', url, 'audit', 'verify', '--checkpoint', file, '--json'], env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ intact: true, signaturesChecked: true });

    const saved = await snapshot();
    const chain = chainOf('acc-c', 16, sha256);
    await database.db.deleteFrom('audit_log').where('chain', '=', chain).execute();
    await database.db.deleteFrom('audit_checkpoints').execute();
    await database.db
      .updateTable('audit_chains')
      .set({ seq: 0, hash: '0'.repeat(64) })
      .where('chain', '=', chain)
      .execute();
    expect((await cli(['--db', url, 'audit', 'verify'], env)).code).toBe(0);
    const caught = await cli(['--db', url, 'audit', 'verify', '--checkpoint', file], env);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain(`chain ${chain}: entries 1..1 were removed from the end`);
    await restore(saved);
  });

  it('refuses a checkpoint file it cannot use, and one it has no key to check', async () => {
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"format":"something else"}');
    const env = { OFFBOARD_SIGNING_KEY: keyFile };
    const bad = await cli(['--db', url, 'audit', 'verify', '--checkpoint', garbage, '--json'], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toContain('OFFBOARD_ERR_BAD_CHECKPOINT');
    const file = join(dir, 'checkpoint.json');
    const keyless = await cli(['--db', url, 'audit', 'verify', '--checkpoint', file, '--json']);
    expect(keyless.code).toBe(2);
    expect(keyless.stdout + keyless.stderr).toContain('OFFBOARD_ERR_SIGNING_KEY');
    const unsigned = await cli(['--db', url, 'audit', 'checkpoint', '--json']);
    expect(unsigned.stdout + unsigned.stderr).toContain('OFFBOARD_ERR_SIGNING_KEY');
  });

  it('verifies intact while writers keep appending to every chain', async () => {
    const verdicts: boolean[] = [];
    let writing = true;
    const writers = (async () => {
      for (let i = 0; i < 60; i++) await append(`acc-busy-${i % 7}`, 'test.busy');
      writing = false;
    })();
    while (writing) verdicts.push((await verifyAudit(database)).intact);
    await writers;
    verdicts.push((await verifyAudit(database)).intact);
    expect(verdicts.every(Boolean)).toBe(true);
  });

  // SQLite has one writer at a time by design (one process claims work): nothing to race there.
  it.runIf(dialect === 'postgres')(
    'lets writers of different chains append while another chain is held',
    async () => {
      const [x, y] = ['acc-x1', 'acc-y1', 'acc-y2', 'acc-y3'].filter(
        (id, i, all) => i === 0 || chainOf(id, 16, sha256) !== chainOf(all[0]!, 16, sha256),
      );
      let timer: NodeJS.Timeout | undefined;
      let holding!: () => void;
      const held = new Promise<void>((resolve) => (holding = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const content = (accountId: string) => ({
        at: 1,
        actorKind: 'agent' as const,
        actorId: 'a',
        action: 'test.concurrent',
        accountId,
        data: '{}',
      });
      const first = inTransaction(database, async (tx) => {
        await new KyselyAuditRepository(database, tx).append(content(x!));
        holding();
        await released;
      });
      await held;
      // Under one global lock this append would wait for `first` to commit, forever.
      const second = await Promise.race([
        inTransaction(database, (tx) =>
          new KyselyAuditRepository(database, tx).append(content(y!)),
        ),
        new Promise<'blocked'>(
          (resolve) => (timer = setTimeout(() => resolve('blocked'), HANG_MS)),
        ),
      ]);
      clearTimeout(timer);
      release();
      await first;
      expect(second).not.toBe('blocked');
      expect(await verifyAudit(database)).toMatchObject({ intact: true });
    },
  );
});

describe.each(DIALECTS)('the worker seals checkpoints [%s]', (dialect) => {
  let url: string;
  let dispose: () => Promise<void>;
  let database: Database;
  let dir: string;
  let keyFile: string;

  beforeAll(async () => {
    ({ database, url, dispose } = await openTestDatabase(dialect));
    dir = mkdtempSync(join(tmpdir(), 'offboard-sealer-'));
    keyFile = join(dir, 'signing.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dispose();
  });

  const stored = async () =>
    (await database.db.selectFrom('audit_checkpoints').select('id').execute()).length;

  it('writes one when a signing key is set and the newest is old enough, and none without a key', async () => {
    expect((await cli(['--db', url, 'work', '--once', '--json'])).code).toBe(0);
    expect(await stored()).toBe(0);
    const env = { OFFBOARD_SIGNING_KEY: keyFile };
    const first = await cli(['--db', url, 'work', '--once', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(await stored()).toBe(1);
    // Not due again within the interval; due at once with an interval of zero.
    await cli(['--db', url, 'work', '--once', '--json'], env);
    expect(await stored()).toBe(1);
    await cli(['--db', url, 'work', '--once', '--json', '--checkpoint-every', '0s'], env);
    const now = await stored();
    expect(now).toBeGreaterThan(1); // one per housekeeping pass: --once makes one or two
    expect(await verifyAudit(database, { verifier })).toMatchObject({
      intact: true,
      checkpoints: now,
    });
  });
});

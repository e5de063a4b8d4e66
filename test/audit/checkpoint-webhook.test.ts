import { sandboxKeyring } from '../../src/adapters/crypto/keyring.js';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_EVENT, sealIfDue } from '../../src/app/records.js';
import { verifyAudit } from '../../src/adapters/store/audit-repository.js';
import type { Database } from '../../src/adapters/store/database.js';
import { storeOf } from '../../src/adapters/store/repositories.js';
import { keyIdOf, textSigner, textVerifier } from '../../src/adapters/statements/signing-key.js';
import {
  deliverDue,
  dispatchOutbox,
  verifyWebhook,
  webhookConfig,
} from '../../src/adapters/webhooks/webhooks.js';
import type { WebhookEventBody } from '../../src/adapters/webhooks/webhooks.js';
import type { AuditCheckpoint } from '../../src/domain/audit-chain.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { CheckpointSigner } from '../../src/ports/audit.js';
import type { Store } from '../../src/ports/unit-of-work.js';
import { cli } from '../support/cli.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';
import { Receiver } from '../webhooks/receiver.js';

// A checkpoint is worth something only outside the database: each one the sealer writes is
// published as an `audit.checkpoint` webhook event, delivered like every other event, and
// the copy a receiver keeps catches a rewritten log. Real databases, a real HTTP receiver.

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = textSigner({ keyId: keyIdOf(publicKey), privateKey, publicKey });
const verifier = textVerifier(publicKey);
const SECRET = 'whsec-checkpoint-0123456789';

describe.each(DIALECTS)('checkpoint webhook [%s]', (dialect) => {
  let database: Database;
  let url: string;
  let dispose: () => Promise<void>;
  let store: Store;
  let receiver: Receiver;
  let dir: string;
  const clock = new FixedClock(new Date('2026-06-01T12:00:00Z'));

  beforeAll(async () => {
    ({ database, url, dispose } = await openTestDatabase(dialect));
    store = storeOf(database, await sandboxKeyring(database));
    receiver = await Receiver.start();
    dir = mkdtempSync(join(tmpdir(), 'offboard-checkpoint-hook-'));
    for (const accountId of ['acc-a', 'acc-b', null])
      await store.repos.audit.append({
        at: clock.now().getTime(),
        actorKind: 'agent',
        actorId: 'agent-1',
        action: 'test.action',
        accountId,
        data: '{}',
      });
  });
  afterAll(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
    await dispose();
  });

  const received = (path: string) =>
    receiver.forPath(path).map((r) => ({ ...r, json: JSON.parse(r.body) as WebhookEventBody }));

  it('delivers each sealed checkpoint, signed, and the copy catches a rewritten log', async () => {
    const endpoint = receiver.url('/sealed');
    const config = webhookConfig({ endpoints: [endpoint], secret: SECRET });
    const ctx = { ...store, clock };
    const sealed = await sealIfDue(ctx, signer, 600_000);
    expect(sealed).not.toBeNull();
    // Not due again within the interval: no second checkpoint, no second event.
    expect(await sealIfDue(ctx, signer, 600_000)).toBeNull();
    expect(await dispatchOutbox(database, config, clock.now())).toBe(1);
    expect(await deliverDue(database, config, clock.now(), { owner: 'test' })).toEqual({
      delivered: 1,
      failed: 0,
      dead: 0,
    });
    const [request] = received('/sealed');
    expect(request).toBeDefined();
    expect(request!.headers['offboard-event']).toBe(CHECKPOINT_EVENT);
    expect(
      verifyWebhook(
        SECRET,
        request!.headers,
        request!.body,
        Number(request!.headers['webhook-timestamp']),
      ),
    ).toBe(true);
    expect(request!.json).toMatchObject({ event: CHECKPOINT_EVENT, accountId: null });
    const published = (request!.json.data as { checkpoint: AuditCheckpoint }).checkpoint;
    expect(published).toEqual(sealed);
    expect(await verifyAudit(database, { verifier, external: published })).toMatchObject({
      intact: true,
    });
    // Someone with write access drops the newest entry of a chain and its checkpoints: the
    // receiver's copy still knows the chain was longer.
    const newest = await database.db
      .selectFrom('audit_log')
      .select(['seq', 'chain'])
      .where('account_id', '=', 'acc-a')
      .executeTakeFirstOrThrow();
    await database.db.deleteFrom('audit_log').where('seq', '=', newest.seq).execute();
    await database.db
      .updateTable('audit_chains')
      .set({ seq: 0, hash: '0'.repeat(64) })
      .where('chain', '=', newest.chain!)
      .execute();
    await database.db.deleteFrom('audit_checkpoints').execute();
    expect(await verifyAudit(database, { verifier })).toMatchObject({ intact: true });
    expect(await verifyAudit(database, { verifier, external: published })).toMatchObject({
      intact: false,
      problem: 'missing',
    });
  });

  it('publishes nothing when the checkpoint cannot be stored', async () => {
    const before = await database.db.selectFrom('outbox').select('id').execute();
    const failing: CheckpointSigner = {
      keyId: signer.keyId,
      sign: () => {
        throw new Error('the key is gone');
      },
    };
    await expect(
      sealIfDue({ ...store, clock: new FixedClock(new Date('2027-01-01T00:00:00Z')) }, failing, 0),
    ).rejects.toThrow('the key is gone');
    expect(await database.db.selectFrom('outbox').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('the worker seals and delivers in the same pass (offboard work --once)', async () => {
    const keyFile = join(dir, 'signing.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const endpoint = receiver.url('/worker');
    const result = await cli(
      ['--db', url, 'work', '--once', '--json', '--checkpoint-every', '0s'],
      {
        OFFBOARD_SIGNING_KEY: keyFile,
        OFFBOARD_WEBHOOK_URLS: endpoint,
        OFFBOARD_WEBHOOK_SECRET: SECRET,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const events = received('/worker');
    expect(events.length).toBeGreaterThan(0);
    const stored = await database.db.selectFrom('audit_checkpoints').select('root').execute();
    // Every event is a stored checkpoint (the last pass's may wait for the next worker pass).
    for (const event of events) {
      expect(event.json.event).toBe(CHECKPOINT_EVENT);
      const checkpoint = (event.json.data as { checkpoint: AuditCheckpoint }).checkpoint;
      expect(stored.map((s) => s.root)).toContain(checkpoint.root);
      expect(await verifyAudit(database, { verifier, external: checkpoint })).toMatchObject({
        intact: true,
      });
    }
  });
});

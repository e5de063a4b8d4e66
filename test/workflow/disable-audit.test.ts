import { scanMessage } from '../../src/adapters/redaction/scanner.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext, WorkflowRules } from '../../src/app/context.js';
import { disableAccount, enableAccount, redeemDisableLink } from '../../src/app/disable-account.js';
import { LedgerPlatform } from '../../src/adapters/ledger/ledger-platform.js';
import { seedScenarios } from '../../src/adapters/ledger/scenarios.js';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { verifyAudit } from '../../src/adapters/store/audit-repository.js';
import type { Database } from '../../src/adapters/store/database.js';
import { storeOf } from '../../src/adapters/store/repositories.js';
import { sandboxKeyring } from '../../src/adapters/crypto/keyring.js';
import { listMail } from '../../src/adapters/store/mailbox-repository.js';
import { FixedClock } from '../../src/ports/clock.js';
import { openTestDatabase } from '../support/databases.js';
import { platformMatrix, startSandbox } from '../support/platforms.js';

const HOUR = 3_600_000;
const rules: WorkflowRules = {
  gracePeriodMs: 0,
  confirmationExpiryMs: HOUR,
  requireReauthentication: true,
  disableMinimumMs: 24 * HOUR,
  requireReverification: true,
};

// On http the accounts live in the sandbox platform's own database, reached over HTTP;
// offboard's database (`database`) keeps the disablements, links, mail, outbox and audit.
describe.each(platformMatrix())(
  'disable, enable, disable links and the audit chain [%s, %s]',
  (dialect, kind) => {
    let database: Database;
    let dispose: () => Promise<void>;
    let app: AppContext;
    let ledger: BuiltinLedger;
    const clock = new FixedClock(new Date('2026-06-01T12:00:00Z'));

    beforeAll(async () => {
      const opened = await openTestDatabase(dialect);
      database = opened.database;
      let platform: PlatformPort;
      if (kind === 'builtin') {
        dispose = opened.dispose;
        await seedScenarios(database, clock, { whaleTransactions: 10 });
        ledger = new BuiltinLedger(database, clock);
        platform = new LedgerPlatform(database, ledger);
      } else {
        const sandbox = await startSandbox(dialect, clock);
        dispose = async () => {
          await sandbox.close();
          await opened.dispose();
        };
        await seedScenarios(sandbox.database, clock, { whaleTransactions: 10 });
        ledger = sandbox.ledger;
        platform = sandbox.client();
      }
      app = {
        ...storeOf(database, await sandboxKeyring(database)),
        platform,
        clock,
        redactor: { scan: (text, options) => scanMessage(text, options) },
        linkSecret: 'test-secret',
        publicUrl: 'http://127.0.0.1:8080',
        disableLinkTtlMs: 24 * HOUR,
      };
    });
    afterAll(async () => dispose());

    it('disables at once: credentials revoked, orders cancelled, balances kept', async () => {
      const before = await ledger.balances('demo-open-order');
      const result = await disableAccount(app, rules, {
        accountId: 'demo-open-order',
        reason: 'holder reports stolen phone',
        actor: { kind: 'agent', id: 'agent-1' },
      });
      expect(result.alreadyDisabled).toBe(false);
      expect(result.revokedCredentials).toBe(1); // the session; the TOTP factor stays
      expect(result.cancelledOrders).toBe(1);
      const facts = await app.platform.facts('demo-open-order');
      expect(facts?.status).toBe('disabled');
      expect(facts?.credentials.map((c) => c.kind)).toEqual(['totp']);
      expect(facts?.openOrders).toEqual([]);
      const after = await ledger.balances('demo-open-order');
      expect(after.map((b) => b.available + b.locked)).toEqual(
        before.map((b) => b.available + b.locked),
      );
      // Every channel on file is told, each with a disable link; the reason is not revealed.
      const mail = await listMail(database, { accountId: 'demo-open-order', limit: 10 });
      expect(mail.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
      expect(
        mail.every(
          (m) => m.body.includes('/v1/disable-links/') && !m.body.includes('stolen phone'),
        ),
      ).toBe(true);
      // The audit chain and the webhooks carry who asked, never the free-text reason.
      const audit = await database.db
        .selectFrom('audit_log')
        .select('data')
        .where('action', '=', 'account.disable')
        .execute();
      expect(audit.map((row) => JSON.parse(row.data) as unknown)).toEqual([
        { disablementId: result.disablementId, reasonCode: 'agent_request' },
      ]);
      const outbox = await database.db
        .selectFrom('outbox')
        .select('payload')
        .where('event', '=', 'account.disabled')
        .execute();
      expect(outbox).toHaveLength(1);
      expect(outbox[0]?.payload).toContain('"reasonCode":"agent_request"');
      expect(outbox[0]?.payload).not.toContain('stolen phone');
      // Disabling again finds the same disablement.
      const again = await disableAccount(app, rules, {
        accountId: 'demo-open-order',
        reason: 'again',
        actor: { kind: 'agent', id: 'agent-1' },
      });
      expect(again).toMatchObject({ disablementId: result.disablementId, alreadyDisabled: true });
    });

    it('refuses to enable before the minimum wait and without re-verification, and never restores credentials', async () => {
      await expect(
        enableAccount(app, rules, {
          accountId: 'demo-open-order',
          reverified: true,
          actor: { kind: 'agent', id: 'a' },
        }),
      ).rejects.toMatchObject({ code: 'OFFBOARD_ERR_TOO_EARLY' });
      clock.advance(25 * HOUR);
      await expect(
        enableAccount(app, rules, {
          accountId: 'demo-open-order',
          reverified: false,
          actor: { kind: 'agent', id: 'a' },
        }),
      ).rejects.toMatchObject({ code: 'OFFBOARD_ERR_REVERIFICATION_REQUIRED' });
      await enableAccount(app, rules, {
        accountId: 'demo-open-order',
        reverified: true,
        actor: { kind: 'agent', id: 'a' },
      });
      const facts = await app.platform.facts('demo-open-order');
      expect(facts?.status).toBe('active');
      expect(facts?.credentials.map((c) => c.kind)).toEqual(['totp']);
    });

    it('disables through a mailed disable link exactly once, and refuses forged or reused links', async () => {
      const mail = await listMail(database, { accountId: 'demo-open-order', limit: 1 });
      const token = /\/v1\/disable-links\/(\S+)/.exec(mail[0]!.body)![1]!;
      const result = await redeemDisableLink(app, rules, token);
      expect(result.accountId).toBe('demo-open-order');
      expect((await app.platform.facts('demo-open-order'))?.status).toBe('disabled');
      await expect(redeemDisableLink(app, rules, token)).rejects.toMatchObject({
        code: 'OFFBOARD_ERR_INVALID_LINK',
      });
      const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      await expect(redeemDisableLink(app, rules, forged)).rejects.toMatchObject({
        code: 'OFFBOARD_ERR_INVALID_LINK',
      });
      await expect(redeemDisableLink(app, rules, 'not-a-token')).rejects.toMatchObject({
        code: 'OFFBOARD_ERR_INVALID_LINK',
      });
    });

    it('refuses an expired disable link', async () => {
      await disableAccount(app, rules, {
        accountId: 'demo-balance',
        reason: 'test',
        actor: { kind: 'agent', id: 'a' },
      });
      const mail = await listMail(database, { accountId: 'demo-balance', limit: 1 });
      const token = /\/v1\/disable-links\/(\S+)/.exec(mail[0]!.body)![1]!;
      clock.advance(25 * HOUR);
      await expect(redeemDisableLink(app, rules, token)).rejects.toMatchObject({
        code: 'OFFBOARD_ERR_INVALID_LINK',
        message: expect.stringContaining('expired'),
      });
    });

    describe('tamper detection', () => {
      // Each case breaks a copy of the intact log, checks verify names the entry (its chain
      // and its position there), then restores. The cases work on the busiest chain.
      async function entries() {
        return database.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      }
      async function busiestChain() {
        const rows = await entries();
        const counts = new Map<number, number>();
        for (const r of rows) counts.set(r.chain!, (counts.get(r.chain!) ?? 0) + 1);
        const chain = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
        const inChain = rows
          .filter((r) => r.chain === chain)
          .sort((a, b) => Number(a.chain_seq) - Number(b.chain_seq));
        return { rows, chain, inChain };
      }
      async function restore(rows: Awaited<ReturnType<typeof entries>>) {
        await database.db.deleteFrom('audit_log').execute();
        for (const row of rows) await database.db.insertInto('audit_log').values(row).execute();
      }

      it('verifies the intact chains, one per account and none shared', async () => {
        const verdict = await verifyAudit(database);
        expect(verdict).toMatchObject({ intact: true });
        const { rows, inChain } = await busiestChain();
        expect(rows.length).toBeGreaterThanOrEqual(4);
        expect(inChain.length).toBeGreaterThanOrEqual(3);
        // Every entry of an account sits on the same chain.
        const chainsOf = new Map<string, Set<number>>();
        for (const r of rows) {
          if (r.account_id === null) continue;
          chainsOf.set(r.account_id, (chainsOf.get(r.account_id) ?? new Set()).add(r.chain!));
        }
        expect([...chainsOf.values()].every((set) => set.size === 1)).toBe(true);
      });

      it('names an altered entry', async () => {
        const { rows, chain } = await busiestChain();
        await database.db
          .updateTable('audit_log')
          .set({ data: '{"reason":"nothing to see"}' })
          .where('chain', '=', chain)
          .where('chain_seq', '=', 2)
          .execute();
        expect(await verifyAudit(database)).toMatchObject({
          intact: false,
          chain,
          seq: 2,
          problem: 'altered',
        });
        await restore(rows);
      });

      it('names a deleted entry, in the middle and at the end', async () => {
        const { rows, chain, inChain } = await busiestChain();
        const inChainOnly = (q: number) =>
          database.db
            .deleteFrom('audit_log')
            .where('chain', '=', chain)
            .where('chain_seq', '=', q)
            .execute();
        await inChainOnly(2);
        expect(await verifyAudit(database)).toMatchObject({
          intact: false,
          chain,
          seq: 3,
          problem: 'missing',
        });
        await restore(rows);
        await inChainOnly(inChain.length);
        expect(await verifyAudit(database)).toMatchObject({
          intact: false,
          chain,
          seq: inChain.length,
          problem: 'missing',
        });
        await restore(rows);
      });

      it('names an inserted entry', async () => {
        const { rows, chain, inChain } = await busiestChain();
        const last = inChain[inChain.length - 1]!;
        const { seq: _seq, ...content } = last;
        await database.db
          .insertInto('audit_log')
          .values({
            ...content,
            chain_seq: inChain.length + 1,
            action: 'account.enable',
            prev_hash: last.hash,
          })
          .execute();
        expect(await verifyAudit(database)).toMatchObject({
          intact: false,
          chain,
          seq: inChain.length + 1,
        });
        await restore(rows);
      });

      it('names reordered entries', async () => {
        const { rows, chain, inChain } = await busiestChain();
        const [a, b] = [inChain[1]!, inChain[2]!];
        await database.db.deleteFrom('audit_log').where('seq', 'in', [a.seq, b.seq]).execute();
        await database.db
          .insertInto('audit_log')
          .values({ ...b, chain_seq: a.chain_seq })
          .execute();
        await database.db
          .insertInto('audit_log')
          .values({ ...a, chain_seq: b.chain_seq })
          .execute();
        const verdict = await verifyAudit(database);
        expect(verdict).toMatchObject({ intact: false, chain, seq: Number(a.chain_seq) });
        await restore(rows);
        expect(await verifyAudit(database)).toMatchObject({ intact: true });
      });

      it('names an entry moved to another chain', async () => {
        const { rows, inChain } = await busiestChain();
        const moved = inChain[inChain.length - 1]!;
        // To a chain with no entries yet, as its first entry: only the hash can tell.
        const used = new Set(rows.map((r) => r.chain));
        const other = [1, 2, 3, 4, 5, 6].find((c) => !used.has(c))!;
        await database.db
          .updateTable('audit_log')
          .set({ chain: other, chain_seq: 1, prev_hash: '0'.repeat(64) })
          .where('seq', '=', moved.seq)
          .execute();
        expect(await verifyAudit(database)).toMatchObject({ intact: false });
        await restore(rows);
      });
    });
  },
);

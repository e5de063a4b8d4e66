import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyPem, verifyBytes } from '../../src/adapters/statements/signing-key.js';
import { DIALECTS } from '../support/databases.js';
import { DAY, TRANSPORTS, openHarness } from './harness.js';
import type { Harness } from './harness.js';

// Both databases, through inject and through a server listening on 127.0.0.1.
const CASES = DIALECTS.flatMap((d) => TRANSPORTS.map((t) => [d, t] as const));

interface ClosureJson {
  id: string;
  state: string;
  reason?: string | null;
  dueAt: string | null;
}
interface VerdictJson {
  eligible: boolean;
  audience: string;
  lang: string;
  blockers: {
    code: string;
    severity: string;
    message: string;
    params: Record<string, string>;
    detail?: string;
  }[];
}

// Every route's happy path through inject, on real SQLite and PostgreSQL databases.
describe.each(CASES)('HTTP routes [%s, %s]', (dialect, transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(dialect, { transport });
  });
  afterAll(async () => h.dispose());

  describe('system', () => {
    it('answers /healthz and /readyz', async () => {
      expect((await h.call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
      expect((await h.call('GET', '/readyz')).json()).toEqual({
        status: 'ready',
        database: dialect,
      });
    });

    it('serves the OpenAPI document and the docs page', async () => {
      const doc = (await h.call('GET', '/openapi.json')).json<{ openapi: string }>();
      expect(doc.openapi).toBe('3.1.0');
      const docs = await h.call('GET', '/docs/');
      expect(docs.status).toBe(200);
      expect(docs.body).toContain('swagger');
    });

    it('exposes Prometheus metrics: requests by route and status, closures by state, worker lag', async () => {
      await h.call('GET', '/healthz');
      const text = (await h.call('GET', '/metrics')).body;
      expect(text).toMatch(
        /offboard_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+/,
      );
      expect(text).toContain(
        'offboard_http_request_duration_seconds_bucket{le="+Inf",route="/healthz",method="GET",status="200"}',
      );
      expect(text).toMatch(/offboard_closures\{state="closed"\} \d+/);
      expect(text).toMatch(/offboard_worker_lag_seconds \d/);
    });
  });

  describe('holder', () => {
    it('tells the holder who they are', async () => {
      const me = await h.call('GET', '/v1/me', { token: h.holder('demo-balance') });
      expect(me.json()).toEqual({
        accountId: 'demo-balance',
        status: 'active',
        jurisdiction: 'GB',
      });
    });

    it('lists every blocker in the language asked for, without tipping off a review', async () => {
      const answer = await h.call('GET', '/v1/me/eligibility?lang=zh-CN', {
        token: h.holder('demo-everything'),
      });
      expect(answer.status).toBe(200);
      const verdict = answer.json<VerdictJson>();
      expect(verdict).toMatchObject({ eligible: false, audience: 'holder', lang: 'zh-CN' });
      expect(new Set(verdict.blockers.map((b) => b.code))).toContain('account_hold');
      expect(answer.body).not.toContain('EDD-512');
      expect(verdict.blockers.every((b) => b.detail === undefined)).toBe(true);
    });

    it('requests, reads, confirms and cancels a closure', async () => {
      const token = h.holder('demo-clean');
      const requested = await h.call('POST', '/v1/me/closure', { token, body: {} });
      expect(requested.status).toBe(201);
      expect(requested.json<{ closure: ClosureJson; codeSent: boolean }>()).toMatchObject({
        closure: { state: 'requested' },
        codeSent: true,
      });
      expect(requested.json<{ closure: ClosureJson }>().closure.reason).toBeUndefined();
      const confirmed = await h.call('POST', '/v1/me/closure/confirm', {
        token,
        body: { code: await h.code('demo-clean') },
      });
      expect(confirmed.status).toBe(200);
      expect(confirmed.json<{ closure: ClosureJson }>().closure.state).toBe('grace');
      const status = await h.call('GET', '/v1/me/closure', { token });
      expect(status.json<{ closure: ClosureJson }>().closure.state).toBe('grace');
      const cancelled = await h.call('POST', '/v1/me/closure/cancel', { token });
      expect(cancelled.json<{ closure: ClosureJson }>().closure.state).toBe('cancelled');
    });

    it('disables the account, after which the old token no longer works', async () => {
      const token = h.holder('demo-linked-app');
      const disabled = await h.call('POST', '/v1/me/disable', {
        token,
        body: { reason: 'I lost my phone' },
      });
      expect(disabled.status).toBe(200);
      expect(disabled.json()).toMatchObject({
        accountId: 'demo-linked-app',
        alreadyDisabled: false,
      });
      expect((await h.call('GET', '/v1/me', { token })).status).toBe(401);
    });

    it('shows a disable link as a page with a button and disables through it, once', async () => {
      await h.call('POST', '/v1/me/closure', { token: h.holder('demo-pending-deposit'), body: {} });
      const link = await h.link('demo-pending-deposit');
      const page = await h.call('GET', `/v1/disable-links/${link}`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('<form method="post"');
      // The page's button posts an empty form.
      const used = await h.call('POST', `/v1/disable-links/${link}`, {
        raw: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(used.status).toBe(200);
      expect(used.json()).toMatchObject({
        accountId: 'demo-pending-deposit',
        alreadyDisabled: false,
      });
      const again = await h.call('POST', `/v1/disable-links/${link}`);
      expect(again.status).toBe(400);
      expect(again.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_INVALID_LINK' } });
    });
  });

  describe('holder statements', () => {
    interface Exported {
      id: string;
      manifest: {
        account: string;
        rows: number;
        period: { from: string | null; to: string | null };
        files: { name: string; sha256: string; bytes: number }[];
      };
      files: { name: string; href: string }[];
    }

    it('exports statements, serves each file and the signed manifest, to their holder only', async () => {
      const token = h.holder('demo-whale');
      const created = await h.call('POST', '/v1/me/exports', {
        token,
        body: { formats: ['csv', 'jsonl', 'pdf'] },
      });
      expect(created.status, created.body).toBe(201);
      const exported = created.json<Exported>();
      expect(exported.manifest).toMatchObject({ account: 'demo-whale', rows: 50 });
      expect(exported.files.map((f) => f.name)).toEqual([
        'statement.csv',
        'statement.jsonl',
        'statement.pdf',
        'manifest.json',
        'manifest.sig',
      ]);
      for (const file of exported.manifest.files) {
        const download = await h.app.inject({
          method: 'GET',
          url: `/v1/me/exports/${exported.id}/${file.name}`,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(download.statusCode).toBe(200);
        expect(download.rawPayload.length).toBe(file.bytes);
        expect(createHash('sha256').update(download.rawPayload).digest('hex')).toBe(file.sha256);
      }
      const manifest = await h.app.inject({
        method: 'GET',
        url: `/v1/me/exports/${exported.id}/manifest.json`,
        headers: { authorization: `Bearer ${token}` },
      });
      const signature = await h.call('GET', `/v1/me/exports/${exported.id}/manifest.sig`, {
        token,
      });
      expect(verifyBytes(h.signingKey.publicKey, manifest.rawPayload, signature.body.trim())).toBe(
        true,
      );
      expect(JSON.parse(manifest.payload)).toEqual(exported.manifest);
      // Another holder cannot reach it: the same id is simply not theirs.
      const other = await h.call('GET', `/v1/me/exports/${exported.id}/statement.csv`, {
        token: h.holder('demo-clean'),
      });
      expect(other.status).toBe(404);
      expect(
        (await h.call('GET', `/v1/me/exports/${exported.id}/..%2F..%2Fsigning-key.pem`, { token }))
          .status,
      ).toBe(400);
      const key = await h.call('GET', '/v1/statements/public-key');
      expect(key.body).toBe(publicKeyPem(h.signingKey.publicKey));
    });

    it('exports a period and refuses a date that is not one', async () => {
      const token = h.holder('demo-whale');
      const period = await h.call('POST', '/v1/me/exports', {
        token,
        body: { formats: ['csv'], from: '2020-01-01', to: '2020-01-02' },
      });
      expect(period.status).toBe(201);
      expect(period.json<Exported>().manifest.rows).toBe(0);
      const bad = await h.call('POST', '/v1/me/exports', { token, body: { from: 'yesterday' } });
      expect(bad.status).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_INVALID_REQUEST' } });
    });

    it('refuses impossible calendar dates and times instead of rolling them over, naming the field', async () => {
      const token = h.holder('demo-whale');
      for (const [body, field, why] of [
        [{ from: '2026-02-30' }, 'from', 'February 2026 has 28 days, not 30'],
        [
          { from: '2020-01-01', to: '2026-04-31T00:00:00Z' },
          'to',
          'April 2026 has 30 days, not 31',
        ],
        [{ to: '2026-01-01T24:00:00Z' }, 'to', 'not a time of day'],
        [{ from: '2026-01-01T10:00:00' }, 'from', 'add Z for UTC'],
      ] as const) {
        const bad = await h.call('POST', '/v1/me/exports', { token, body });
        expect(bad.status).toBe(400);
        const { error } = bad.json<{ error: { code: string; message: string } }>();
        expect(error.code).toBe('OFFBOARD_ERR_INVALID_REQUEST');
        expect(error.message).toContain(`body/${field} is not a valid date or instant`);
        expect(error.message).toContain(why);
      }
      // A real leap day is a date.
      const leap = await h.call('POST', '/v1/me/exports', {
        token,
        body: { formats: ['csv'], from: '2024-02-29', to: '2024-03-01' },
      });
      expect(leap.status).toBe(201);
      expect(leap.json<Exported>().manifest.period).toEqual({
        from: '2024-02-29T00:00:00.000Z',
        to: '2024-03-01T00:00:00.000Z',
      });
    });
  });

  describe('platform', () => {
    it('reads eligibility for holders or, when asked, for agents', async () => {
      const holderView = (
        await h.call('GET', '/v1/accounts/demo-hold-compliance/eligibility', { token: h.keys.read })
      ).json<VerdictJson>();
      expect(JSON.stringify(holderView)).not.toContain('SAR-7781');
      const agentView = (
        await h.call('GET', '/v1/accounts/demo-hold-compliance/eligibility?audience=agent', {
          token: h.keys.read,
        })
      ).json<VerdictJson>();
      expect(agentView.blockers[0]?.detail).toContain('SAR-7781');
    });

    it('requests a closure already confirmed, with consent and no grace, and lists it', async () => {
      const created = await h.call('POST', '/v1/accounts/demo-dust/closure', {
        token: h.keys.write,
        body: { consent: { sweepDust: true }, confirmed: true, graceSeconds: 0 },
      });
      expect(created.status).toBe(201);
      expect(created.json<{ closure: ClosureJson; codeSent: boolean }>()).toMatchObject({
        closure: { state: 'grace', reason: null },
        codeSent: false,
      });
      const status = await h.call('GET', '/v1/accounts/demo-dust/closure', { token: h.keys.read });
      expect(status.json<{ closure: ClosureJson }>().closure.state).toBe('grace');
      const listed = (
        await h.call('GET', '/v1/closures?state=open&limit=100', { token: h.keys.read })
      ).json<{ closures: { accountId: string }[] }>();
      expect(listed.closures.map((c) => c.accountId)).toContain('demo-dust');
    });

    it('pages through closures with a cursor', async () => {
      const first = (await h.call('GET', '/v1/closures?limit=1', { token: h.keys.read })).json<{
        closures: { id: string }[];
        next: string | null;
      }>();
      expect(first.closures).toHaveLength(1);
      expect(first.next).not.toBeNull();
      const second = (
        await h.call('GET', `/v1/closures?limit=1&cursor=${encodeURIComponent(first.next!)}`, {
          token: h.keys.read,
        })
      ).json<{ closures: { id: string }[] }>();
      expect(second.closures[0]?.id).not.toBe(first.closures[0]?.id);
    });

    it('confirms and cancels on the holder’s behalf', async () => {
      await h.call('POST', '/v1/accounts/demo-open-order/closure', {
        token: h.keys.write,
        body: { consent: { cancelOrders: true } },
      });
      const confirmed = await h.call('POST', '/v1/accounts/demo-open-order/closure/confirm', {
        token: h.keys.write,
        body: { code: await h.code('demo-open-order') },
      });
      expect(confirmed.json<{ closure: ClosureJson }>().closure.state).toBe('grace');
      const cancelled = await h.call('POST', '/v1/accounts/demo-open-order/closure/cancel', {
        token: h.keys.write,
      });
      expect(cancelled.json<{ closure: ClosureJson }>().closure).toMatchObject({
        state: 'cancelled',
        reason: 'cancelled by the holder',
      });
    });

    it('disables, refuses an early enable, and enables after the wait with re-verification', async () => {
      const disabled = await h.call('POST', '/v1/accounts/demo-negative/disable', {
        token: h.keys.write,
        body: { reason: 'account takeover suspected' },
      });
      expect(disabled.status).toBe(200);
      const early = await h.call('POST', '/v1/accounts/demo-negative/enable', {
        token: h.keys.admin,
        body: { reverified: true },
      });
      expect(early.status).toBe(409);
      expect(early.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_TOO_EARLY' } });
      h.clock.advance(DAY + 1000);
      const unverified = await h.call('POST', '/v1/accounts/demo-negative/enable', {
        token: h.keys.admin,
        body: {},
      });
      expect(unverified.status).toBe(422);
      const enabled = await h.call('POST', '/v1/accounts/demo-negative/enable', {
        token: h.keys.admin,
        body: { reverified: true },
      });
      expect(enabled.status).toBe(200);
      expect(enabled.json()).toMatchObject({ accountId: 'demo-negative' });
    });

    it('mints a holder token the holder routes accept', async () => {
      const minted = await h.call('POST', '/v1/accounts/demo-balance/holder-token', {
        token: h.keys.admin,
        body: { ttlSeconds: 600 },
      });
      expect(minted.status).toBe(201);
      const { token } = minted.json<{ token: string }>();
      expect((await h.call('GET', '/v1/me', { token })).json()).toMatchObject({
        accountId: 'demo-balance',
      });
    });

    it('scans every account', async () => {
      const scan = await h.call('POST', '/v1/scan', { token: h.keys.admin, body: {} });
      expect(scan.status).toBe(200);
      const summary = scan.json<{ accounts: number; blockers: Record<string, number> }>();
      expect(summary.accounts).toBeGreaterThanOrEqual(14);
      expect(summary.blockers['account_hold']).toBeGreaterThanOrEqual(3);
    });

    it('pages through the audit log and verifies the chain', async () => {
      const page = (await h.call('GET', '/v1/audit?limit=2', { token: h.keys.admin })).json<{
        entries: { seq: number; action: string; chain: number | null; chainSeq: number }[];
        next: number | null;
      }>();
      expect(page.entries).toHaveLength(2);
      // Each entry says where it sits, so a reader can re-check its chain.
      expect(page.entries[0]).toMatchObject({ chain: expect.any(Number), chainSeq: 1 });
      const next = (
        await h.call('GET', `/v1/audit?after=${page.next}&account=demo-clean`, {
          token: h.keys.admin,
        })
      ).json<{ entries: { seq: number; action: string }[] }>();
      expect(next.entries.map((e) => e.action)).toContain('closure.confirm');
      expect(
        (await h.call('GET', '/v1/audit/verify', { token: h.keys.admin })).json(),
      ).toMatchObject({ intact: true, chains: 17, checkpoints: 0 });
    });

    it('reads the sandbox mailbox', async () => {
      const mail = (
        await h.call('GET', '/v1/sandbox/mailbox?account=demo-clean&limit=5', {
          token: h.keys.admin,
        })
      ).json<{ messages: { template: string }[] }>();
      expect(mail.messages.map((m) => m.template)).toContain('closure.confirmation_required');
    });
  });

  describe('agent', () => {
    const ada = () => h.agent('agent-ada', ['support', 'compliance']);
    const bo = () => h.agent('agent-bo', ['compliance']);
    const sam = () => h.agent('agent-sam', ['support']);

    it('shows the account picture with the agent detail', async () => {
      const picture = await h.call('GET', '/v1/agent/accounts/demo-hold-compliance', {
        token: sam(),
      });
      expect(picture.status).toBe(200);
      const body = picture.json<{
        facts: { holds: { reason: string }[] };
        verdict: VerdictJson;
        audit: unknown[];
        closures: unknown[];
        approvals: unknown[];
      }>();
      expect(body.facts.holds[0]?.reason).toContain('SAR-7781');
      expect(body.verdict.audience).toBe('agent');
    });

    it('escalates, and approves only with a second agent (four eyes)', async () => {
      await h.call('POST', '/v1/me/closure', { token: h.holder('demo-cooling-off'), body: {} });
      const escalated = await h.call(
        'POST',
        '/v1/agent/accounts/demo-cooling-off/closure/escalate',
        { token: sam(), body: { reason: 'holder asks to expedite' } },
      );
      expect(escalated.json<{ closure: ClosureJson }>().closure).toMatchObject({
        state: 'escalated',
        reason: 'holder asks to expedite',
      });
      const asked = await h.call('POST', '/v1/agent/accounts/demo-cooling-off/closure/approve', {
        token: ada(),
        body: { note: 'verified by phone' },
      });
      expect(asked.status).toBe(202);
      const approval = asked.json<{ id: string; status: string }>();
      expect(approval.status).toBe('pending');
      const self = await h.call('POST', `/v1/agent/approvals/${approval.id}/approve`, {
        token: ada(),
      });
      expect(self.status).toBe(403);
      expect(self.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_FOUR_EYES' } });
      const pending = (
        await h.call('GET', '/v1/agent/approvals?status=pending', { token: sam() })
      ).json<{ approvals: { id: string }[] }>();
      expect(pending.approvals.map((a) => a.id)).toContain(approval.id);
      const approved = await h.call('POST', `/v1/agent/approvals/${approval.id}/approve`, {
        token: bo(),
      });
      expect(approved.status).toBe(200);
      expect(approved.json()).toMatchObject({
        approval: { status: 'approved', decidedBy: 'agent-bo', requestedBy: 'agent-ada' },
        closure: { state: 'grace' },
      });
      const audit = (
        await h.call('GET', '/v1/audit?account=demo-cooling-off&limit=100', { token: h.keys.admin })
      ).json<{ entries: { action: string; actorId: string }[] }>();
      expect(
        audit.entries
          .filter((e) => e.action.startsWith('approval.'))
          .map((e) => [e.action, e.actorId]),
      ).toEqual([
        ['approval.request', 'agent-ada'],
        ['approval.approve', 'agent-bo'],
      ]);
    });

    it('rejects an escalated closure', async () => {
      await h.call('POST', '/v1/me/closure', { token: h.holder('demo-whale'), body: {} });
      await h.call('POST', '/v1/agent/accounts/demo-whale/closure/escalate', {
        token: sam(),
        body: { reason: 'review' },
      });
      const rejected = await h.call('POST', '/v1/agent/accounts/demo-whale/closure/reject', {
        token: bo(),
        body: { reason: 'identity not verified' },
      });
      expect(rejected.json<{ closure: ClosureJson }>().closure).toMatchObject({
        state: 'rejected',
        reason: 'identity not verified',
      });
    });

    it('places a hold at once, lifts it only with a second agent, and declines a request', async () => {
      const placed = await h.call('POST', '/v1/agent/accounts/demo-balance/holds', {
        token: ada(),
        body: { kind: 'fraud', reason: 'chargeback ring case 7' },
      });
      expect(placed.status).toBe(201);
      const { holdId } = placed.json<{ holdId: string }>();
      const blockers = (
        await h.call('GET', '/v1/me/eligibility', { token: h.holder('demo-balance') })
      )
        .json<VerdictJson>()
        .blockers.map((b) => b.code);
      expect(blockers).toContain('account_hold');
      const asked = (
        await h.call('POST', `/v1/agent/accounts/demo-balance/holds/${holdId}/lift`, {
          token: ada(),
          body: { note: 'case closed' },
        })
      ).json<{ id: string }>();
      const declined = await h.call('POST', `/v1/agent/approvals/${asked.id}/decline`, {
        token: bo(),
        body: { reason: 'case still open' },
      });
      expect(declined.json()).toMatchObject({ status: 'declined', decidedBy: 'agent-bo' });
      const again = (
        await h.call('POST', `/v1/agent/accounts/demo-balance/holds/${holdId}/lift`, {
          token: ada(),
          body: { note: 'case closed now' },
        })
      ).json<{ id: string }>();
      const lifted = await h.call('POST', `/v1/agent/approvals/${again.id}/approve`, {
        token: bo(),
      });
      expect(lifted.status).toBe(200);
      expect(lifted.json()).toMatchObject({ approval: { status: 'approved' }, closure: null });
      const after = (await h.call('GET', '/v1/me/eligibility', { token: h.holder('demo-balance') }))
        .json<VerdictJson>()
        .blockers.map((b) => b.code);
      expect(after).not.toContain('account_hold');
    });
  });
});

import { OffboardError } from '../../domain/errors.js';
import type { LedgerCore } from './ledger-core.js';
import { requirePositive, SECURITY_KINDS } from './ledger-core.js';
import type { AuthorizationKind, CredentialKind, DisputeKind, HoldKind } from './ledger-types.js';

/** Disputes, third-party authorizations, credentials, security changes and holds. */
export class LedgerRecords {
  constructor(private readonly core: LedgerCore) {}

  async openDispute(
    accountId: string,
    dispute: { id: string; kind: DisputeKind; asset: string; amount: bigint },
  ): Promise<void> {
    requirePositive(dispute.amount);
    await this.core.tx(async (tx) => {
      await this.core.lockAccount(tx, accountId);
      await this.core.requireAsset(tx, dispute.asset);
      await tx
        .insertInto('disputes')
        .values({
          id: dispute.id,
          account_id: accountId,
          kind: dispute.kind,
          asset: dispute.asset,
          amount: dispute.amount.toString(),
          status: 'open',
          opened_at: this.core.now(),
          resolved_at: null,
        })
        .execute();
    });
  }

  async resolveDispute(disputeId: string): Promise<void> {
    await this.setRecordStatus('disputes', disputeId, 'open', {
      status: 'resolved',
      resolved_at: this.core.now(),
    });
  }

  async grantAuthorization(
    accountId: string,
    auth: { id: string; kind: AuthorizationKind; name: string },
  ): Promise<void> {
    await this.core.tx(async (tx) => {
      await this.core.lockAccount(tx, accountId);
      await tx
        .insertInto('authorizations')
        .values({
          id: auth.id,
          account_id: accountId,
          kind: auth.kind,
          name: auth.name,
          status: 'active',
          granted_at: this.core.now(),
          revoked_at: null,
        })
        .execute();
    });
  }

  /** Revokes an authorization; revoking a revoked one is a no-op. */
  async revokeAuthorization(authorizationId: string): Promise<void> {
    await this.setRecordStatus(
      'authorizations',
      authorizationId,
      'active',
      { status: 'revoked', revoked_at: this.core.now() },
      true,
    );
  }

  async addCredential(
    accountId: string,
    credential: { id: string; kind: CredentialKind; label: string },
  ): Promise<void> {
    await this.core.tx(async (tx) => {
      await this.core.lockAccount(tx, accountId);
      const now = this.core.now();
      await tx
        .insertInto('credentials')
        .values({
          id: credential.id,
          account_id: accountId,
          kind: credential.kind,
          label: credential.label,
          status: 'active',
          created_at: now,
          revoked_at: null,
        })
        .execute();
      if (SECURITY_KINDS.has(credential.kind)) {
        await tx
          .updateTable('accounts')
          .set({ last_security_change_at: now })
          .where('id', '=', accountId)
          .execute();
      }
    });
  }

  /**
   * Revokes a credential; revoked credentials are never restored. Revoking twice is a no-op.
   * Given `accountId`, refuses (not found) a credential of another account. One read (its
   * status, owner and kind) and one write, in one transaction: closing an account revokes
   * each of its credentials this way.
   */
  async revokeCredential(credentialId: string, accountId?: string): Promise<void> {
    await this.core.tx(async (tx) => {
      const row = await tx
        .selectFrom('credentials')
        .select(['status', 'account_id', 'kind'])
        .where('id', '=', credentialId)
        .executeTakeFirst();
      if (!row || (accountId !== undefined && row.account_id !== accountId))
        throw new OffboardError(
          'OFFBOARD_ERR_NOT_FOUND',
          `no credential "${credentialId}"${accountId === undefined ? '' : ` on ${accountId}`}`,
        );
      if (row.status !== 'active') return;
      const now = this.core.now();
      await tx
        .updateTable('credentials')
        .set({ status: 'revoked', revoked_at: now })
        .where('id', '=', credentialId)
        .execute();
      if (SECURITY_KINDS.has(row.kind))
        await tx
          .updateTable('accounts')
          .set({ last_security_change_at: now })
          .where('id', '=', row.account_id)
          .execute();
    });
  }

  /** A security change the ledger does not model as a credential: password reset, new email. */
  async recordSecurityChange(accountId: string): Promise<void> {
    await this.core.tx(async (tx) => {
      await this.core.lockAccount(tx, accountId);
      await tx
        .updateTable('accounts')
        .set({ last_security_change_at: this.core.now() })
        .where('id', '=', accountId)
        .execute();
    });
  }

  async placeHold(
    accountId: string,
    hold: { id: string; kind: HoldKind; reason: string },
  ): Promise<void> {
    await this.core.tx(async (tx) => {
      await this.core.lockAccount(tx, accountId);
      await tx
        .insertInto('holds')
        .values({
          id: hold.id,
          account_id: accountId,
          kind: hold.kind,
          reason: hold.reason,
          status: 'active',
          placed_at: this.core.now(),
          lifted_at: null,
        })
        .execute();
    });
  }

  async liftHold(holdId: string): Promise<void> {
    await this.setRecordStatus('holds', holdId, 'active', {
      status: 'lifted',
      lifted_at: this.core.now(),
    });
  }

  private async setRecordStatus(
    table: 'disputes' | 'authorizations' | 'holds',
    id: string,
    from: string,
    set: Record<string, string | number>,
    idempotent = false,
  ): Promise<void> {
    await this.core.tx(async (tx) => {
      const row = await tx
        .selectFrom(table)
        .select(['status', 'account_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row)
        throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no ${table.slice(0, -1)} "${id}"`);
      if (row.status !== from) {
        if (idempotent) return;
        throw new OffboardError(
          'OFFBOARD_ERR_INVALID_STATE',
          `${table.slice(0, -1)} "${id}" is ${row.status}`,
        );
      }
      await tx.updateTable(table).set(set).where('id', '=', id).execute();
    });
  }
}

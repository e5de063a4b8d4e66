import { OffboardError } from '../../domain/errors.js';
import type { LedgerCore } from './ledger-core.js';
import { idempotent } from './ledger-idempotency.js';
import type { AccountStatus } from './ledger-types.js';

/** Account status: disable, enable, freeze (an overlay that remembers what it covers), close. */
export class LedgerStatus {
  constructor(private readonly core: LedgerCore) {}

  /**
   * Sets the account's status. A freeze is a temporary overlay: it remembers the status it
   * covers and `unfreeze` restores that one, so finalizing a disabled account that ends
   * blocked leaves it disabled, not active. Status changes asked for while frozen (disable,
   * enable) change what the unfreeze restores.
   */
  async setStatus(
    accountId: string,
    to: AccountStatus,
    options: { idempotencyKey?: string } = {},
  ): Promise<AccountStatus> {
    return idempotent(this.core, options.idempotencyKey, `status-${to}`, async (tx) => {
      const account = await this.core.lockAccount(tx, accountId);
      if (account.status === 'closed' && to !== 'closed') {
        throw new OffboardError(
          'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE',
          `account "${accountId}" is closed for good`,
        );
      }
      const now = this.core.now();
      if (account.status === 'frozen' && (to === 'active' || to === 'disabled')) {
        await tx
          .updateTable('accounts')
          .set({ status_before_freeze: to })
          .where('id', '=', accountId)
          .execute();
      } else if (account.status !== to) {
        const beforeFreeze =
          to === 'frozen' ? (account.status === 'disabled' ? 'disabled' : 'active') : null;
        await tx
          .updateTable('accounts')
          .set({ status: to, status_changed_at: now, status_before_freeze: beforeFreeze })
          .where('id', '=', accountId)
          .execute();
      }
      return account.status;
    });
  }

  freeze(accountId: string, options: { idempotencyKey?: string } = {}): Promise<AccountStatus> {
    return this.setStatus(accountId, 'frozen', options);
  }

  /** Lifts a freeze, restoring the status it covered; a no-op on an account that is not frozen. */
  async unfreeze(
    accountId: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<AccountStatus> {
    return idempotent(this.core, options.idempotencyKey, 'unfreeze', async (tx) => {
      const account = await this.core.lockAccount(tx, accountId);
      if (account.status !== 'frozen') return account.status;
      const restored = account.status_before_freeze === 'disabled' ? 'disabled' : 'active';
      await tx
        .updateTable('accounts')
        .set({ status: restored, status_changed_at: this.core.now(), status_before_freeze: null })
        .where('id', '=', accountId)
        .execute();
      return restored;
    });
  }

  close(accountId: string, options: { idempotencyKey?: string } = {}): Promise<AccountStatus> {
    return this.setStatus(accountId, 'closed', options);
  }
}

import type { RecordClass } from '../../domain/retention.js';
import type { PlatformErasure } from '../../ports/platform.js';
import type { LedgerCore } from './ledger-core.js';
import { idempotent } from './ledger-idempotency.js';

/** What a pseudonymized holder is called: the id stays, the person does not. */
export const ERASED_NAME = 'erased';

/**
 * The builtin ledger's erasure of an account's personal data. The books stay whole:
 * amounts, fees, balances and instants are kept as pseudonymous records under the account
 * id (the platform's own accounting needs its totals); what names or reaches a person goes.
 */
export class LedgerErasure {
  constructor(private readonly core: LedgerCore) {}

  erase(
    accountId: string,
    classes: readonly RecordClass[],
    options: { idempotencyKey?: string } = {},
  ): Promise<PlatformErasure> {
    return idempotent(this.core, options.idempotencyKey, 'erase', async (tx) => {
      const account = await this.core.lockAccount(tx, accountId);
      const retained: PlatformErasure['retained'] = [];
      if (classes.includes('identity')) {
        // A holder with another account still open keeps their identity for it.
        const others = await tx
          .selectFrom('accounts')
          .select('id')
          .where('holder_id', '=', account.holder_id)
          .where('id', '!=', accountId)
          .where('status', '!=', 'closed')
          .execute();
        if (others.length === 0) {
          await tx
            .updateTable('holders')
            .set({ name: ERASED_NAME, email: `${account.holder_id}@erased.invalid`, phone: null })
            .where('id', '=', account.holder_id)
            .execute();
        } else {
          retained.push({
            what: 'the holder’s identity',
            why: 'the holder has another account that is not closed',
          });
        }
        await tx
          .updateTable('holds')
          .set({ reason: '' })
          .where('account_id', '=', accountId)
          .where('status', '=', 'lifted')
          .execute();
      }
      if (classes.includes('transactions')) {
        await tx
          .updateTable('transactions')
          .set({ counterparty: null, reference: null })
          .where('account_id', '=', accountId)
          .execute();
        retained.push({
          what: 'transaction amounts, fees, assets and instants, under the account id only',
          why: 'the platform’s books must balance: its totals include them',
        });
      }
      if (classes.includes('security')) {
        await tx
          .deleteFrom('credentials')
          .where('account_id', '=', accountId)
          .where('status', '=', 'revoked')
          .execute();
      }
      if (classes.includes('preferences')) {
        await tx
          .deleteFrom('authorizations')
          .where('account_id', '=', accountId)
          .where('status', '=', 'revoked')
          .execute();
      }
      return { erased: [...classes], retained };
    });
  }
}

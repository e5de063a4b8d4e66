import type { Actor } from '../../ports/actor.js';
import type { DisablementRepository, OpenDisablement } from '../../ports/disablements.js';
import type { Db } from './database.js';

/** All SQL of disablements. */

/** The disablements, bound to `db` (the pool or one transaction). */
export class KyselyDisablementRepository implements DisablementRepository {
  constructor(private readonly db: Db) {}

  async findOpen(accountId: string): Promise<OpenDisablement | null> {
    const row = await this.db
      .selectFrom('disablements')
      .select(['id', 'disabled_at', 'enable_not_before'])
      .where('account_id', '=', accountId)
      .where('enabled_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: Number(row.id),
      disabledAt: new Date(Number(row.disabled_at)),
      enableNotBefore: new Date(Number(row.enable_not_before)),
    };
  }

  async listOpen(limit: number): Promise<(OpenDisablement & { accountId: string })[]> {
    const rows = await this.db
      .selectFrom('disablements')
      .select(['id', 'account_id', 'disabled_at', 'enable_not_before'])
      .where('enabled_at', 'is', null)
      .orderBy('disabled_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      accountId: row.account_id,
      disabledAt: new Date(Number(row.disabled_at)),
      enableNotBefore: new Date(Number(row.enable_not_before)),
    }));
  }

  async insert(input: {
    accountId: string;
    disabledAt: Date;
    reason: string;
    actor: Actor;
    enableNotBefore: Date;
  }): Promise<number> {
    const inserted = await this.db
      .insertInto('disablements')
      .values({
        account_id: input.accountId,
        disabled_at: input.disabledAt.getTime(),
        reason: input.reason,
        actor_kind: input.actor.kind,
        actor_id: input.actor.id,
        enable_not_before: input.enableNotBefore.getTime(),
        enabled_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  async markEnabled(id: number, at: Date): Promise<boolean> {
    const updated = await this.db
      .updateTable('disablements')
      .set({ enabled_at: at.getTime() })
      .where('id', '=', id)
      .where('enabled_at', 'is', null)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }
}

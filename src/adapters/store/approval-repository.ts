import type { Selectable } from 'kysely';
import type {
  Approval,
  ApprovalAction,
  ApprovalRepository,
  ApprovalStatus,
} from '../../ports/approvals.js';
import type { Db } from './database.js';
import type { ApprovalTable } from './http.table.js';

/** All SQL of four-eyes approvals. */

function toApproval(row: Selectable<ApprovalTable>): Approval {
  return {
    id: row.id,
    action: row.action as ApprovalAction,
    accountId: row.account_id,
    subject: row.subject,
    note: row.note,
    requestedBy: row.requested_by,
    requestedAt: new Date(Number(row.requested_at)),
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : new Date(Number(row.decided_at)),
  };
}

/** The approvals, bound to `db` (the pool or one transaction). */
export class KyselyApprovalRepository implements ApprovalRepository {
  constructor(private readonly db: Db) {}

  async insert(approval: Approval): Promise<void> {
    await this.db
      .insertInto('approvals')
      .values({
        id: approval.id,
        action: approval.action,
        account_id: approval.accountId,
        subject: approval.subject,
        note: approval.note,
        requested_by: approval.requestedBy,
        requested_at: approval.requestedAt.getTime(),
        status: approval.status,
        decided_by: approval.decidedBy,
        decided_at: approval.decidedAt === null ? null : approval.decidedAt.getTime(),
      })
      .execute();
  }

  async get(id: string): Promise<Approval | null> {
    const row = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toApproval(row) : null;
  }

  async findPending(action: ApprovalAction, subject: string): Promise<Approval | null> {
    const row = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('action', '=', action)
      .where('subject', '=', subject)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row ? toApproval(row) : null;
  }

  async list(options: {
    status?: ApprovalStatus;
    accountId?: string;
    limit: number;
  }): Promise<Approval[]> {
    let query = this.db
      .selectFrom('approvals')
      .selectAll()
      .orderBy('requested_at', 'desc')
      .orderBy('id')
      .limit(options.limit);
    if (options.status) query = query.where('status', '=', options.status);
    if (options.accountId) query = query.where('account_id', '=', options.accountId);
    return (await query.execute()).map(toApproval);
  }

  async settle(
    id: string,
    to: ApprovalStatus,
    agentId: string | null,
    now: Date | null,
    from: ApprovalStatus = 'pending',
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('approvals')
      .set({ status: to, decided_by: agentId, decided_at: now === null ? null : now.getTime() })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

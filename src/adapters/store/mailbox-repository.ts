import type { MailboxRepository, MailMessage } from '../../ports/mailbox.js';
import type { Database, Db } from './database.js';
import type { MailboxTable } from './workflow.table.js';

export type { MailMessage } from '../../ports/mailbox.js';

/**
 * The sandbox notifier's store: messages land in the database in the same transaction as
 * the change they announce (a production relay would drain it to SMTP/SMS). A repeated
 * step re-sends nothing: `dedupe_key` is unique.
 */
export async function enqueueMail(tx: Db, message: Omit<MailboxTable, 'id'>): Promise<void> {
  await tx
    .insertInto('mailbox')
    .values(message)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

export async function listMail(
  database: Pick<Database, 'db'>,
  options: { accountId?: string; limit: number },
): Promise<MailMessage[]> {
  let query = database.db
    .selectFrom('mailbox')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.accountId) query = query.where('account_id', '=', options.accountId);
  const rows = await query.execute();
  return rows.reverse().map((r) => ({
    id: Number(r.id),
    accountId: r.account_id,
    channel: r.channel,
    address: r.address,
    template: r.template,
    subject: r.subject,
    body: r.body,
    createdAt: new Date(Number(r.created_at)),
  }));
}

/** The mailbox, bound to `db` (the pool or one transaction). */
export class KyselyMailboxRepository implements MailboxRepository {
  constructor(private readonly db: Db) {}

  enqueue(message: Omit<MailMessage, 'id'> & { dedupeKey: string }): Promise<void> {
    return enqueueMail(this.db, {
      account_id: message.accountId,
      channel: message.channel,
      address: message.address,
      template: message.template,
      subject: message.subject,
      body: message.body,
      created_at: message.createdAt.getTime(),
      dedupe_key: message.dedupeKey,
    });
  }

  list(options: { accountId?: string; limit: number }): Promise<MailMessage[]> {
    return listMail({ db: this.db }, options);
  }
}

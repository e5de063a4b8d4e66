import type { Database, Tx } from './database.js';
import type { MailboxTable } from './workflow.table.js';

export interface MailMessage {
  id: number;
  accountId: string;
  channel: 'email' | 'sms';
  address: string;
  template: string;
  subject: string;
  body: string;
  createdAt: Date;
}

/**
 * The sandbox notifier's store: messages land in the database in the same transaction as
 * the change they announce (a production relay would drain it to SMTP/SMS). A repeated
 * step re-sends nothing: `dedupe_key` is unique.
 */
export async function enqueueMail(tx: Tx, message: Omit<MailboxTable, 'id'>): Promise<void> {
  await tx.insertInto('mailbox').values(message).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
}

export async function listMail(database: Database, options: { accountId?: string; limit: number }): Promise<MailMessage[]> {
  let query = database.db.selectFrom('mailbox').selectAll().orderBy('id', 'desc').limit(options.limit);
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

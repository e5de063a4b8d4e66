import type { MailboxRepository, MailMessage } from '../../ports/mailbox.js';
import type { PersonalDataRepository } from '../../ports/personal-data.js';
import type { Keyring } from '../crypto/envelope.js';
import { sandboxKeyring } from '../crypto/keyring.js';
import type { Database, Db } from './database.js';
import { KyselyPersonalDataRepository } from './personal-data-repository.js';
import type { MailboxTable } from './workflow.table.js';

export type { MailMessage } from '../../ports/mailbox.js';

/** What a message reads as once its account's data key is destroyed. */
export const ERASED_TEXT = '[erased]';

/**
 * The sandbox notifier's store: messages land in the database in the same transaction as
 * the change they announce (a production relay would drain it to SMTP/SMS). A repeated
 * step re-sends nothing: `dedupe_key` is unique. The address, subject and body are
 * personal data: they are sealed under the account's data key (retention.md).
 */
async function enqueueMail(tx: Db, message: Omit<MailboxTable, 'id'>): Promise<void> {
  await tx
    .insertInto('mailbox')
    .values(message)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

async function readMail(
  db: Db,
  personal: PersonalDataRepository,
  options: { accountId?: string; limit: number },
): Promise<MailMessage[]> {
  let query = db.selectFrom('mailbox').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.accountId) query = query.where('account_id', '=', options.accountId);
  const rows = await query.execute();
  const open = async (accountId: string, value: string) =>
    (await personal.open(accountId, value)) ?? ERASED_TEXT;
  const messages: MailMessage[] = [];
  for (const r of rows.reverse()) {
    messages.push({
      id: Number(r.id),
      accountId: r.account_id,
      channel: r.channel,
      address: await open(r.account_id, r.address),
      template: r.template,
      subject: await open(r.account_id, r.subject),
      body: await open(r.account_id, r.body),
      createdAt: new Date(Number(r.created_at)),
    });
  }
  return messages;
}

/** The newest messages, opened with `keyring` (the database's sandbox KEK when none is given). */
export async function listMail(
  database: Database,
  options: { accountId?: string; limit: number },
  keyring?: Keyring,
): Promise<MailMessage[]> {
  const personal = new KyselyPersonalDataRepository(
    database.db,
    keyring ?? (await sandboxKeyring(database)),
  );
  return readMail(database.db, personal, options);
}

/** The mailbox, bound to `db` (the pool or one transaction). */
export class KyselyMailboxRepository implements MailboxRepository {
  constructor(
    private readonly db: Db,
    private readonly personal: PersonalDataRepository,
  ) {}

  async enqueue(message: Omit<MailMessage, 'id'> & { dedupeKey: string }): Promise<void> {
    const seal = (value: string) => this.personal.seal(message.accountId, value);
    await enqueueMail(this.db, {
      account_id: message.accountId,
      channel: message.channel,
      address: await seal(message.address),
      template: message.template,
      subject: await seal(message.subject),
      body: await seal(message.body),
      created_at: message.createdAt.getTime(),
      dedupe_key: message.dedupeKey,
    });
  }

  list(options: { accountId?: string; limit: number }): Promise<MailMessage[]> {
    return readMail(this.db, this.personal, options);
  }
}

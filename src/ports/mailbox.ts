/** A message to a holder, as the sandbox notifier keeps it. */
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

/** Holder notifications, written with the change they announce. */
export interface MailboxRepository {
  /** Queues one message; a repeated `dedupeKey` queues nothing (a repeated step re-sends nothing). */
  enqueue(message: Omit<MailMessage, 'id'> & { dedupeKey: string }): Promise<void>;
  /** The newest `limit` messages (of one account or all), oldest first. */
  list(options: { accountId?: string; limit: number }): Promise<MailMessage[]>;
}

import type { ClosureNotice } from '../domain/closure.js';
import { holderVerdict } from '../domain/messages.js';
import type { RenderedVerdict } from '../domain/messages.js';
import type { HolderContact } from '../ports/platform.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { Actor, AppContext } from './context.js';
import { disableLinkUrl, issueDisableLink } from './disable-links.js';

/** Closure notices come from the state machine; disabling adds its own two. */
export type NoticeTemplate =
  ClosureNotice | 'account.disabled' | 'account.enabled' | 'ticket.reply';

type Vars = Record<string, string>;

/**
 * Subjects and bodies, in the words a holder may read: the `reasons` of a blocked closure
 * come from `holderReasons`, never from an agent's verdict.
 */
export function renderNotice(template: NoticeTemplate, v: Vars): { subject: string; body: string } {
  switch (template) {
    case 'closure.confirmation_required':
      return {
        subject: 'Confirm closing your account',
        body: `Someone asked to close account ${v['account']}. If it was you, confirm with this code: ${v['code']} (valid until ${v['expires']}). If it was not you, ignore this message and disable your account with the link below.`,
      };
    case 'closure.confirmed':
      return {
        subject: 'Your account will be closed',
        body: `Account ${v['account']} is scheduled to close after ${v['due']}. You can cancel until then.`,
      };
    case 'closure.cancelled':
      return {
        subject: 'Account closure cancelled',
        body: `The closure of account ${v['account']} was cancelled. Your account stays open.`,
      };
    case 'closure.expired':
      return {
        subject: 'Account closure request expired',
        body: `The request to close account ${v['account']} was not confirmed in time and has expired.`,
      };
    case 'closure.escalated':
      return {
        subject: 'Your closure request is with our team',
        body: `Our support team is reviewing the closure of account ${v['account']}. We will tell you when it is decided.`,
      };
    case 'closure.approved':
      return {
        subject: 'Your closure request was approved',
        body: `The closure of account ${v['account']} was approved and continues.`,
      };
    case 'closure.rejected':
      return {
        subject: 'Your closure request was not approved',
        body: `The closure of account ${v['account']} was not approved. Contact support to learn what to do next.`,
      };
    case 'closure.blocked':
      return {
        subject: 'We could not close your account yet',
        body: `Account ${v['account']} could not be closed. What to do:\n${v['reasons']}\n${v['actions'] || 'Nothing was swept, cancelled or revoked.'}\nYour account is open again.`,
      };
    case 'closure.completed':
      return {
        subject: 'Your account is closed',
        body: `Account ${v['account']} is closed.${v['actions'] ? ` ${v['actions']}` : ''} Money that arrives from now on is returned to its sender.`,
      };
    case 'account.disabled':
      return {
        subject: 'Your account was disabled',
        body: `Account ${v['account']} was disabled: API keys, sessions, devices and withdrawal addresses were revoked and open orders cancelled. Your balances are safe. To enable it again, verify your identity with support after ${v['enableAfter']}.`,
      };
    case 'account.enabled':
      return {
        subject: 'Your account was enabled again',
        body: `Account ${v['account']} is enabled again. Your old credentials stay revoked: create new ones.`,
      };
    // The reply as the holder's view of the ticket holds it (never a note): see app/tickets.ts.
    case 'ticket.reply':
      return {
        subject: `Support replied: ${v['subject']}`,
        body: `Support replied to your ticket "${v['subject']}" on account ${v['account']}:\n\n${v['reply']}`,
      };
  }
}

/** Every notice is about security or closure, so each carries a disable link, except on a closed account. */
export const CARRIES_DISABLE_LINK: Record<NoticeTemplate, boolean> = {
  'closure.confirmation_required': true,
  'closure.confirmed': true,
  'closure.cancelled': true,
  'closure.expired': true,
  'closure.escalated': true,
  'closure.approved': true,
  'closure.rejected': true,
  'closure.blocked': true,
  'closure.completed': false,
  'account.disabled': true,
  'account.enabled': true,
  // A support answer is not a security notice: no link to disable the account.
  'ticket.reply': false,
};

/** The blockers of a blocked closure as a holder may read them, one per line. */
export function holderReasons(verdict: RenderedVerdict | null): string {
  if (!verdict) return '';
  return holderVerdict(verdict, 'en')
    .blockers.map((b) => `- ${b.message}${b.fix ? ` ${b.fix}` : ''}`)
    .join('\n');
}

/**
 * Sends `template` to every channel on file (an attacker who changed the email still cannot
 * hide a closure from the phone), inside the transaction of the change it announces.
 * `dedupeKey` makes a repeated step send nothing twice.
 */
export async function notifyHolder(
  ctx: AppContext,
  repos: Repositories,
  contact: HolderContact,
  accountId: string,
  template: NoticeTemplate,
  vars: Vars,
  dedupeKey: string,
  now: Date,
): Promise<void> {
  const channels: { channel: 'email' | 'sms'; address: string }[] = [];
  if (contact.email) channels.push({ channel: 'email', address: contact.email });
  if (contact.phone) channels.push({ channel: 'sms', address: contact.phone });
  for (const { channel, address } of channels) {
    const { subject, body } = renderNotice(template, { account: accountId, ...vars });
    // A closed account cannot be disabled: its notice carries no link that could not work.
    const link = CARRIES_DISABLE_LINK[template]
      ? `\n\nNot you? Disable your account at once: ${disableLinkUrl(ctx, await issueDisableLink(ctx, repos, accountId, now))}`
      : '';
    await repos.mailbox.enqueue({
      accountId,
      channel,
      address,
      template,
      subject,
      body: `${body}${link}\n\nWe never ask for your password, seed phrase, card number or one-time codes.`,
      createdAt: now,
      dedupeKey: `${dedupeKey}:${channel}`,
    });
  }
}

/** Audit entry and outbox event of one decision, in the caller's unit of work. */
export async function record(
  repos: Repositories,
  entry: {
    actor: Actor;
    action: string;
    accountId: string;
    data: Record<string, unknown>;
    event?: string;
    now: Date;
  },
): Promise<void> {
  await repos.audit.append({
    at: entry.now.getTime(),
    actorKind: entry.actor.kind,
    actorId: entry.actor.id,
    action: entry.action,
    accountId: entry.accountId,
    data: JSON.stringify(entry.data),
  });
  if (entry.event)
    await repos.outbox.emit(
      entry.event,
      entry.accountId,
      { accountId: entry.accountId, ...entry.data },
      entry.now,
    );
}

/**
 * The shape every language of the message catalogue fills: the message keys, a template
 * per key, words for enumerated values, and how relative times read. The texts themselves
 * live in one file per language (`messages-en.ts`, `messages-zh-cn.ts`); `messages.ts`
 * renders them.
 */

export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

export interface Template {
  message: string;
  fix: string;
}

/**
 * Message keys: a blocker code, or a code and a variant where the same blocker needs
 * different words (an automatic action offered versus a chore for the holder).
 */
export const MESSAGE_KEYS = [
  'account_closed',
  'closure_in_progress',
  'account_hold.legal',
  'account_hold.review',
  'account_hold.agent',
  'open_dispute',
  'funds_locked',
  'negative_balance',
  'balance_remaining',
  'balance_remaining.unpriced',
  'pending_withdrawal',
  'pending_withdrawal.cancellable',
  'pending_deposit',
  'open_orders.automatic',
  'open_orders.holder_action',
  'linked_authorization.automatic',
  'linked_authorization.holder_action',
  'dust_remaining.automatic',
  'dust_remaining.holder_action',
  'cooling_off',
  'cooling_off.security_change',
] as const;

export type MessageKey = (typeof MESSAGE_KEYS)[number];

export type TimeUnit = 'day' | 'hour' | 'minute' | 'second';

/**
 * The words of the web pages (src/adapters/web): one key per sentence or label, `{name}`
 * for parameters. Grouped by page: `layout.` for what every page shows, `signin.`,
 * `account.`, `close.`, `error.`.
 */
export const PAGE_KEYS = [
  'layout.skip',
  'layout.language',
  'layout.notice',
  'layout.sign_out',
  'layout.product',
  'error.title',
  'error.back',
  'error.code',
  'error.csrf',
  'error.session',
  'error.unexpected',
  'console.name',
  'console.signed_in_as',
  'console.sign_in.title',
  'console.sign_in.refused',
  'console.sign_in.link_intro',
  'console.sign_in.token_intro',
  'console.sign_in.token',
  'console.sign_in.button',
  'console.queue.title',
  'console.queue.refresh',
  'console.queue.open_account',
  'console.queue.open',
  'console.queue.filter_kind',
  'console.queue.filter_jurisdiction',
  'console.queue.filter_age',
  'console.queue.any',
  'console.queue.age_1h',
  'console.queue.age_1d',
  'console.queue.age_7d',
  'console.queue.apply',
  'console.queue.empty',
  'console.queue.count',
  'console.queue.col_due',
  'console.queue.col_kind',
  'console.queue.col_account',
  'console.queue.col_jurisdiction',
  'console.queue.col_waiting',
  'console.queue.overdue',
  'console.queue.pages',
  'console.queue.previous',
  'console.queue.next',
  'console.kind.approval',
  'console.kind.escalated',
  'console.kind.blocked',
  'console.kind.hold',
  'console.kind.disabled',
  'console.case.back',
  'console.case.title',
  'console.case.status',
  'console.case.jurisdiction',
  'console.case.opened',
  'console.case.disabled_since',
  'console.case.none',
  'console.case.verdict',
  'console.case.eligible',
  'console.case.not_eligible',
  'console.case.holds',
  'console.case.hold_reason',
  'console.case.note',
  'console.case.reason',
  'console.case.propose_lift',
  'console.case.closure',
  'console.case.closure_state',
  'console.case.closure_reason',
  'console.case.no_open_closure',
  'console.case.propose_approve',
  'console.case.reject',
  'console.case.approvals',
  'console.case.proposed_by',
  'console.case.status_pending',
  'console.case.status_approved_by',
  'console.case.status_declined_by',
  'console.case.proposal_hash',
  'console.case.needs_second',
  'console.case.approve',
  'console.case.decline',
  'console.case.withdraw',
  'console.case.facts',
  'console.case.timeline',
  'console.case.audit_intact',
  'console.case.audit_broken',
  'console.case.messages',
  'console.facts.balances',
  'console.facts.locked',
  'console.facts.orders',
  'console.facts.transfers',
  'console.facts.disputes',
  'console.facts.authorizations',
  'console.facts.credentials',
  'console.moment.requested',
  'console.moment.confirmed',
  'console.moment.grace_ends',
  'console.moment.ended',
  'console.done.proposed',
  'console.done.approved',
  'console.done.declined',
  'console.done.rejected',
  'console.error.four_eyes',
  'console.error.proposal_changed',
  'console.error.duplicate',
  'console.error.decided',
  'console.error.gone',
  'console.error.closure_refused',
  'console.error.role',
  'console.error.reason',
  'console.kind.ticket',
  'console.queue.due_soon',
  'ticket.id',
  'ticket.category',
  'ticket.state',
  'ticket.priority',
  'ticket.assignee',
  'ticket.unassigned',
  'ticket.blocker',
  'ticket.closure',
  'ticket.account_link',
  'ticket.sla.first_response',
  'ticket.sla.resolution',
  'ticket.sla.left',
  'ticket.sla.late_by',
  'ticket.sla.paused',
  'ticket.opened_with',
  'ticket.messages',
  'ticket.message.reply',
  'ticket.message.note',
  'ticket.message.redacted',
  'ticket.message.phishing',
  'ticket.act',
  'ticket.closed',
  'ticket.reply_label',
  'ticket.reply',
  'ticket.note_label',
  'ticket.note',
  'ticket.assign_me',
  'ticket.resolve',
  'ticket.link_closure',
  'ticket.decide_on_case',
  'ticket.case_list',
  'ticket.breaching',
  'ticket.refused',
  'ticket.done.replied',
  'ticket.done.noted',
  'ticket.done.assigned',
  'ticket.done.resolved',
  'ticket.done.linked',
  'ticket.error.state',
  'ticket.error.no_closure',
  'ticket.error.not_escalated',
  'ticket.error.message',
  'holder_tickets.name',
  'holder_tickets.signed_in_as',
  'holder_tickets.list.title',
  'holder_tickets.list.new',
  'holder_tickets.list.empty',
  'holder_tickets.back',
  'holder_tickets.new.title',
  'holder_tickets.new.intro',
  'holder_tickets.new.from_blocker',
  'holder_tickets.new.subject_from_blocker',
  'holder_tickets.new.category',
  'holder_tickets.new.subject',
  'holder_tickets.new.send',
  'holder_tickets.message',
  'holder_tickets.no_secrets',
  'holder_tickets.redacted',
  'holder_tickets.redacted_advice',
  'holder_tickets.sent',
  'holder_tickets.state',
  'holder_tickets.category',
  'holder_tickets.opened',
  'holder_tickets.messages',
  'holder_tickets.from_you',
  'holder_tickets.from_support',
  'holder_tickets.closed',
  'holder_tickets.reply',
  'holder_tickets.send',
  'holder_tickets.error.message',
  'holder_tickets.error.closed',
] as const;

export type PageKey = (typeof PAGE_KEYS)[number];

/** One language's words: every message, the enumerated values, relative times. */
export interface LanguagePack {
  templates: Record<MessageKey, Template>;
  /** The web pages' words. */
  pages: Record<PageKey, string>;
  /** Words for the enumerated values blockers carry, so no English leaks into other text. */
  values: Record<string, Record<string, string>>;
  time: {
    /** An instant less than the finest unit away. */
    now: string;
    /** "2 days", "2 天". */
    count(count: number, unit: TimeUnit): string;
    future(text: string): string;
    past(text: string): string;
    /** An ISO instant with its relative time beside it. */
    instant(iso: string, relative: string): string;
  };
}

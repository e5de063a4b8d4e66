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
  'signin.title',
  'signin.how',
  'signin.sandbox',
  'signin.invalid',
  'signin.revoked',
  'account.title',
  'account.id',
  'state.heading',
  'state.active',
  'state.requested',
  'state.enter_code',
  'state.grace',
  'state.finalizing',
  'state.escalated',
  'state.disabled',
  'state.frozen',
  'state.closed',
  'state.closed_at',
  'state.cancel',
  'state.cancelled',
  'blockers.heading',
  'blockers.none',
  'blockers.checked',
  'blockers.check_again',
  'blockers.waits_end',
  'severity.holder_action',
  'severity.automatic',
  'severity.wait',
  'severity.support',
  'detail.fix',
  'detail.amount',
  'detail.order',
  'detail.app',
  'detail.transfer',
  'detail.dispute',
  'detail.since',
  'detail.ends',
  'detail.remaining',
  'fix.sweep_dust',
  'fix.cancel_order',
  'fix.revoke_authorization',
  'fix.contact_support',
  'support.title',
  'support.body',
  'statements.heading',
  'statements.explain',
  'statements.prepare',
  'statements.ready',
  'statements.generated',
  'statements.fingerprint',
  'statements.key',
  'statements.public_key',
  'statements.zip',
  'statements.csv',
  'statements.jsonl',
  'statements.pdf',
  'statements.manifest',
  'statements.signature',
  'statements.unavailable',
  'disable.heading',
  'disable.explain',
  'disable.button',
  'disabled.title',
  'disabled.body',
  'disabled.enable',
  'close.heading',
  'close.explain',
  'close.start',
  'close.title',
  'close.means',
  'close.undo',
  'close.grace',
  'close.kept',
  'close.late_money',
  'close.login',
  'close.consents',
  'close.consent_needed',
  'consent.sweepDust',
  'consent.cancelOrders',
  'consent.revokeApps',
  'close.blocked',
  'close.continue',
  'close.back',
  'code.title',
  'code.sent',
  'code.label',
  'code.last',
  'code.final',
  'closure.title',
  'closure.reference',
  'closure.ends',
  'closure.cancel_explain',
  'error.bad_code',
  'error.too_many',
  'error.not_eligible',
  'error.consent',
  'error.in_progress',
  'error.no_closure',
  'error.refused',
  'error.closed',
  'error.not_active',
  'error.rate_limited',
  'error.not_found',
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

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

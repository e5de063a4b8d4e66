/**
 * What a verdict says to people: one catalogue of messages and fixes for every blocker, in
 * English and Simplified Chinese. This file renders; the texts live one file per language
 * (`messages-en.ts`, `messages-zh-cn.ts`) in the shape `message-keys.ts` sets. Rendering is
 * pure: the instant that "in 3 days" counts from is an argument (by default the verdict's
 * own `evaluatedAt`).
 *
 * Anti-money-laundering law forbids tipping a holder off about an investigation, so a
 * compliance, fraud or regulator hold reaches the holder only as "needs a review by our
 * team": its message has no parameters, and the holder's copy of the blocker drops the
 * hold's kind, reason, id and the agent-facing detail.
 */
import { DAY, HOUR, MINUTE, SECOND } from './duration.js';
import type { Blocker, BlockerCode, Verdict } from './eligibility.js';
import type {
  Lang,
  LanguagePack,
  MessageKey,
  PageKey,
  Template,
  TimeUnit,
} from './message-keys.js';
import { LANGS, MESSAGE_KEYS } from './message-keys.js';
import { EN } from './messages-en.js';
import { ZH_CN } from './messages-zh-cn.js';

export { LANGS, MESSAGE_KEYS, PAGE_KEYS } from './message-keys.js';
export type { Lang, MessageKey, PageKey, Template } from './message-keys.js';

/** Holders see what they may be told; agents also see hold kinds, reasons and details. */
export type Audience = 'holder' | 'agent';

export interface RenderOptions {
  lang: Lang;
  audience: Audience;
  /** The instant relative times count from; the verdict's `evaluatedAt` by default. */
  now?: Date;
}

export interface RenderedBlocker extends Omit<Blocker, 'detail'> {
  message: string;
  fix: string;
  /** Agent audience only. */
  detail?: string;
}

export interface RenderedVerdict extends Omit<Verdict, 'blockers'> {
  lang: Lang;
  audience: Audience;
  blockers: RenderedBlocker[];
}

const PACKS: Record<Lang, LanguagePack> = { en: EN, 'zh-CN': ZH_CN };

/** Every template by key, then language. */
export const CATALOGUE: Record<MessageKey, Record<Lang, Template>> = Object.fromEntries(
  MESSAGE_KEYS.map((key) => [
    key,
    Object.fromEntries(LANGS.map((lang) => [lang, PACKS[lang].templates[key]])),
  ]),
) as Record<MessageKey, Record<Lang, Template>>;

/** Parameters that hold ISO instants; they are shown with a relative time beside them. */
const INSTANT_PARAMS = new Set([
  'until',
  'lastAt',
  'placedAt',
  'createdAt',
  'openedAt',
  'grantedAt',
]);

/** The key of the catalogue entry a blocker is told with, for one audience. */
export function messageKey(blocker: Blocker, audience: Audience): MessageKey {
  const code: BlockerCode = blocker.code;
  switch (code) {
    case 'account_closed':
    case 'closure_in_progress':
    case 'open_dispute':
    case 'funds_locked':
    case 'negative_balance':
    case 'pending_deposit':
      return code;
    case 'account_hold':
      if (audience === 'agent') return 'account_hold.agent';
      return blocker.params.holdKind === 'legal' ? 'account_hold.legal' : 'account_hold.review';
    case 'balance_remaining':
      // A balance in the reference currency is its own value: "worth about" would repeat it.
      return blocker.params.value === undefined || blocker.params.currency === blocker.params.asset
        ? 'balance_remaining.unpriced'
        : 'balance_remaining';
    case 'pending_withdrawal':
      return blocker.params.cancellable === 'yes'
        ? 'pending_withdrawal.cancellable'
        : 'pending_withdrawal';
    case 'open_orders':
      return blocker.severity === 'automatic'
        ? 'open_orders.automatic'
        : 'open_orders.holder_action';
    case 'linked_authorization':
      return blocker.severity === 'automatic'
        ? 'linked_authorization.automatic'
        : 'linked_authorization.holder_action';
    case 'dust_remaining':
      return blocker.severity === 'automatic'
        ? 'dust_remaining.automatic'
        : 'dust_remaining.holder_action';
    case 'cooling_off':
      return blocker.params.activity === 'security_change'
        ? 'cooling_off.security_change'
        : 'cooling_off';
  }
}

/** Adds a message and a fix to every blocker, in one language, for one audience. */
export function renderVerdict(verdict: Verdict, options: RenderOptions): RenderedVerdict {
  const now = options.now ?? new Date(verdict.evaluatedAt);
  return {
    ...verdict,
    lang: options.lang,
    audience: options.audience,
    blockers: verdict.blockers.map((blocker) => renderBlocker(blocker, { ...options, now })),
  };
}

export function renderBlocker(
  blocker: Blocker,
  options: RenderOptions & { now: Date },
): RenderedBlocker {
  const { lang, audience, now } = options;
  const template = PACKS[lang].templates[messageKey(blocker, audience)];
  const values = localizedParams(blocker.params, lang, now);
  const fill = (text: string) =>
    text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  const { detail, ...rest } = blocker;
  const rendered: RenderedBlocker = {
    ...rest,
    message: fill(template.message),
    fix: fill(template.fix),
  };
  if (audience === 'agent') return { ...rendered, detail };
  return redactForHolder(rendered);
}

/**
 * The one way a verdict reaches a holder, whatever audience it was rendered for: every
 * blocker is told again from its parameters in the holder's words, so a hold's kind and
 * reason (agent data) never reach a notice, a page, the API or the CLI. Other blockers
 * keep their parameters (amounts, order ids, instants): the holder needs them to act.
 */
export function holderVerdict(
  verdict: RenderedVerdict,
  lang: Lang = verdict.lang,
): RenderedVerdict {
  const now = new Date(verdict.evaluatedAt);
  return {
    ...verdict,
    lang,
    audience: 'holder',
    blockers: verdict.blockers.map(
      ({ message: _message, fix: _fix, detail: _detail, ...blocker }) => {
        const { detail: _none, ...told } = renderBlocker(
          { ...blocker, detail: '' },
          { lang, audience: 'holder', now },
        );
        return told;
      },
    ),
  };
}

/** The holder's copy of a blocker: nothing that could tip them off about a review. */
function redactForHolder(blocker: RenderedBlocker): RenderedBlocker {
  if (blocker.code !== 'account_hold') return blocker;
  const legal = blocker.params.holdKind === 'legal';
  return {
    ...blocker,
    subject: { kind: 'hold' },
    params: legal ? { holdKind: 'legal' } : {},
  };
}

function localizedParams(
  params: Record<string, string>,
  lang: Lang,
  now: Date,
): Record<string, string> {
  const labels = PACKS[lang].values;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (INSTANT_PARAMS.has(name)) values[name] = formatInstant(value, now, lang);
    else values[name] = labels[name]?.[value] ?? value;
  }
  return values;
}

/** "2026-12-01T10:00:00.000Z (in 3 days)" / "2026-12-01T10:00:00.000Z（3 天后）". */
export function formatInstant(iso: string, now: Date, lang: Lang): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return PACKS[lang].time.instant(iso, relativeTime(at - now.getTime(), lang));
}

const UNIT_MS: [TimeUnit, number][] = [
  ['day', DAY],
  ['hour', HOUR],
  ['minute', MINUTE],
  ['second', SECOND],
];

/**
 * "in 2 days 5 hours", "3 hours ago", "now" — at most two adjacent units. A future instant
 * is rounded up and a past one down, so a wait is never shown ending sooner than it does.
 */
export function relativeTime(deltaMs: number, lang: Lang): string {
  const future = deltaMs > 0;
  const size = Math.abs(deltaMs);
  // The finest unit shown: seconds under a minute, minutes under a day, hours beyond.
  const step = size < MINUTE ? SECOND : size < DAY ? MINUTE : HOUR;
  let rest = (future ? Math.ceil(size / step) : Math.floor(size / step)) * step;
  const time = PACKS[lang].time;
  if (rest === 0) return time.now;
  const parts: [number, TimeUnit][] = [];
  for (const [unit, ms] of UNIT_MS) {
    const count = Math.floor(rest / ms);
    rest -= count * ms;
    if (count > 0 || parts.length > 0) parts.push([count, unit]);
  }
  const shown = parts.slice(0, 2).filter(([count]) => count > 0);
  const text = shown.map(([count, unit]) => time.count(count, unit)).join(' ');
  return future ? time.future(text) : time.past(text);
}

/** A page's sentence in one language, its `{name}` parameters filled in (plain text: the page escapes it). */
export function pageText(lang: Lang, key: PageKey, params: Record<string, string> = {}): string {
  return PACKS[lang].pages[key].replace(
    /\{(\w+)\}/g,
    (whole, name: string) => params[name] ?? whole,
  );
}

/** A holder-facing word for an enumerated value (an order side, a closure state), in one language. */
export function valueWord(lang: Lang, name: string, value: string): string {
  return PACKS[lang].values[name]?.[value] ?? value;
}

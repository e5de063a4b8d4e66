/**
 * What a verdict says to people: one catalogue of messages and fixes for every blocker, in
 * English and Simplified Chinese. Rendering is pure: the instant that "in 3 days" counts
 * from is an argument (by default the verdict's own `evaluatedAt`).
 *
 * Anti-money-laundering law forbids tipping a holder off about an investigation, so a
 * compliance, fraud or regulator hold reaches the holder only as "needs a review by our
 * team": its message has no parameters, and the holder's copy of the blocker drops the
 * hold's kind, reason, id and the agent-facing detail.
 */
import { DAY, HOUR, MINUTE, SECOND } from './duration.js';
import type { Blocker, BlockerCode, Verdict } from './eligibility.js';

export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

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

export const CATALOGUE: Record<MessageKey, Record<Lang, Template>> = {
  account_closed: {
    en: { message: 'This account is already closed.', fix: 'Nothing to do.' },
    'zh-CN': { message: '该账户已注销。', fix: '无需任何操作。' },
  },
  closure_in_progress: {
    en: {
      message: 'A closure of this account is already in progress ({closureState}).',
      fix: 'Nothing to do: wait for it to finish, or cancel it.',
    },
    'zh-CN': {
      message: '该账户的注销流程已在进行中（{closureState}）。',
      fix: '无需操作：请等待其完成，或取消注销。',
    },
  },
  'account_hold.legal': {
    en: {
      message: 'There is a legal hold on your account, so it cannot be closed for now.',
      fix: 'Contact support for more information.',
    },
    'zh-CN': { message: '您的账户存在法律冻结，暂时无法注销。', fix: '如需了解详情，请联系客服。' },
  },
  // No parameters, on purpose: see the file comment.
  'account_hold.review': {
    en: {
      message: 'Your account needs a review by our team before it can be closed.',
      fix: 'No action is needed from you; we will contact you if we need anything.',
    },
    'zh-CN': {
      message: '您的账户需要经过我们团队的审核后才能注销。',
      fix: '您无需进行任何操作；如需您提供信息，我们会与您联系。',
    },
  },
  'account_hold.agent': {
    en: {
      message: 'A {holdKind} hold ({holdId}) was placed at {placedAt}: {reason}',
      fix: 'Resolve or lift the hold. Unless it is a legal hold, never tell the holder its kind or reason.',
    },
    'zh-CN': {
      message: '账户存在一项{holdKind}冻结（{holdId}），设立于 {placedAt}：{reason}',
      fix: '请处理或解除该冻结。除法律冻结外，切勿向持有人透露其类型或原因。',
    },
  },
  open_dispute: {
    en: {
      message: 'A {disputeKind} over {amount} {asset}, opened at {openedAt}, is not resolved yet.',
      fix: 'Our team is working on it; contact support if you have anything to add.',
    },
    'zh-CN': {
      message: '一笔于 {openedAt} 发起、涉及 {amount} {asset} 的{disputeKind}尚未解决。',
      fix: '我们的团队正在处理；如有补充信息，请联系客服。',
    },
  },
  funds_locked: {
    en: {
      message:
        '{amount} {asset} in your account is locked, and no open order or withdrawal explains it.',
      fix: 'Contact support: our team will release it.',
    },
    'zh-CN': {
      message: '您账户中有 {amount} {asset} 处于锁定状态，且与任何未完成的订单或提现无关。',
      fix: '请联系客服，我们的团队会为您解除锁定。',
    },
  },
  negative_balance: {
    en: {
      message: 'Your {asset} balance is negative: you owe {amount} {asset}.',
      fix: 'Deposit {amount} {asset} to bring the balance back to zero, then try again.',
    },
    'zh-CN': {
      message: '您的 {asset} 余额为负数：您尚欠 {amount} {asset}。',
      fix: '请存入 {amount} {asset}，使余额回到零，然后再试。',
    },
  },
  balance_remaining: {
    en: {
      message: 'You still hold {amount} {asset}, worth about {value} {currency}.',
      fix: 'Withdraw it to an account of your own, then try again.',
    },
    'zh-CN': {
      message: '您的账户中仍有 {amount} {asset}，约合 {value} {currency}。',
      fix: '请先将其提取到您本人名下的账户，然后再试。',
    },
  },
  'balance_remaining.unpriced': {
    en: {
      message: 'You still hold {amount} {asset}.',
      fix: 'Withdraw it to an account of your own, then try again.',
    },
    'zh-CN': {
      message: '您的账户中仍有 {amount} {asset}。',
      fix: '请先将其提取到您本人名下的账户，然后再试。',
    },
  },
  pending_withdrawal: {
    en: {
      message: 'Your withdrawal of {amount} {asset}, started at {createdAt}, is still in progress.',
      fix: 'Wait until it completes, then try again.',
    },
    'zh-CN': {
      message: '您于 {createdAt} 发起的 {amount} {asset} 提现仍在处理中。',
      fix: '请等待提现完成后再试。',
    },
  },
  'pending_withdrawal.cancellable': {
    en: {
      message: 'Your withdrawal of {amount} {asset}, started at {createdAt}, is still in progress.',
      fix: 'Wait until it completes, or cancel it, then try again.',
    },
    'zh-CN': {
      message: '您于 {createdAt} 发起的 {amount} {asset} 提现仍在处理中。',
      fix: '请等待提现完成或撤销该提现，然后再试。',
    },
  },
  pending_deposit: {
    en: {
      message:
        'A deposit of {amount} {asset}, started at {createdAt}, is still on its way to your account.',
      fix: 'Wait until it arrives, then try again.',
    },
    'zh-CN': {
      message: '一笔于 {createdAt} 发起的 {amount} {asset} 充值仍在到账途中。',
      fix: '请等待充值到账后再试。',
    },
  },
  'open_orders.automatic': {
    en: {
      message:
        'Your {side} order {orderId}, placed at {createdAt}, is still open and holds {amount} {asset}.',
      fix: 'Closing can cancel it for you if you agree; the funds it holds go back to your balance.',
    },
    'zh-CN': {
      message: '您于 {createdAt} 下的{side}订单 {orderId} 仍未完成，占用了 {amount} {asset}。',
      fix: '如您同意，注销时我们可以为您撤销该订单，其占用的资金将退回您的余额。',
    },
  },
  'open_orders.holder_action': {
    en: {
      message:
        'Your {side} order {orderId}, placed at {createdAt}, is still open and holds {amount} {asset}.',
      fix: 'Cancel the order, then try again.',
    },
    'zh-CN': {
      message: '您于 {createdAt} 下的{side}订单 {orderId} 仍未完成，占用了 {amount} {asset}。',
      fix: '请先撤销该订单，然后再试。',
    },
  },
  'linked_authorization.automatic': {
    en: {
      message: '{name} ({authorizationKind}) can still access your account.',
      fix: 'Closing can revoke this access for you if you agree.',
    },
    'zh-CN': {
      message: '{name}（{authorizationKind}）仍可访问您的账户。',
      fix: '如您同意，注销时我们可以为您撤销该访问权限。',
    },
  },
  'linked_authorization.holder_action': {
    en: {
      message: '{name} ({authorizationKind}) is still linked to your account.',
      fix: 'Cancel it with {name} or in your account settings, then try again.',
    },
    'zh-CN': {
      message: '{name}（{authorizationKind}）仍与您的账户关联。',
      fix: '请在 {name} 处或在账户设置中取消该授权，然后再试。',
    },
  },
  'dust_remaining.automatic': {
    en: {
      message:
        'You hold a small balance of {amount} {asset}, worth less than {threshold} {currency}.',
      fix: 'Closing can clear this small balance for you if you agree; or withdraw it yourself.',
    },
    'zh-CN': {
      message: '您的账户中有一笔 {amount} {asset} 的小额余额，价值不足 {threshold} {currency}。',
      fix: '如您同意，注销时我们可以为您清理这笔小额余额；您也可以自行提取。',
    },
  },
  'dust_remaining.holder_action': {
    en: {
      message:
        'You hold a small balance of {amount} {asset}, worth less than {threshold} {currency}.',
      fix: 'Withdraw it, then try again.',
    },
    'zh-CN': {
      message: '您的账户中有一笔 {amount} {asset} 的小额余额，价值不足 {threshold} {currency}。',
      fix: '请先提取这笔余额，然后再试。',
    },
  },
  cooling_off: {
    en: {
      message:
        'Your last {activity} was at {lastAt}. For your protection, the account cannot be closed until {until}.',
      fix: 'Wait until then; nothing else is needed.',
    },
    'zh-CN': {
      message: '您最近一次{activity}发生在 {lastAt}。为保护您的账户安全，在 {until} 之前无法注销。',
      fix: '请等到该时间后再试，无需其他操作。',
    },
  },
  'cooling_off.security_change': {
    en: {
      message:
        'Your security settings changed at {lastAt}. In case someone else made that change, the account cannot be closed until {until}.',
      fix: 'Wait until then. If you did not make the change, disable your account now and contact support.',
    },
    'zh-CN': {
      message:
        '您的安全设置于 {lastAt} 发生了变更。以防该变更并非您本人所为，在 {until} 之前无法注销账户。',
      fix: '请等到该时间后再试。如果该变更并非您本人所为，请立即停用账户并联系客服。',
    },
  },
};

/** Words for the enumerated values blockers carry, so no English leaks into Chinese text. */
const VALUE_LABELS: Record<Lang, Record<string, Record<string, string>>> = {
  en: {
    activity: {
      withdrawal: 'withdrawal',
      trade: 'trade',
      deposit: 'deposit',
      security_change: 'security change',
    },
    side: { buy: 'buy', sell: 'sell' },
    disputeKind: { dispute: 'dispute', chargeback: 'chargeback' },
    authorizationKind: {
      oauth: 'connected app',
      linked_platform: 'linked platform',
      subscription: 'subscription',
      direct_debit: 'direct debit',
    },
    holdKind: { legal: 'legal', compliance: 'compliance', fraud: 'fraud', regulator: 'regulator' },
    closureState: {
      requested: 'awaiting confirmation',
      grace: 'in its grace period',
      finalizing: 'finalizing',
      escalated: 'under review',
    },
  },
  'zh-CN': {
    activity: {
      withdrawal: '提现',
      trade: '交易',
      deposit: '充值',
      security_change: '安全设置变更',
    },
    side: { buy: '买入', sell: '卖出' },
    disputeKind: { dispute: '争议', chargeback: '拒付' },
    authorizationKind: {
      oauth: '已连接的应用',
      linked_platform: '关联平台',
      subscription: '订阅',
      direct_debit: '直接扣款',
    },
    holdKind: { legal: '法律', compliance: '合规', fraud: '反欺诈', regulator: '监管' },
    closureState: {
      requested: '待确认',
      grace: '宽限期内',
      finalizing: '正在完成',
      escalated: '审核中',
    },
  },
};

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
  const template = CATALOGUE[messageKey(blocker, audience)][lang];
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
export function holderVerdict(verdict: RenderedVerdict, lang: Lang = verdict.lang): RenderedVerdict {
  const now = new Date(verdict.evaluatedAt);
  return {
    ...verdict,
    lang,
    audience: 'holder',
    blockers: verdict.blockers.map(({ message: _message, fix: _fix, detail: _detail, ...blocker }) => {
      const { detail: _none, ...told } = renderBlocker({ ...blocker, detail: '' }, { lang, audience: 'holder', now });
      return told;
    }),
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
  const labels = VALUE_LABELS[lang];
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
  const relative = relativeTime(at - now.getTime(), lang);
  return lang === 'en' ? `${iso} (${relative})` : `${iso}（${relative}）`;
}

type TimeUnit = 'day' | 'hour' | 'minute' | 'second';
const UNIT_MS: [TimeUnit, number][] = [
  ['day', DAY],
  ['hour', HOUR],
  ['minute', MINUTE],
  ['second', SECOND],
];
const ZH_UNITS: Record<TimeUnit, string> = {
  day: '天',
  hour: '小时',
  minute: '分钟',
  second: '秒',
};

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
  if (rest === 0) return lang === 'en' ? 'now' : '现在';
  const parts: [number, TimeUnit][] = [];
  for (const [unit, ms] of UNIT_MS) {
    const count = Math.floor(rest / ms);
    rest -= count * ms;
    if (count > 0 || parts.length > 0) parts.push([count, unit]);
  }
  const shown = parts.slice(0, 2).filter(([count]) => count > 0);
  if (lang === 'en') {
    const text = shown
      .map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`)
      .join(' ');
    return future ? `in ${text}` : `${text} ago`;
  }
  const text = shown.map(([count, unit]) => `${count} ${ZH_UNITS[unit]}`).join(' ');
  return future ? `${text}后` : `${text}前`;
}

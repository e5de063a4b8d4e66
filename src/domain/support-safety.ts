/*
 * The rules support must never break, and the lures holders forward. Pure text rules in
 * English and Simplified Chinese; docs/redaction.md lists them.
 */

export type AgentReplyCheck = { ok: true } | { ok: false; rule: string; reason: string };

export interface PhishingSignal {
  reason: string;
}

interface ReplyRule {
  rule: string;
  reason: string;
  patterns: readonly RegExp[];
}

const ASK = String.raw`(?:send|give|tell|share|provide|paste|type|reply with|read out|forward|dm|email|text|let me know|what(?:'s| is)|need)`;
const ZH_ASK =
  '(?:提供|发送|發送|发给|發給|告诉|告訴|给我|給我|回复|回覆|输入|輸入|需要|报一下|報一下|说一下|說一下)';
const WITHIN = '[^.?!\\n]{0,40}';
const ZH_WITHIN = '[^。？！\\n]{0,20}';

/** "send us your <noun>", and for secrets a holder never confirms, "confirm your <noun>". */
function asksFor(nouns: string, confirmed = true): RegExp {
  const confirm = confirmed ? String.raw`|\bconfirm (?:your|the) ` : '';
  return new RegExp(String.raw`(?:\b${ASK}\b${WITHIN}\b${confirm})(?:${nouns})\b`, 'i');
}

/** Either order: "请提供您的密码" and "请把您的密码发给我们". */
function zhAsksFor(nouns: string): RegExp {
  return new RegExp(`${ZH_ASK}${ZH_WITHIN}(?:${nouns})|(?:${nouns})${ZH_WITHIN}${ZH_ASK}`);
}

const REPLY_RULES: readonly ReplyRule[] = [
  {
    rule: 'asks_for_seed_phrase',
    reason: 'support never asks for a seed phrase, recovery phrase or private key',
    patterns: [
      asksFor(
        '(?:seed|recovery|secret|backup|mnemonic) ?(?:phrase|words?)|mnemonic|private key|(?:12|24)[- ]word',
      ),
      zhAsksFor('助记词|助記詞|私钥|私鑰|种子|種子|恢复短语|恢復短語'),
    ],
  },
  {
    rule: 'asks_for_password',
    reason: 'support never asks for a password',
    patterns: [asksFor('password|passcode|pin'), zhAsksFor('密码|密碼')],
  },
  {
    rule: 'asks_for_one_time_code',
    reason: 'support never asks for a one-time code: it is the holder’s alone to type',
    patterns: [
      asksFor('code|otp|2fa|verification number', false),
      zhAsksFor('验证码|驗證碼|动态码|動態碼|短信码|一次性密码|校验码'),
    ],
  },
  {
    rule: 'asks_for_remote_access',
    reason: 'support never asks for remote access to the holder’s device',
    patterns: [
      /\b(?:anydesk|teamviewer|rustdesk|ultraviewer|quick ?assist|supremo|remote ?(?:access|desktop|control|session|support app)|screen ?shar(?:e|ing))\b/i,
      /(?:远程|遠程|遠端)(?:协助|協助|控制|桌面|连接|連接|操作)|向日葵|todesk/i,
    ],
  },
  {
    rule: 'asks_to_install_software',
    reason: 'support never asks the holder to install software',
    patterns: [
      /\b(?:install|download|sideload)\b[^.?!\n]{0,30}\b(?:app|application|software|program|tool|extension|plugin|apk|client)\b/i,
      /(?:安装|安裝|下载|下載)[^。？！\n]{0,10}(?:软件|軟體|应用|應用|app|apk|插件|程序|客户端|客戶端)/i,
    ],
  },
  {
    rule: 'asks_to_move_funds',
    reason: 'support never asks the holder to move funds to an address',
    patterns: [
      /\b(?:send|transfer|move|deposit|withdraw)\b[^.?!\n]{0,40}\b(?:to|into)\b[^.?!\n]{0,20}\b(?:safe|secure|protected|holding|verification|following|this|our|below|new) (?:wallet|address|account|vault)\b/i,
      /\b(?:send|transfer|move|deposit)\b[^.?!\n]{0,60}(?:\b0x[0-9a-fA-F]{40}\b|\bbc1[02-9ac-hj-np-z]{20,80}\b|\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b|\bT[1-9A-HJ-NP-Za-km-z]{33}\b)/i,
      /(?:转账|轉賬|转到|轉到|转入|轉入|转移|轉移|充值|汇款|匯款|打款|提币|提幣)[^。？！\n]{0,20}(?:安全|以下|这个|這個|下面|指定|新的?)(?:账户|帳戶|钱包|錢包|地址)/,
    ],
  },
];

/*
 * Sentences that forbid the thing ("we will never ask for your seed phrase", "请勿向任何人提供
 * 验证码") are the warnings support should give: a rule applies only to sentences that do not
 * negate it.
 */
const NEGATION =
  /\b(?:never|not|don't|do not|won't|will not|no one|nobody|no real)\b|不会|不會|不要|切勿|绝不|絕不|请勿|請勿|不得|永远不|永遠不|不应|不應/i;

/** Refuses an agent's reply that asks for a secret, remote access, software or a transfer. */
export function checkAgentReply(text: string): AgentReplyCheck {
  const sentences = text.split(/(?<=[.?!。？！\n])/u).filter((s) => !NEGATION.test(s));
  for (const { rule, reason, patterns } of REPLY_RULES) {
    if (sentences.some((s) => patterns.some((p) => p.test(s)))) return { ok: false, rule, reason };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Phishing lures forwarded by holders

const CLOSURE_OFFER = [
  /\b(?:account|wallet) (?:closure|closing|deletion|removal|termination|recovery) (?:service|agent|specialist|expert|team|desk)\b/i,
  /\b(?:we|i) (?:can|will|could) (?:help (?:you )?)?(?:close|delete|terminate|unlock)\b[^.?!\n]{0,30}\baccount/i,
  /\bclose your account\b[^.?!\n]{0,30}\bfor (?:a|only|just)?\s*(?:fee|\$|usd|usdt|\d)/i,
  /代办注销|代辦註銷|代理注销|代为注销|代為註銷|帮(?:你|您)(?:注销|销户|关闭账户)|幫(?:你|您)(?:註銷|銷戶)|注销服务|註銷服務|销户服务|銷戶服務|注销专员|註銷專員/,
];
const FEE =
  /\b(?:fee|fees|pay|payment|paid|charge|cost|price|usdt|btc|eth)\b|\$\s?\d|\d\s?(?:usd|usdt)\b|费|費|付款|支付|元|转账|轉賬|USDT/i;

/** Homoglyphs and digit swaps that make a look-alike read like the brand. */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  х: 'x',
  у: 'y',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ɡ: 'g',
  ո: 'n',
  ν: 'v',
  ο: 'o',
  α: 'a',
  '0': 'o',
  '1': 'l',
  '3': 'e',
  '5': 's',
  '|': 'l',
  i: 'l',
};

/*
 * Host names: stretches of letters, digits, dots and dashes (one linear pass), kept when they
 * split into at least two labels and end in a top-level domain of letters. A single regex for
 * "labels then a TLD" backtracks quadratically on text like "a.a.a.a...".
 */
const HOST_CHARS = /[\p{L}\p{N}.-]+/gu;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TLD = /^\p{L}{2,63}$/u;

function hostsIn(text: string): string[] {
  const hosts = new Set<string>();
  for (const m of text.matchAll(HOST_CHARS)) {
    const labels = m[0]
      .toLowerCase()
      .replace(/^[.-]+|[.-]+$/g, '')
      .split('.');
    if (labels.length >= 2 && TLD.test(labels.at(-1)!) && labels.every((l) => LABEL.test(l)))
      hosts.add(labels.join('.'));
  }
  return [...hosts];
}

/** Reasons to tell the agent that a message the holder sent looks like a phishing lure. */
export function phishingSignals(
  text: string,
  options: { platformDomains: readonly string[] },
): PhishingSignal[] {
  const signals: PhishingSignal[] = [];
  if (CLOSURE_OFFER.some((p) => p.test(text)) && FEE.test(text))
    signals.push({
      reason:
        'offers to close the account for a fee: only the platform closes accounts, and it charges nothing to do so',
    });
  const platforms = options.platformDomains.map((d) => d.toLowerCase().replace(/\.$/, ''));
  for (const host of hostsIn(text)) {
    const lookalike = platforms.map((p) => lookalikeOf(host, p)).find((r) => r !== undefined);
    if (lookalike) signals.push({ reason: lookalike });
  }
  return signals;
}

function lookalikeOf(host: string, platform: string): string | undefined {
  if (host === platform || host.endsWith(`.${platform}`)) return undefined;
  const brand = platform.split('.')[0]!;
  if (brand.length < 4) return undefined;
  const labels = host.split('.');
  const registrable = labels.at(-2) ?? '';
  const link = `${host} looks like ${platform} but is not it`;
  if (registrable === brand) return `${link} (same name, another domain)`;
  if (skeletonOf(registrable) === skeletonOf(brand)) return `${link} (look-alike characters)`;
  if (brand.length >= 5 && editDistance(registrable, brand) <= 2)
    return `${link} (a letter or two changed)`;
  if (labels.some((label) => label !== brand && label.split('-').includes(brand)))
    return `${link} (the brand with words around it)`;
  if (labels.slice(0, -2).includes(brand)) return `${link} (the brand on someone else’s domain)`;
  if (labels.some((label) => label.length > brand.length && label.includes(brand)))
    return `${link} (the brand with words around it)`;
  return undefined;
}

function skeletonOf(label: string): string {
  return [...label.normalize('NFKC').toLowerCase().replace(/rn/g, 'm').replace(/vv/g, 'w')]
    .map((c) => HOMOGLYPHS[c] ?? c)
    .join('')
    .replace(/-/g, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}

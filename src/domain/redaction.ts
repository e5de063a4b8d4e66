/*
 * Secrets never stored: the scanner that finds what offboard must never keep (seed phrases,
 * private keys, card numbers, one-time codes, password disclosures) and replaces each with a
 * typed placeholder. Pure: the BIP-39 wordlists, the mnemonic checksum and SHA-256 come in
 * through a `RedactionKit` the adapter builds (src/adapters/redaction), so this file imports
 * no package and no node:*. API secrets are found by secretlint in the adapter (it is async)
 * and handed in as extra findings. docs/redaction.md says what is found, how, and what is not.
 */
export { checkAgentReply, phishingSignals } from './support-safety.js';
export type { AgentReplyCheck, PhishingSignal } from './support-safety.js';

export type SecretKind =
  'seed_phrase' | 'private_key' | 'card_number' | 'api_secret' | 'one_time_code' | 'password';

export const PLACEHOLDERS: Readonly<Record<SecretKind, string>> = Object.freeze({
  seed_phrase: '[redacted: seed phrase]',
  private_key: '[redacted: private key]',
  card_number: '[redacted: card number]',
  api_secret: '[redacted: API secret]',
  one_time_code: '[redacted: one-time code]',
  password: '[redacted: password]',
});

/** A secret found in the original text, by UTF-16 offsets (`end` exclusive). */
export interface Finding {
  kind: SecretKind;
  start: number;
  end: number;
}

export interface Redaction {
  /** The text with every finding replaced by its placeholder. */
  text: string;
  /** What was found, by offsets into the original text, in order, never overlapping. */
  findings: Finding[];
}

export interface RedactOptions {
  /** The one-time codes offboard sent this holder: matched exactly, as whole tokens. */
  issuedCodes?: readonly string[];
}

/** A BIP-39 wordlist. `ideographic` lists (Chinese) may be written without spaces. */
export interface MnemonicWordlist {
  name: string;
  words: readonly string[];
  ideographic: boolean;
}

/** What the scanner needs from libraries; built once by src/adapters/redaction. */
export interface RedactionKit {
  wordlists: readonly MnemonicWordlist[];
  /** Whether these words form a BIP-39 mnemonic of this list, checksum included. */
  isValidMnemonic(words: readonly string[], wordlist: MnemonicWordlist): boolean;
  sha256(bytes: Uint8Array): Uint8Array;
}

/** Every secret in `text`, merged so none overlap. `extra` are findings made elsewhere. */
export function findSecrets(
  kit: RedactionKit,
  text: string,
  options: RedactOptions = {},
  extra: readonly Finding[] = [],
): Finding[] {
  return mergeFindings([
    ...extra,
    ...findPrivateKeys(kit, text),
    ...findSeedPhrases(kit, text),
    ...findCardNumbers(text),
    ...findIssuedCodes(text, options.issuedCodes ?? []),
    ...findPasswords(text),
  ]);
}

/** Finds and replaces every secret in `text` (everything but API secrets, unless in `extra`). */
export function redactWith(
  kit: RedactionKit,
  text: string,
  options: RedactOptions = {},
  extra: readonly Finding[] = [],
): Redaction {
  const findings = findSecrets(kit, text, options, extra);
  return { text: applyPlaceholders(text, findings), findings };
}

/** Replaces non-overlapping findings, sorted by start, with their placeholders. */
export function applyPlaceholders(text: string, findings: readonly Finding[]): string {
  let out = '';
  let at = 0;
  for (const finding of findings) {
    out += text.slice(at, finding.start) + PLACEHOLDERS[finding.kind];
    at = finding.end;
  }
  return out + text.slice(at);
}

/** Sorts findings and joins overlapping ones; the longer one names the kind. */
export function mergeFindings(findings: readonly Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Finding[] = [];
  for (const finding of sorted) {
    const last = merged[merged.length - 1];
    if (last && finding.start < last.end) {
      if (finding.end - finding.start > last.end - last.start) last.kind = finding.kind;
      last.end = Math.max(last.end, finding.end);
    } else {
      merged.push({ ...finding });
    }
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Seed phrases

const MNEMONIC_SIZES = [24, 21, 18, 15, 12] as const;

interface Token {
  word: string;
  start: number;
  end: number;
}

/*
 * Words of a list separated only by whitespace, commas or numbering ("1. abandon 2. ability")
 * form a run. A phrase must pass its checksum and touch a run boundary (start where the run
 * starts or end where it ends): prose rarely holds twelve list words in a row, and when it
 * does, only the windows at its two ends are tried, not every window in the middle.
 */
const RUN_SEPARATOR = /^(?:\s|[,;、，；]|\d{1,2}[.):、])+$/u;

const SEED_CUES =
  /seed|mnemonic|recovery|phrase|backup words|助记词|助記詞|种子|種子|恢复|恢復|钱包|錢包|密语|密語|短语|短語/iu;

function findSeedPhrases(kit: RedactionKit, text: string): Finding[] {
  const found: Finding[] = [];
  for (const list of kit.wordlists) {
    const words = wordSet(list);
    // Spaced Chinese words are single characters with no Han character beside them.
    const tokens = list.ideographic
      ? [...text.matchAll(/(?<!\p{Script=Han})\p{Script=Han}(?!\p{Script=Han})/gu)].map((m) =>
          token(m[0], m.index),
        )
      : [...text.matchAll(/[A-Za-z]+/g)].map((m) => token(m[0].toLowerCase(), m.index));
    const listed = tokens.filter((t) => words.has(t.word));
    for (const run of runs(text, listed, (between) => RUN_SEPARATOR.test(between))) {
      found.push(...anchoredPhrases(kit, list, run));
    }
    if (list.ideographic) found.push(...unspacedPhrases(kit, list, text, words));
  }
  return found;
}

function token(word: string, start: number): Token {
  return { word, start, end: start + word.length };
}

const wordSets = new WeakMap<MnemonicWordlist, ReadonlySet<string>>();
function wordSet(list: MnemonicWordlist): ReadonlySet<string> {
  let set = wordSets.get(list);
  if (!set) wordSets.set(list, (set = new Set(list.words)));
  return set;
}

/** Splits tokens into runs wherever the text between two neighbours is not a separator. */
function runs(text: string, tokens: readonly Token[], joins: (between: string) => boolean) {
  const out: Token[][] = [];
  let current: Token[] = [];
  for (const t of tokens) {
    const last = current[current.length - 1];
    if (last && !joins(text.slice(last.end, t.start))) {
      out.push(current);
      current = [];
    }
    current.push(t);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Phrases at either end of a run; after one is found, the rest of the run is tried again. */
function anchoredPhrases(kit: RedactionKit, list: MnemonicWordlist, run: Token[]): Finding[] {
  const found: Finding[] = [];
  let rest = run;
  while (rest.length >= 12) {
    const hit = phraseAtEnds(kit, list, rest);
    if (!hit) break;
    found.push({ kind: 'seed_phrase', start: hit.words[0]!.start, end: hit.words.at(-1)!.end });
    rest = hit.fromStart ? rest.slice(hit.words.length) : rest.slice(0, -hit.words.length);
  }
  return found;
}

function phraseAtEnds(kit: RedactionKit, list: MnemonicWordlist, run: Token[]) {
  for (const size of MNEMONIC_SIZES) {
    if (run.length < size) continue;
    const head = run.slice(0, size);
    if (isPhrase(kit, list, head)) return { words: head, fromStart: true };
    const tail = run.slice(run.length - size);
    if (isPhrase(kit, list, tail)) return { words: tail, fromStart: false };
  }
  return undefined;
}

function isPhrase(kit: RedactionKit, list: MnemonicWordlist, words: readonly Token[]): boolean {
  return kit.isValidMnemonic(
    words.map((w) => w.word),
    list,
  );
}

/*
 * A Chinese phrase written without spaces: a stretch of adjacent list characters, delimited by
 * anything else, whose length is exactly a phrase's. Chinese prose is mostly list characters,
 * so the checksum alone (one in 16 for twelve) is not enough: the message must also speak of a
 * seed, wallet or recovery, or be the phrase alone.
 */
function unspacedPhrases(
  kit: RedactionKit,
  list: MnemonicWordlist,
  text: string,
  words: ReadonlySet<string>,
): Finding[] {
  const found: Finding[] = [];
  const cued = SEED_CUES.test(text);
  const whole = text.trim();
  const listed = [...text.matchAll(/\p{Script=Han}/gu)]
    .filter((m) => words.has(m[0]))
    .map((m) => token(m[0], m.index));
  for (const stretch of runs(text, listed, (between) => between === '')) {
    if (!(MNEMONIC_SIZES as readonly number[]).includes(stretch.length)) continue;
    const start = stretch[0]!.start;
    const end = stretch.at(-1)!.end;
    const alone = end - start === whole.length && text.slice(start, end) === whole;
    if ((cued || alone) && isPhrase(kit, list, stretch))
      found.push({ kind: 'seed_phrase', start, end });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Private keys

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?-----END \1-----/g;
/** A BEGIN line, its headers and the base64 lines after it: keys pasted without their END line. */
const PEM_TRUNCATED =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:\s*(?:[A-Za-z-]+: [^\n]*|[A-Za-z0-9+/=]{16,}))*/g;
const HEX_KEY = /(?<![0-9A-Za-z])(?:0x)?[0-9a-fA-F]{64}(?![0-9A-Za-z])/g;
const WIF = /(?<![0-9A-Za-z])[5KL][1-9A-HJ-NP-Za-km-z]{50,51}(?![0-9A-Za-z])/g;

/*
 * A 64-hex string is also what a transaction hash looks like. It is taken for a hash, and
 * left alone, when the words just before it on its line call it one (tx, txid, hash,
 * transaction, 交易, 哈希, a block explorer's /tx/ link) and do not call it a key. Anything
 * else of that shape is redacted: a key missed costs a wallet, a hash redacted costs a
 * copy-paste.
 */
const HASH_CONTEXT = /\b(?:tx|txid|txn|tx ?hash|hash|transaction)\b|\/tx\/|交易|哈希|哈希值|txid/i;
const KEY_CONTEXT = /private|secret|key|私钥|私鑰|密钥|密鑰/i;
const CONTEXT_CHARS = 48;

/** The order of secp256k1's group: a private key is in [1, n-1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function findPrivateKeys(kit: RedactionKit, text: string): Finding[] {
  const found: Finding[] = [];
  for (const pattern of [PEM_BLOCK, PEM_TRUNCATED]) {
    for (const m of text.matchAll(pattern))
      found.push({ kind: 'private_key', start: m.index, end: m.index + m[0].trimEnd().length });
  }
  for (const m of text.matchAll(HEX_KEY)) {
    const value = BigInt(`0x${m[0].replace(/^0x/, '')}`);
    if (value === 0n || value >= SECP256K1_N) continue;
    if (calledAHash(text, m.index)) continue;
    found.push({ kind: 'private_key', start: m.index, end: m.index + m[0].length });
  }
  for (const m of text.matchAll(WIF)) {
    if (isWif(kit, m[0]))
      found.push({ kind: 'private_key', start: m.index, end: m.index + m[0].length });
  }
  return found;
}

function calledAHash(text: string, at: number): boolean {
  const before = text.slice(Math.max(0, at - CONTEXT_CHARS), at);
  const line = before.slice(before.lastIndexOf('\n') + 1);
  return HASH_CONTEXT.test(line) && !KEY_CONTEXT.test(line);
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58Check with version byte 0x80 (mainnet), 32 key bytes, optional 0x01 suffix. */
function isWif(kit: RedactionKit, candidate: string): boolean {
  const bytes = base58Decode(candidate);
  if (!bytes || (bytes.length !== 37 && bytes.length !== 38) || bytes[0] !== 0x80) return false;
  if (bytes.length === 38 && bytes[33] !== 0x01) return false;
  const payload = bytes.subarray(0, bytes.length - 4);
  const check = kit.sha256(kit.sha256(payload));
  return bytes.subarray(bytes.length - 4).every((b, i) => b === check[i]);
}

function base58Decode(text: string): Uint8Array | undefined {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  for (const char of text) {
    if (char !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------------------------------------
// Card numbers

/*
 * 13 to 19 digits, single spaces or dashes allowed between them, starting with 2 to 6 (the
 * major industry identifiers of the card networks: Mastercard 2 and 5, Amex, Diners and JCB
 * 3, Visa 4, Discover and UnionPay 6), passing the Luhn check. Order and phone numbers rarely
 * start so and pass Luhn both.
 */
const CARD = /(?<![0-9A-Za-z-])[2-6](?:[ -]?\d){12,18}(?![0-9A-Za-z])/g;

function findCardNumbers(text: string): Finding[] {
  const found: Finding[] = [];
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhn(digits))
      found.push({ kind: 'card_number', start: m.index, end: m.index + m[0].length });
  }
  return found;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

// ---------------------------------------------------------------------------------------------
// One-time codes and passwords

function findIssuedCodes(text: string, codes: readonly string[]): Finding[] {
  const found: Finding[] = [];
  for (const code of new Set(codes)) {
    if (code.length === 0) continue;
    let at = text.indexOf(code);
    while (at >= 0) {
      const end = at + code.length;
      if (!/[0-9A-Za-z]/.test(text[at - 1] ?? '') && !/[0-9A-Za-z]/.test(text[end] ?? ''))
        found.push({ kind: 'one_time_code', start: at, end });
      at = text.indexOf(code, at + 1);
    }
  }
  return found;
}

/*
 * The value after "password: ", "my password is ", "pwd=" or "密码是": up to the next space
 * (for Chinese, the printable ASCII after it). "My password is wrong" is about a password,
 * not one: a value that is a common word of such sentences is left alone.
 */
const PASSWORD_EN =
  /\b(?:password|passcode|passwd|pwd|pass ?word|pin)\b(?:\s*(?:is|was|=|:)\s*|\s+(?:is|was)\s*:?\s*)(["'“]?)(\S+)/gi;
const PASSWORD_ZH = /(?:密码|密碼|口令)\s*(?:是|为|為|:|：|=)\s*([\x21-\x7e]+)/g;
const NOT_A_PASSWORD = new Set(
  [
    'wrong incorrect not no too correct right expired locked reset invalid changed the a an my',
    'your still being required forgotten lost fine ok okay working compromised stolen weak',
    'strong same different case sensitive at in on of for and or but that this it empty blank',
    'i none unknown needed necessary set saved',
  ]
    .join(' ')
    .split(' '),
);

/** The value's words without the brackets, quotes and punctuation around it. */
function bare(value: string): string {
  return value
    .replace(/^[("'“]+/, '')
    .replace(/[.,;:!?)"'”]+$/, '')
    .toLowerCase();
}

function findPasswords(text: string): Finding[] {
  const found: Finding[] = [];
  for (const m of text.matchAll(PASSWORD_EN)) {
    const value = m[2]!;
    if (NOT_A_PASSWORD.has(bare(value)) || /^\W+$/.test(value)) continue;
    const start = m.index + m[0].length - value.length;
    found.push({ kind: 'password', start, end: start + value.length });
  }
  for (const m of text.matchAll(PASSWORD_ZH)) {
    const value = m[1]!;
    const start = m.index + m[0].length - value.length;
    found.push({ kind: 'password', start, end: start + value.length });
  }
  return found;
}

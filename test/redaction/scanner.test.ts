import { createHash } from 'node:crypto';
import { entropyToMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { wordlist as simplified } from '@scure/bip39/wordlists/simplified-chinese.js';
import { describe, expect, it } from 'vitest';
import { redact, scanMessage } from '../../src/adapters/redaction/scanner.js';
import {
  checkAgentReply,
  luhn,
  phishingSignals,
  PLACEHOLDERS,
} from '../../src/domain/redaction.js';

// The scanner with its real libraries (@scure/bip39, node:crypto, secretlint). Every secret
// here is made up in the test.
const entropy = (n: number, fill: number) => Uint8Array.from({ length: n }, (_, i) => i * fill + 1);
const phrase = (words: 12 | 15 | 18 | 21 | 24, fill = 7, list = english) =>
  entropyToMnemonic(entropy((words / 3) * 4, fill), list);

function kinds(text: string, issuedCodes: string[] = []) {
  return redact(text, { issuedCodes }).findings.map((f) => f.kind);
}

describe('seed phrases', () => {
  it.each([12, 15, 18, 21, 24] as const)(
    'finds a %i-word English phrase inside a sentence',
    (n) => {
      const p = phrase(n);
      const result = redact(`my words: ${p} please help`);
      expect(result.text).toBe(`my words: ${PLACEHOLDERS.seed_phrase} please help`);
      expect(result.findings).toEqual([{ kind: 'seed_phrase', start: 10, end: 10 + p.length }]);
    },
  );

  it('finds a phrase whose run goes on with list words after it ("... please help")', () => {
    const p = phrase(12, 3);
    expect(redact(`${p} please help`).text).toBe(`${PLACEHOLDERS.seed_phrase} please help`);
  });

  it('finds two phrases pasted one after the other', () => {
    const text = `${phrase(12, 3)} ${phrase(12, 5)}`;
    expect(redact(text).findings.map((f) => f.kind)).toEqual(['seed_phrase', 'seed_phrase']);
    expect(redact(text).text).toBe(`${PLACEHOLDERS.seed_phrase} ${PLACEHOLDERS.seed_phrase}`);
  });

  it('leaves eleven words and a wrong checksum alone', () => {
    const words = phrase(12).split(' ');
    expect(kinds(words.slice(0, 11).join(' '))).toEqual([]);
    const wrong = [...words.slice(0, 11), words[11] === 'abandon' ? 'zoo' : 'abandon'].join(' ');
    expect(kinds(`the phrase is ${wrong}`)).toEqual([]);
  });

  it('finds numbered and upper-case phrases', () => {
    const numbered = phrase(12)
      .split(' ')
      .map((w, i) => `${i + 1}) ${w}`)
      .join(' ');
    expect(kinds(numbered)).toEqual(['seed_phrase']);
    expect(kinds(phrase(12).toUpperCase())).toEqual(['seed_phrase']);
  });

  it('finds a Chinese phrase with spaces and without, when the message speaks of a seed or is the phrase alone', () => {
    const spaced = phrase(12, 7, simplified);
    const unspaced = spaced.replace(/ /g, '');
    expect(kinds(`助记词如下 ${spaced} 谢谢`)).toEqual(['seed_phrase']);
    expect(redact(`我的助记词是：${unspaced}，请帮忙`).text).toBe(
      `我的助记词是：${PLACEHOLDERS.seed_phrase}，请帮忙`,
    );
    expect(kinds(unspaced)).toEqual(['seed_phrase']);
    // The same characters inside a sentence about nothing of the kind are prose.
    expect(kinds(`今天天气很好，${unspaced}，明天见。`)).toEqual([]);
  });
});

describe('private keys', () => {
  const key = 'a3'.repeat(32);

  it('finds 64-hex keys with and without 0x', () => {
    expect(redact(`key ${key}`).text).toBe(`key ${PLACEHOLDERS.private_key}`);
    expect(kinds(`0x${key}`)).toEqual(['private_key']);
  });

  it('leaves a 64-hex value alone when the words before it call it a transaction hash', () => {
    expect(kinds(`tx hash 0x${key}`)).toEqual([]);
    expect(kinds(`Transaction ${key} is confirmed`)).toEqual([]);
    expect(kinds(`https://etherscan.io/tx/0x${key}`)).toEqual([]);
    expect(kinds(`交易哈希：${key}`)).toEqual([]);
    // ...but not when they also call it a key.
    expect(kinds(`the private key for that tx: ${key}`)).toEqual(['private_key']);
  });

  it('leaves values outside secp256k1 keys and longer hex alone', () => {
    expect(kinds('0'.repeat(64))).toEqual([]);
    expect(kinds('f'.repeat(64))).toEqual([]);
    expect(kinds(key + 'ab')).toEqual([]);
  });

  it('finds WIF keys by their checksum', () => {
    const wif = toWif(Uint8Array.from([0x80, ...new Uint8Array(32).fill(9), 0x01]));
    expect(wif).toMatch(/^[KL]/);
    expect(redact(`sweep ${wif} please`).text).toBe(`sweep ${PLACEHOLDERS.private_key} please`);
    const uncompressed = toWif(Uint8Array.from([0x80, ...new Uint8Array(32).fill(9)]));
    expect(uncompressed).toMatch(/^5/);
    expect(kinds(uncompressed)).toEqual(['private_key']);
    const broken = wif.slice(0, 10) + (wif[10] === 'a' ? 'b' : 'a') + wif.slice(11);
    expect(kinds(broken)).toEqual([]);
  });

  it('finds PEM blocks, even without their END line', () => {
    const body = 'MIIEpAIBAAKCAQEAq8LiOPKpwg9e4Z1QfIiyqbDmq/ZHNBsxaI6mf0jRoONkqahG';
    const full = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    expect(redact(`key:\n${full}\nthanks`).text).toBe(`key:\n${PLACEHOLDERS.private_key}\nthanks`);
    expect(redact(`-----BEGIN PRIVATE KEY-----\n${body}`).text).toBe(PLACEHOLDERS.private_key);
  });
});

describe('card numbers', () => {
  it('finds Luhn-valid numbers with spaces, dashes or nothing between digits', () => {
    expect(redact('card 4111 1111 1111 1111 ok').text).toBe(`card ${PLACEHOLDERS.card_number} ok`);
    expect(kinds('5555-5555-5555-4444')).toEqual(['card_number']);
    expect(kinds('378282246310005')).toEqual(['card_number']);
  });

  it('leaves numbers that fail Luhn, or start as no card network does, alone', () => {
    expect(luhn('4111111111111112')).toBe(false);
    expect(kinds('order 4111 1111 1111 1112')).toEqual([]);
    expect(luhn('9111111111111111111'.slice(0, 16))).toBe(false);
    expect(kinds('ref 9999999999999995')).toEqual([]);
    expect(luhn('9999999999999995')).toBe(true);
  });
});

describe('one-time codes and passwords', () => {
  it('finds the codes offboard issued, whole, and nothing else', () => {
    expect(redact('code 482913 here', { issuedCodes: ['482913'] }).text).toBe(
      `code ${PLACEHOLDERS.one_time_code} here`,
    );
    expect(kinds('code 1482913 here', ['482913'])).toEqual([]);
    expect(kinds('code 482914 here', ['482913'])).toEqual([]);
  });

  it('finds the value after a password disclosure, not sentences about passwords', () => {
    expect(redact('my password is hunter2! thanks').text).toBe(
      `my password is ${PLACEHOLDERS.password} thanks`,
    );
    expect(kinds('password: S3cret')).toEqual(['password']);
    expect(kinds('pwd=S3cret')).toEqual(['password']);
    expect(redact('我的密码是abc123，谢谢').text).toBe(`我的密码是${PLACEHOLDERS.password}，谢谢`);
    expect(kinds('密码：Abc!23 请看看')).toEqual(['password']);
    for (const prose of [
      'my password is wrong',
      'the password is expired, send another',
      'Password: (I use Google to log in)',
      '密码是错的吗？',
    ])
      expect(kinds(prose), prose).toEqual([]);
  });
});

describe('API secrets (secretlint, async)', () => {
  const token = `ghp_${'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'}`;

  it('finds tokens through the async scanner, with every other kind', async () => {
    const result = await scanMessage(`token ${token} and code 123456`, { issuedCodes: ['123456'] });
    expect(result.text).toBe(
      `token ${PLACEHOLDERS.api_secret} and code ${PLACEHOLDERS.one_time_code}`,
    );
  });

  it('the sync scanner does not look for them (documented)', () => {
    expect(kinds(`token ${token}`)).toEqual([]);
  });
});

function toWif(payload: Uint8Array): string {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest();
  const full = Buffer.concat([payload, sha(sha(payload)).subarray(0, 4)]);
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let value = BigInt(`0x${full.toString('hex')}`);
  let out = '';
  while (value > 0n) {
    out = alphabet[Number(value % 58n)] + out;
    value /= 58n;
  }
  return out;
}

describe('long and hostile input', () => {
  // A regex that backtracks quadratically takes minutes on these; the linear scanner takes
  // milliseconds. The limit only guards against such a hang, generously.
  const n = 200_000;
  it.each([
    ['letters', 'a'.repeat(n)],
    ['dotted letters', 'a.'.repeat(n / 2)],
    ['digits', '4'.repeat(n)],
    ['spaced digits', '4 '.repeat(n / 2)],
    ['hex', 'ab'.repeat(n / 2)],
    ['base58', 'K'.repeat(n)],
    ['a PEM line without end', `-----BEGIN PRIVATE KEY-----${'A'.repeat(n)}`],
    ['password cues', 'password: '.repeat(n / 10)],
  ])(
    'scans %s in linear time',
    async (_name, text) => {
      await scanMessage(text);
      checkAgentReply(text);
      phishingSignals(text, { platformDomains: ['examplewallet.com'] });
    },
    60_000,
  );
});

import { entropyToMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { wordlist as simplified } from '@scure/bip39/wordlists/simplified-chinese.js';
import { wordlist as traditional } from '@scure/bip39/wordlists/traditional-chinese.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/adapters/redaction/scanner.js';
import { luhn, PLACEHOLDERS } from '../../src/domain/redaction.js';

// Invariants over generated secrets: whatever the phrase or the card, it is found exactly
// where it was planted and none of it is left in the text.
const entropy = fc
  .constantFrom(16, 20, 24, 28, 32)
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

describe('redaction invariants', () => {
  it('finds every valid English phrase between ordinary words', () => {
    fc.assert(
      fc.property(entropy, fc.constantFrom('Hi, my phrase is', 'words:', 'seed ->'), (e, lead) => {
        const phrase = entropyToMnemonic(e, english);
        const text = `${lead} ${phrase}. Thanks!`;
        const result = redact(text);
        expect(result.text).toBe(`${lead} ${PLACEHOLDERS.seed_phrase}. Thanks!`);
        expect(text.slice(result.findings[0]!.start, result.findings[0]!.end)).toBe(phrase);
      }),
      { numRuns: 200 },
    );
  });

  it('finds every valid Chinese phrase, spaced or not, after a mention of the seed', () => {
    fc.assert(
      fc.property(
        entropy,
        fc.constantFrom(simplified, traditional),
        fc.boolean(),
        (e, list, spaced) => {
          const words = entropyToMnemonic(e, list);
          const phrase = spaced ? words : words.replace(/ /g, '');
          expect(redact(`助记词：${phrase}。`).text).toBe(`助记词：${PLACEHOLDERS.seed_phrase}。`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds every Luhn-valid card number of 13 to 19 digits, grouped or not', () => {
    const card = fc
      .tuple(fc.constantFrom('2', '3', '4', '5', '6'), fc.integer({ min: 13, max: 19 }))
      .chain(([first, length]) =>
        fc
          .array(fc.integer({ min: 0, max: 9 }), { minLength: length - 2, maxLength: length - 2 })
          .map((digits) => {
            const body = first + digits.join('');
            const check = [...'0123456789'].find((d) => luhn(body + d))!;
            return body + check;
          }),
      );
    fc.assert(
      fc.property(card, fc.constantFrom('', ' ', '-'), (number, separator) => {
        const shown = number.match(/.{1,4}/g)!.join(separator);
        expect(redact(`card ${shown} please`).text).toBe(`card ${PLACEHOLDERS.card_number} please`);
      }),
      { numRuns: 300 },
    );
  });
});

import { createHash } from 'node:crypto';
import { validateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { wordlist as simplifiedChinese } from '@scure/bip39/wordlists/simplified-chinese.js';
import { wordlist as traditionalChinese } from '@scure/bip39/wordlists/traditional-chinese.js';
import { redactWith } from '../../domain/redaction.js';
import type {
  MnemonicWordlist,
  Redaction,
  RedactionKit,
  RedactOptions,
} from '../../domain/redaction.js';
import { findApiSecrets } from './secretlint.js';

/*
 * The scanner wired to its libraries: @scure/bip39 for the wordlists and the mnemonic
 * checksum, node:crypto for WIF's double SHA-256, secretlint for API secrets.
 */
const LISTS: readonly MnemonicWordlist[] = [
  { name: 'english', words: english, ideographic: false },
  { name: 'simplified-chinese', words: simplifiedChinese, ideographic: true },
  { name: 'traditional-chinese', words: traditionalChinese, ideographic: true },
];

export const REDACTION_KIT: RedactionKit = Object.freeze({
  wordlists: LISTS,
  isValidMnemonic: (words: readonly string[], list: MnemonicWordlist) =>
    validateMnemonic(words.join(' '), list.words as string[]),
  sha256: (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest()),
});

/** Every secret but API secrets (which need secretlint, async): see `scanMessage`. */
export function redact(text: string, options: RedactOptions = {}): Redaction {
  return redactWith(REDACTION_KIT, text, options);
}

/** The whole scanner, API secrets included: what every message goes through before it is kept. */
export async function scanMessage(text: string, options: RedactOptions = {}): Promise<Redaction> {
  return redactWith(REDACTION_KIT, text, options, await findApiSecrets(text));
}

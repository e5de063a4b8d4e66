import type { Redaction } from '../domain/redaction.js';

/** The redaction scanner (src/adapters/redaction): every message goes through it before it is kept. */
export interface Redactor {
  /**
   * Finds every secret in `text` (seed phrases, private keys, card numbers, API secrets,
   * passwords, and the one-time codes in `issuedCodes`, matched exactly) and returns the
   * text with each replaced by its typed placeholder.
   */
  scan(text: string, options: { issuedCodes: readonly string[] }): Promise<Redaction>;
}

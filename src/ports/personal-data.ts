/**
 * Personal data offboard stores itself (holder contact in notices, message bodies) is
 * sealed under a data key of its subject, the account: destroying the key erases every
 * copy at once, backups included (crypto-shredding). Bound to the caller's transaction.
 */
export interface PersonalDataRepository {
  /** Encrypts `plaintext` under the subject's data key, creating the key on first use. */
  seal(subject: string, plaintext: string): Promise<string>;
  /** Decrypts a sealed field; null once the subject's data key has been destroyed. */
  open(subject: string, sealed: string): Promise<string | null>;
  /** Destroys the subject's data key; false when it had none (already shredded, or never had data). */
  shred(subject: string): Promise<boolean>;
  /**
   * Re-wraps up to `limit` data keys not yet wrapped by the current KEK (KEK rotation; the
   * data itself is not touched). Returns how many; 0 means rotation is complete.
   */
  rewrap(limit: number): Promise<number>;
  /** How many data keys each KEK id wraps, and which id is current. */
  usage(): Promise<{ current: string; byKek: Record<string, number> }>;
}

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/*
 * Envelope encryption of personal data, with node:crypto's AES-256-GCM and nothing else:
 * - each subject (an account) has its own random 256-bit data key, which encrypts its
 *   personal fields;
 * - data keys are stored wrapped (encrypted) by a key-encryption key (KEK) from the
 *   configuration, tagged with the KEK's id, so a new KEK re-wraps the data keys without
 *   touching the data;
 * - destroying a subject's data key makes every field sealed under it unreadable for good
 *   (crypto-shredding), including copies in backups, WAL pages and free pages.
 * Every ciphertext is bound to its subject by the GCM additional data: a field copied to
 * another account's row does not open.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;
/** The prefix of a sealed field: the format's version. */
const SEALED_PREFIX = 'ob1:';

/** A key-encryption key: 32 bytes, and an id derived from them (never the key itself). */
export interface Kek {
  readonly id: string;
  readonly key: Buffer;
}

/** The KEKs a deployment knows: `current` wraps new data keys, the others still unwrap. */
export interface Keyring {
  readonly current: Kek;
  readonly all: ReadonlyMap<string, Kek>;
  /** Where the KEK came from: `env`, `file` or `sandbox` (kept in the database: demo only). */
  readonly source: 'env' | 'file' | 'sandbox';
}

/** A KEK from its 32 bytes; its id is a hash prefix, safe to store beside what it wraps. */
export function kekOf(key: Buffer): Kek {
  if (key.length !== KEY_BYTES) throw new Error(`a KEK is ${KEY_BYTES} bytes, got ${key.length}`);
  const id = `kek_${createHash('sha256').update('offboard-kek-id:').update(key).digest('hex').slice(0, 16)}`;
  return { id, key };
}

export function keyringOf(keks: readonly Kek[], source: Keyring['source']): Keyring {
  const [current] = keks;
  if (!current) throw new Error('a keyring needs at least one KEK');
  return { current, all: new Map(keks.map((k) => [k.id, k])), source };
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** A data key wrapped by `kek` for `subject`: `<kek id>:<base64url>`. */
export function wrapDataKey(kek: Kek, subject: string, dataKey: Buffer): string {
  return `${kek.id}:${encrypt(kek.key, dataKey, `offboard-dk:v1:${subject}`).toString('base64url')}`;
}

/** The KEK id a wrapped data key names. */
export function wrappedBy(wrapped: string): string {
  return wrapped.slice(0, wrapped.indexOf(':'));
}

/** Unwraps a data key with whichever KEK of the keyring wrapped it; throws when none did. */
export function unwrapDataKey(keyring: Keyring, subject: string, wrapped: string): Buffer {
  const kek = keyring.all.get(wrappedBy(wrapped));
  if (!kek)
    throw new Error(
      `the data key of ${subject} is wrapped by ${wrappedBy(wrapped)}, which is not among the configured KEKs (${[...keyring.all.keys()].join(', ')})`,
    );
  const body = Buffer.from(wrapped.slice(wrapped.indexOf(':') + 1), 'base64url');
  return decrypt(kek.key, body, `offboard-dk:v1:${subject}`);
}

/** Encrypts one field of `subject` under its data key. */
export function sealField(dataKey: Buffer, subject: string, plaintext: string): string {
  const body = encrypt(dataKey, Buffer.from(plaintext, 'utf8'), `offboard-pd:v1:${subject}`);
  return SEALED_PREFIX + body.toString('base64url');
}

export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/** Decrypts one field sealed by `sealField` for the same subject. */
export function openField(dataKey: Buffer, subject: string, sealed: string): string {
  const body = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
  return decrypt(dataKey, body, `offboard-pd:v1:${subject}`).toString('utf8');
}

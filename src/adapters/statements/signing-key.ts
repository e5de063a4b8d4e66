import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { OffboardError } from '../../domain/errors.js';

/*
 * The platform's Ed25519 statement key. The private key is a PKCS#8 PEM file named by
 * OFFBOARD_SIGNING_KEY; the public key (SPKI PEM) is what auditors get. A key's id is the
 * first 16 hex digits of the SHA-256 of its public key (DER), so a manifest names the key
 * that signed it without carrying it.
 */

export const SIGNING_KEY_ENV = 'OFFBOARD_SIGNING_KEY';

export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function signingKeyError(message: string): OffboardError {
  return new OffboardError('OFFBOARD_ERR_SIGNING_KEY', message);
}

/** Creates a new key pair and writes the private key to `path` (owner-only); refuses to overwrite. */
export async function generateSigningKey(path: string): Promise<SigningKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw signingKeyError(
        `${path} exists already; a signing key is never overwritten, choose another file`,
      );
    throw signingKeyError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/** Reads the Ed25519 private key at `path`. */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw signingKeyError(`cannot read the signing key ${path}: ${(error as Error).message}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch {
    throw signingKeyError(
      `${path} is not a PEM private key; create one with \`offboard keys generate --out FILE\``,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw signingKeyError(
      `${path} is an ${privateKey.asymmetricKeyType ?? 'unknown'} key; statements are signed with Ed25519`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/** The signing key OFFBOARD_SIGNING_KEY names (or `path` when given). */
export async function signingKeyFromEnv(
  env: NodeJS.ProcessEnv,
  path?: string,
): Promise<SigningKey> {
  const file = path ?? env[SIGNING_KEY_ENV];
  if (!file) {
    throw signingKeyError(
      `set ${SIGNING_KEY_ENV} to the path of the platform's Ed25519 private key; for the sandbox create one with \`offboard keys generate --out FILE\``,
    );
  }
  return loadSigningKey(file);
}

/** Reads a public key (SPKI PEM; a private key PEM gives its public half). */
export async function loadPublicKey(path: string): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw signingKeyError(`cannot read the public key ${path}: ${(error as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw signingKeyError(
      `${path} is not a PEM public key; export one with \`offboard keys public\``,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw signingKeyError(
      `${path} is an ${key.asymmetricKeyType ?? 'unknown'} key; statements are signed with Ed25519`,
    );
  }
  return key;
}

export function signBytes(key: SigningKey, bytes: Uint8Array): string {
  return sign(null, bytes, key.privateKey).toString('base64');
}

/** The key as a signer of text (audit checkpoints). */
export function textSigner(key: SigningKey): { keyId: string; sign(text: string): string } {
  return { keyId: key.keyId, sign: (text) => signBytes(key, Buffer.from(text, 'utf8')) };
}

/** The public key as a verifier of text signatures (audit checkpoints). */
export function textVerifier(publicKey: KeyObject): {
  keyId: string;
  verify(text: string, signature: string): boolean;
} {
  return {
    keyId: keyIdOf(publicKey),
    verify: (text, signature) => verifyBytes(publicKey, Buffer.from(text, 'utf8'), signature),
  };
}

export function verifyBytes(
  publicKey: KeyObject,
  bytes: Uint8Array,
  signatureBase64: string,
): boolean {
  const signature = Buffer.from(signatureBase64.trim(), 'base64');
  if (signature.length !== 64) return false;
  return verify(null, bytes, publicKey, signature);
}

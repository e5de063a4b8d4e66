import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ErasureCertificate } from '../../app/erasure.js';
import { canonicalJson } from '../../domain/canonical-json.js';
import { raise } from '../../domain/errors.js';
import { keyIdOf, verifyBytes } from '../statements/signing-key.js';

/**
 * Checks an erasure certificate against the platform's public key: its shape, that the key
 * it names is this key, and the Ed25519 signature over the canonical JSON of the rest.
 * Returns the certificate; throws OFFBOARD_ERR_INVALID_CERTIFICATE naming what is wrong.
 */
export function verifyCertificateText(
  text: string,
  file: string,
  publicKey: KeyObject,
): ErasureCertificate {
  const invalid = (problem: string) => raise('OFFBOARD_ERR_INVALID_CERTIFICATE', { file, problem });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('it is not JSON');
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    (parsed as { type?: unknown }).type !== 'offboard.erasure-certificate' ||
    typeof (parsed as { signature?: unknown }).signature !== 'string'
  )
    throw invalid('it is not an offboard erasure certificate (no type or signature)');
  const { signature, ...body } = parsed as ErasureCertificate;
  const keyId = keyIdOf(publicKey);
  if (body.keyId !== keyId)
    throw invalid(`it names the signing key ${String(body.keyId)}, not the given key ${keyId}`);
  if (!verifyBytes(publicKey, Buffer.from(canonicalJson(body), 'utf8'), signature))
    throw invalid('the signature does not match: the certificate was changed after it was signed');
  return parsed as ErasureCertificate;
}

export async function readCertificateFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw raise('OFFBOARD_ERR_INVALID_CERTIFICATE', {
      file,
      problem: `cannot read it: ${(error as Error).message}`,
    });
  }
}

import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { Database } from '../store/database.js';
import { databaseSetting } from '../store/settings-repository.js';
import { keyIdOf, loadSigningKey, SIGNING_KEY_ENV } from '../statements/signing-key.js';
import type { SigningKey } from '../statements/signing-key.js';

const SETTING = 'sandbox_certificate_key';

/**
 * The key that signs erasure certificates: the platform's statements key
 * (OFFBOARD_SIGNING_KEY), else a sandbox Ed25519 key generated once and kept in the
 * database, so the demo erases out of the box. A sandbox certificate proves nothing to a
 * third party: its key sits beside the data.
 */
export async function certificateKey(
  env: NodeJS.ProcessEnv,
  database: Database,
): Promise<SigningKey> {
  const file = env[SIGNING_KEY_ENV];
  if (file) return loadSigningKey(file);
  const pem = await databaseSetting(database, SETTING, () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

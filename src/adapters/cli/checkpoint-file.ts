import { readFile, writeFile } from 'node:fs/promises';
import type { AuditCheckpoint, ChainHead } from '../../domain/audit-chain.js';
import { OffboardError } from '../../domain/errors.js';
import type { CheckpointVerifier } from '../../ports/audit.js';
import {
  SIGNING_KEY_ENV,
  loadPublicKey,
  signingKeyFromEnv,
  textVerifier,
} from '../statements/signing-key.js';

/*
 * A published audit checkpoint is a small JSON file: kept outside the database (a
 * transparency log, a ticket, an auditor's mailbox), it proves later what the log held.
 */

function bad(file: string, why: string): OffboardError {
  return new OffboardError(
    'OFFBOARD_ERR_BAD_CHECKPOINT',
    `${file} is not an audit checkpoint: ${why}`,
  );
}

export async function writeCheckpointFile(
  file: string,
  checkpoint: AuditCheckpoint,
): Promise<void> {
  await writeFile(file, `${JSON.stringify(checkpoint, null, 2)}\n`);
}

const isHead = (h: unknown): h is ChainHead => {
  if (typeof h !== 'object' || h === null) return false;
  const { chain, seq, hash } = h as Record<string, unknown>;
  return (
    (chain === null || Number.isInteger(chain)) &&
    Number.isInteger(seq) &&
    typeof hash === 'string' &&
    /^[0-9a-f]{64}$/.test(hash)
  );
};

/** Reads and checks the shape of a checkpoint file; its content is checked by `audit verify`. */
export async function readCheckpointFile(file: string): Promise<AuditCheckpoint> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw bad(file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad(file, 'it is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw bad(file, 'it is not a JSON object');
  const v = value as Record<string, unknown>;
  if (v['format'] !== 'offboard-audit-checkpoint/1')
    throw bad(file, 'its format is not "offboard-audit-checkpoint/1"');
  if (!Number.isSafeInteger(v['at']))
    throw bad(file, '"at" is not an instant in epoch milliseconds');
  if (!Array.isArray(v['heads']) || !v['heads'].every(isHead))
    throw bad(file, '"heads" is not a list of { chain, seq, hash }');
  for (const field of ['root', 'keyId', 'signature'])
    if (typeof v[field] !== 'string') throw bad(file, `"${field}" is not a string`);
  return {
    format: 'offboard-audit-checkpoint/1',
    at: v['at'] as number,
    heads: v['heads'],
    root: v['root'] as string,
    keyId: v['keyId'] as string,
    signature: v['signature'] as string,
  };
}

/**
 * The key checkpoint signatures are checked with: `--public-key FILE`, else the public
 * half of OFFBOARD_SIGNING_KEY. A checkpoint file is worthless unchecked, so `required`
 * (a file was given) refuses to go on without a key; stored checkpoints are then checked
 * for content only.
 */
export async function checkpointVerifier(
  env: NodeJS.ProcessEnv,
  publicKeyFile: string | undefined,
  required: boolean,
): Promise<CheckpointVerifier | undefined> {
  if (publicKeyFile !== undefined) return textVerifier(await loadPublicKey(publicKeyFile));
  if (env[SIGNING_KEY_ENV]) return textVerifier((await signingKeyFromEnv(env)).publicKey);
  if (!required) return undefined;
  throw new OffboardError(
    'OFFBOARD_ERR_SIGNING_KEY',
    `no key to check the checkpoint's signature with: pass --public-key FILE, or set ${SIGNING_KEY_ENV}`,
  );
}

import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * The folder of an account's exports below the export root: named by a hash of its id, so
 * any id is a safe folder name and a holder's export ids resolve only inside their own
 * account's folder. The HTTP export routes write there; erasure removes it.
 */
export function exportAccountDir(root: string, accountId: string): string {
  return join(root, createHash('sha256').update(accountId).digest('hex').slice(0, 32));
}

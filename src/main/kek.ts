import { addSandboxKek, dropOldSandboxKeks } from '../adapters/crypto/keyring.js';
import type { Keyring } from '../adapters/crypto/envelope.js';
import { storeOf } from '../adapters/store/repositories.js';
import type { AppContext } from '../app/context.js';
import type { Context } from './context.js';

/**
 * Sandbox KEK rotation: a new sandbox KEK goes in front of the old one, the caller
 * re-wraps with the returned context, then `finish` forgets the old KEK. With
 * OFFBOARD_KEK(_FILE) the operator lists the new KEK first instead; nothing is stored.
 */
export async function rotateSandboxKeyring(
  ctx: Context,
): Promise<{ app: AppContext; keyring: Keyring; finish(): Promise<void> }> {
  const keyring = await addSandboxKek(ctx.database);
  return {
    app: { ...ctx.app, ...storeOf(ctx.database, keyring) },
    keyring,
    finish: () => dropOldSandboxKeks(ctx.database, keyring),
  };
}

import type { AppContext } from './context.js';

/**
 * KEK rotation: re-wraps every data key with the current KEK, a batch per transaction, so
 * the old KEK can then be removed from the configuration. The sealed data is not touched:
 * rotation costs one small row per account, whatever the account stores.
 */
export async function rotateKek(
  ctx: AppContext,
  options: { batchSize: number; onProgress?: (done: number, total: number) => void },
): Promise<{ rewrapped: number; current: string }> {
  const before = await ctx.repos.personalData.usage();
  const total = Object.entries(before.byKek)
    .filter(([id]) => id !== before.current)
    .reduce((sum, [, n]) => sum + n, 0);
  let rewrapped = 0;
  for (;;) {
    const n = await ctx.unitOfWork.run((repos) => repos.personalData.rewrap(options.batchSize));
    rewrapped += n;
    options.onProgress?.(rewrapped, total);
    if (n === 0) return { rewrapped, current: before.current };
  }
}

/** Which KEK wraps how many data keys. */
export function kekUsage(ctx: AppContext) {
  return ctx.repos.personalData.usage();
}

/*
 * Waiting for a signal, never for time: a test that needs something to have happened
 * checks for it, pausing briefly between checks, until it holds or a generous deadline
 * (a guard against hangs, not a performance claim) passes.
 */

/** How long a readiness wait may take before the test calls it a hang (a loaded machine is slow). */
export const HANG_MS = 120_000;

/**
 * Resolves with the first truthy value `check` returns; rejects naming `what` if none came
 * within `timeoutMs`. The pause between checks only spaces them out: it is not the wait.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = HANG_MS,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

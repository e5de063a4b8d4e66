import type { AccountFacts } from '../domain/facts.js';
import type { PlatformPort } from '../ports/platform.js';

interface Waiter {
  accountId: string;
  resolve(facts: AccountFacts | null): void;
  reject(error: unknown): void;
}

/**
 * Reads facts for the closures a worker finalizes side by side in one `factsBatch` call:
 * every read asked for before the next turn of the event loop goes in the same batch. Facts
 * stay fresh: a read is asked for only once its closure's account is frozen (or changed by
 * a consented action), and a batch is read after every read in it was asked for; nothing is
 * kept after a batch is answered.
 */
export class FactsBatcher {
  private waiting: Waiter[] = [];

  constructor(private readonly platform: PlatformPort) {}

  /** The account's facts as they are now, or null when it does not exist. */
  facts(accountId: string): Promise<AccountFacts | null> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => void this.flush());
      this.waiting.push({ accountId, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const found = await this.platform.factsBatch([...new Set(batch.map((w) => w.accountId))]);
      // Two reads of one account in a batch share the answer: readers never modify facts
      // (finalization derives adjusted copies).
      for (const w of batch) w.resolve(found.get(w.accountId) ?? null);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}

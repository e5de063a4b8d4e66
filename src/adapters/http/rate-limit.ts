import { OffboardError } from '../../domain/errors.js';

export interface BucketRule {
  /** Attempts allowed at once. */
  capacity: number;
  /** The time one attempt takes to come back. */
  refillMs: number;
}

/**
 * Token buckets in this process's memory, one per key. Several processes each keep their
 * own, so the real limit is the per-process one times the processes; that still turns a
 * brute force of a 6-digit code (already capped per closure) or of link tokens from
 * millions of tries into a handful. Idle buckets are forgotten so memory stays bounded.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rule: BucketRule,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one attempt for `key` at `now` (ms), or throws OFFBOARD_ERR_RATE_LIMITED with the wait. */
  take(key: string, now: number, what: string): void {
    const { capacity, refillMs } = this.rule;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    const refilled = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) / refillMs);
    if (refilled < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((1 - refilled) * refillMs) / 1000));
      this.buckets.set(key, { tokens: refilled, at: now });
      throw new OffboardError(
        'OFFBOARD_ERR_RATE_LIMITED',
        `too many ${what}; retry in ${retryAfterSeconds} s`,
        [],
        { retryAfterSeconds },
      );
    }
    // Re-inserting moves the key to the end: the map's first keys are the idlest.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: refilled - 1, at: now });
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}

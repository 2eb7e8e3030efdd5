import type { Clock } from "../../protocol/clock";

/**
 * A token bucket: `ratePerSecond` tokens a second, bursts up to `burst`. Callers are served in
 * order (each reservation moves the next free slot forward), so a batch spreads evenly instead of
 * stampeding when tokens come back.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Reserves one token and returns how long the caller must wait before using it (ms). */
  reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
  }

  /** Takes a token if one is there now; never waits (what a server-side limiter does). */
  tryTake(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits for a token. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }
}

/**
 * Buckets shared by every client in the process, keyed by endpoint, access key and action, so
 * many resources in one Pulumi deployment (one provider process) respect one limit together.
 */
const sharedBuckets = new Map<string, TokenBucket>();

/** The process-wide bucket for a key, created on first use. */
export function sharedBucket(key: string, ratePerSecond: number, clock: Clock): TokenBucket {
  let bucket = sharedBuckets.get(key);
  if (!bucket || bucket.ratePerSecond !== ratePerSecond) {
    bucket = new TokenBucket(ratePerSecond, Math.max(1, Math.floor(ratePerSecond)), clock);
    sharedBuckets.set(key, bucket);
  }
  return bucket;
}

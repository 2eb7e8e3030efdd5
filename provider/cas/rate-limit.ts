import type { Clock } from "../../protocol/clock";

/**
 * A token bucket: `ratePerSecond` tokens a second, bursts up to `burst`. Callers are served in
 * order (each reservation moves the next free slot forward), so a batch spreads evenly instead of
 * stampeding when tokens come back. The rate can change while reservations are outstanding.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private rate: number;
  constructor(
    ratePerSecond: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.rate = ratePerSecond;
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Tokens added per second right now. */
  get ratePerSecond(): number {
    return this.rate;
  }

  /** Changes the rate from now on; tokens earned so far are kept at the old rate. */
  setRate(ratePerSecond: number): void {
    this.refill();
    this.rate = ratePerSecond;
  }

  /** Reserves one token and returns how long the caller must wait before using it (ms). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.rate);
  }

  /** Takes a token if one is there now; never waits (what a server-side limiter does). */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }
}

/** Tuning of {@link AdaptiveLimiter}; see the README's scale section for why these values. */
export interface AdaptiveRateOptions {
  /** Multiplicative decrease on a throttling answer. */
  decrease: number;
  /** Additive increase: requests/s gained per second of successful calls at any rate. */
  increasePerSecond: number;
  /** Lowest rate the client falls to (requests/s). */
  floor: number;
  /** Throttling answers within this long after a decrease are the same congestion signal (ms). */
  cooldownMs: number;
}

/** Defaults: ×0.7 on throttling (as AWS SDK v3's adaptive mode), +1/s per second, floor 0.25/s. */
export const DEFAULT_ADAPTIVE_RATE: AdaptiveRateOptions = {
  decrease: 0.7,
  increasePerSecond: 1,
  floor: 0.25,
  cooldownMs: 1000,
};

/**
 * A per-action client rate that follows what the account grants (AIMD): a throttling answer
 * multiplies the rate by `decrease` (at most once per `cooldownMs`), each success adds
 * `increasePerSecond / rate` (so the rate grows by about `increasePerSecond` each second while
 * calls succeed), never above the ceiling (the documented or configured limit). Processes that
 * share an account and do not know of each other converge to equal shares this way.
 */
export class AdaptiveLimiter {
  readonly bucket: TokenBucket;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  constructor(
    private ceilingRate: number,
    private readonly clock: Clock,
    private readonly tuning: AdaptiveRateOptions = DEFAULT_ADAPTIVE_RATE,
  ) {
    this.bucket = new TokenBucket(ceilingRate, Math.max(1, Math.floor(ceilingRate)), clock);
  }

  /** The configured or documented limit; the rate never goes above it. */
  get ceiling(): number {
    return this.ceilingRate;
  }

  /** The current rate (requests/s). */
  get rate(): number {
    return this.bucket.ratePerSecond;
  }

  /** Another client on the same key asks for a lower limit: the lower one wins for both. */
  lowerCeiling(ratePerSecond: number): void {
    if (ratePerSecond >= this.ceilingRate) return;
    this.ceilingRate = ratePerSecond;
    if (this.bucket.ratePerSecond > ratePerSecond) this.bucket.setRate(ratePerSecond);
  }

  /** Reserves a slot; returns the wait in ms. */
  reserve(): number {
    return this.bucket.reserve();
  }

  /** The account refused a call for its rate: slow down. */
  onThrottled(): void {
    const now = this.clock.now();
    if (now - this.lastDecrease < this.tuning.cooldownMs) return;
    this.lastDecrease = now;
    const floor = Math.min(this.tuning.floor, this.ceilingRate);
    this.bucket.setRate(Math.max(floor, this.bucket.ratePerSecond * this.tuning.decrease));
  }

  /** A call went through: probe for more. */
  onSuccess(): void {
    const rate = this.bucket.ratePerSecond;
    if (rate >= this.ceilingRate) return;
    this.bucket.setRate(Math.min(this.ceilingRate, rate + this.tuning.increasePerSecond / rate));
  }
}

const sharedLimiters = new Map<string, AdaptiveLimiter>();

/**
 * The process-wide adaptive limiter for a key (endpoint | access key | action), created on first
 * use. Clients asking for different limits for the same key share it at the lowest limit asked:
 * they spend one account's allowance, so the stricter figure is true for both. It is never
 * replaced, because a fresh bucket starts full and would let every caller through at once.
 */
export function sharedLimiter(key: string, ceiling: number, clock: Clock): AdaptiveLimiter {
  const limiter = sharedLimiters.get(key);
  if (!limiter) {
    const created = new AdaptiveLimiter(ceiling, clock);
    sharedLimiters.set(key, created);
    return created;
  }
  limiter.lowerCeiling(ceiling);
  return limiter;
}

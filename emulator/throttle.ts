/**
 * The emulator's server-side limiter: `ratePerSecond` tokens a second, bursts up to `burst`; a request
 * either takes a token now or is throttled (a server never waits).
 */
export class Throttle {
  private tokens: number;
  private last: number;
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** `true` and one token used, or `false` when the caller is over the limit. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is free again (at least 1), for a throttled answer's `x-acs-retry-after`. */
  msUntilToken(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
  }
}

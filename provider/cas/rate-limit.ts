import type { Clock } from "../../runtime/clock";

/**
 * A place in a {@link TokenBucket}'s queue. Its position moves forward when a caller ahead of it
 * gives up its place ({@link TokenBucket.cancel}).
 */
export interface Ticket {
  /** 1-based count of the token this ticket spends (compared with the tokens earned so far). */
  position: number;
  cancelled: boolean;
}

/**
 * A token bucket: `ratePerSecond` tokens a second, bursts up to `burst`. Callers are served in
 * order (each reservation moves the next free slot forward), so a batch spreads evenly instead of
 * stampeding when tokens come back. The rate can change while reservations are outstanding. A
 * caller that will not wait for its slot gives it back, so no debt outlives the callers.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private rate: number;
  /** Tokens earned since creation (the burst included) and reservations handed out. */
  private earned: number;
  private reserved = 0;
  /** Tickets not yet due, in position order (those that a cancellation ahead of them moves up). */
  private queue: Ticket[] = [];
  constructor(
    ratePerSecond: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.rate = ratePerSecond;
    this.tokens = burst;
    this.earned = burst;
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

  /**
   * Reserves one token and returns its ticket; {@link waitFor} says how long it still has to
   * wait at the rate of the moment (so a rate that rises after the reservation shortens it).
   */
  reserveTicket(): Ticket {
    this.refill();
    this.tokens -= 1;
    const ticket = { position: ++this.reserved, cancelled: false };
    while (this.queue.length > 0 && this.queue[0]!.position <= this.earned) this.queue.shift();
    if (ticket.position > this.earned) this.queue.push(ticket);
    return ticket;
  }

  /**
   * Reserves a token only if it is due in less than `withinMs` (at the current rate); otherwise
   * reserves nothing and returns `undefined`. A caller with a deadline uses it so that giving up
   * leaves no debt for the callers after it.
   */
  tryReserve(withinMs: number): Ticket | undefined {
    return this.nextWait() < withinMs ? this.reserveTicket() : undefined;
  }

  /** Milliseconds a reservation made now would wait, at the current rate. */
  nextWait(): number {
    return this.waitAt(this.reserved + 1);
  }

  /** Milliseconds until `ticket` may be used, at the current rate. */
  waitFor(ticket: Ticket): number {
    return this.waitAt(ticket.position);
  }

  /**
   * Gives back a ticket whose holder will not use it: every ticket behind it moves up one place
   * and the token is free again. Nothing happens for a ticket already due or cancelled (its slot
   * passed unused, which owes nothing).
   */
  cancel(ticket: Ticket): void {
    if (ticket.cancelled) return;
    ticket.cancelled = true;
    this.refill();
    if (ticket.position <= this.earned) return;
    this.queue = this.queue.filter((t) => t !== ticket && t.position > this.earned);
    for (const t of this.queue) if (t.position > ticket.position) t.position -= 1;
    this.reserved -= 1;
    this.tokens += 1;
  }

  private waitAt(position: number): number {
    this.refill();
    const missing = position - this.earned;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.rate);
  }

  private refill(): void {
    const now = this.clock.now();
    const added = Math.min(this.burst - this.tokens, ((now - this.last) * this.rate) / 1000);
    if (added > 0) {
      this.tokens += added;
      this.earned += added;
    }
    this.last = now;
  }
}

/** Tuning of {@link AdaptiveLimiter}; see docs/many-stacks.md and docs/client.md for why these values. */
export interface AdaptiveRateOptions {
  /** Multiplicative decrease on a throttling answer (CUBIC's β). */
  decrease: number;
  /** CUBIC's scaling constant C, in requests/s per s³. */
  cubicScale: number;
  /** Growth beyond the rate last throttled, in requests/s per second. */
  probePerSecond: number;
  /** Lowest rate the client falls to (requests/s). */
  floor: number;
  /** Throttling answers within this long after a decrease are the same congestion signal (ms). */
  cooldownMs: number;
  /** Weight of the newest answer in the running share of throttled answers. */
  shareWeight: number;
  /** Share of throttled answers above which a throttling answer lowers the rate. */
  shareThreshold: number;
}

/**
 * Defaults: ×0.7 on throttling and C = 0.4 (the values of AWS SDK v3's adaptive mode), floor
 * 0.25/s, and a decrease only once more than ~30 % of the last ten or so answers were throttled.
 */
const DEFAULT_ADAPTIVE_RATE: AdaptiveRateOptions = {
  decrease: 0.7,
  cubicScale: 0.4,
  probePerSecond: 1,
  floor: 0.25,
  cooldownMs: 1000,
  shareWeight: 0.1,
  shareThreshold: 0.3,
};

/**
 * A per-action client rate that follows what the account grants, by the rule of AWS SDK v3's
 * adaptive retry mode (CUBIC): a throttling answer remembers the rate as `wMax` and multiplies it
 * by `decrease`; while calls succeed the rate follows `C·(t − K)³ + wMax` (t: seconds since the
 * decrease, K: when the curve is back at `wMax`), so it climbs back fast, flattens near the rate
 * that was throttled, then probes beyond it; never above the ceiling (the documented or
 * configured limit). A decrease happens at most once per `cooldownMs` (one burst of answers is
 * one signal) and only while the running share of throttled answers is above `shareThreshold`:
 * a lone throttling answer is the noise of pacing exactly at the limit (client and server buckets
 * drift by network jitter); a sustained share means others spend the same allowance. Processes
 * that share an account and do not know of each other settle near equal shares this way.
 */
export class AdaptiveLimiter {
  private readonly bucket: TokenBucket;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private wMax = 0;
  private throttledShare = 0;
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

  /** Reserves a slot; returns its ticket (see {@link TokenBucket.waitFor}). */
  reserveTicket(): Ticket {
    return this.bucket.reserveTicket();
  }

  /** Reserves a slot only if it is due in less than `withinMs` (see {@link TokenBucket.tryReserve}). */
  tryReserve(withinMs: number): Ticket | undefined {
    return this.bucket.tryReserve(withinMs);
  }

  /** Milliseconds a reservation made now would wait. */
  nextWait(): number {
    return this.bucket.nextWait();
  }

  /** Milliseconds until `ticket` may be used at the current rate. */
  waitFor(ticket: Ticket): number {
    return this.bucket.waitFor(ticket);
  }

  /** Gives back a slot its holder will not use (see {@link TokenBucket.cancel}). */
  cancel(ticket: Ticket): void {
    this.bucket.cancel(ticket);
  }

  /** The account refused a call for its rate: slow down. */
  onThrottled(): void {
    const w = this.tuning.shareWeight;
    this.throttledShare = this.throttledShare * (1 - w) + w;
    if (this.throttledShare <= this.tuning.shareThreshold) return;
    const now = this.clock.now();
    if (now - this.lastDecrease < this.tuning.cooldownMs) return;
    this.lastDecrease = now;
    this.wMax = this.bucket.ratePerSecond;
    const floor = Math.min(this.tuning.floor, this.ceilingRate);
    this.bucket.setRate(Math.max(floor, this.wMax * this.tuning.decrease));
  }

  /** A call went through: follow the cubic curve back up. */
  onSuccess(): void {
    this.throttledShare *= 1 - this.tuning.shareWeight;
    if (this.bucket.ratePerSecond >= this.ceilingRate || this.lastDecrease === Number.NEGATIVE_INFINITY)
      return;
    const { cubicScale: c, decrease, floor } = this.tuning;
    const k = Math.cbrt((this.wMax * (1 - decrease)) / c);
    const t = (this.clock.now() - this.lastDecrease) / 1000;
    // Concave back to wMax (CUBIC), then linear probing (+`probePerSecond` each second) instead
    // of CUBIC's convex growth, which made many processes overshoot the shared limit together.
    const target = t < k ? c * (t - k) ** 3 + this.wMax : this.wMax + this.tuning.probePerSecond * (t - k);
    this.bucket.setRate(Math.min(this.ceilingRate, Math.max(floor, this.bucket.ratePerSecond, target)));
  }
}

/**
 * The adaptive limiters of one client runtime, by key (endpoint | account or access key | action),
 * each created on first use. Clients asking for different limits for the same key share it at the
 * lowest limit asked: they spend one account's allowance, so the stricter figure is true for both.
 * A limiter is never replaced, because a fresh bucket starts full and would let every caller
 * through at once.
 */
export class Limiters {
  private readonly byKey = new Map<string, AdaptiveLimiter>();

  /** @param clock the clock of every limiter; by default, the clock of the first caller for a key. */
  constructor(private readonly clock?: Clock) {}

  /** The limiter for `key`, created at `ceiling` on first use, else lowered to it. */
  limiter(key: string, ceiling: number, callerClock: Clock): AdaptiveLimiter {
    const limiter = this.byKey.get(key);
    if (!limiter) {
      const created = new AdaptiveLimiter(ceiling, this.clock ?? callerClock);
      this.byKey.set(key, created);
      return created;
    }
    limiter.lowerCeiling(ceiling);
    return limiter;
  }
}

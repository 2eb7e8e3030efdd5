import assert from "node:assert/strict";
import { pacingKey } from "../../provider/cas/pacing";
import { AdaptiveLimiter, Limiters, TokenBucket, type Ticket } from "../../provider/cas/rate-limit";
import type { Clock } from "../../runtime/clock";
import { fakeClock } from "../support/clock";

/** Reserves a slot and returns its wait (ms) at the rate of the moment. */
function reserve(l: { reserveTicket(): Ticket; waitFor(t: Ticket): number }): number {
  return l.waitFor(l.reserveTicket());
}

/** Time from 0, random() always 0. */
const clock = () => fakeClock(0, 0);

describe("AdaptiveLimiter (AIMD)", () => {
  it("decreases ×0.7 once per cooldown when throttling persists, then climbs back along the cubic curve", () => {
    const c = clock();
    const l = new AdaptiveLimiter(10, c);
    for (let i = 0; i < 3; i++) l.onThrottled();
    assert.equal(l.rate, 10); // a few answers: not yet a sustained share
    l.onThrottled();
    assert.equal(l.rate, 7);
    l.onThrottled(); // same burst of answers: one signal
    assert.equal(l.rate, 7);
    c.advance(1000);
    l.onThrottled();
    assert.ok(Math.abs(l.rate - 4.9) < 1e-9);
    // wMax 7, K = cbrt(7 · 0.3 / 0.4) ≈ 1.74 s: rate = 0.4 (t − K)³ + 7.
    const k = Math.cbrt((7 * 0.3) / 0.4);
    c.advance(1000);
    l.onSuccess();
    assert.ok(Math.abs(l.rate - (0.4 * (1 - k) ** 3 + 7)) < 1e-9, String(l.rate));
    c.advance(Math.ceil(k * 1000) - 1000);
    l.onSuccess();
    assert.ok(l.rate >= 7 - 1e-6 && l.rate < 7.01, String(l.rate));
    c.advance(5000);
    l.onSuccess();
    assert.equal(l.rate, 10); // probing beyond wMax, capped at the ceiling
  });

  it("keeps its rate through isolated throttling answers (pacing exactly at the limit)", () => {
    const c = clock();
    const l = new AdaptiveLimiter(20, c);
    for (let i = 0; i < 200; i++) {
      if (i % 20 === 0) l.onThrottled();
      else l.onSuccess();
      c.advance(50);
    }
    assert.equal(l.rate, 20);
  });

  it("never falls below its floor", () => {
    const c = clock();
    const l = new AdaptiveLimiter(10, c);
    for (let i = 0; i < 50; i++) {
      for (let j = 0; j < 5; j++) l.onThrottled();
      c.advance(1000);
    }
    assert.equal(l.rate, 0.25);
  });

  it("is shared per key, at the lowest ceiling asked, and never replaced", () => {
    const c = clock();
    const limiters = new Limiters();
    const sharedLimiter = (key: string, ceiling: number, k: Clock) => limiters.limiter(key, ceiling, k);
    const a = sharedLimiter("unit|k|A", 10, c);
    for (let i = 0; i < 10; i++) assert.equal(reserve(a), 0);
    const b = sharedLimiter("unit|k|A", 5, c);
    assert.equal(a, b);
    assert.equal(b.ceiling, 5);
    assert.equal(reserve(b), 200); // the burst is spent: a fresh bucket would have said 0
    assert.equal(sharedLimiter("unit|k|A", 20, c).ceiling, 5);
  });
});

describe("TokenBucket tickets", () => {
  it("a reservation's wait follows the rate of the moment, so a rate that rises shortens it", () => {
    const c = clock();
    const b = new TokenBucket(1, 1, c);
    const tickets = Array.from({ length: 5 }, () => b.reserveTicket());
    assert.deepEqual(
      tickets.map((t) => b.waitFor(t)),
      [0, 1000, 2000, 3000, 4000],
    );
    b.setRate(4);
    assert.equal(b.waitFor(tickets[4]!), 1000);
    c.advance(1000);
    assert.equal(b.waitFor(tickets[4]!), 0);
  });

  it("a reservation that would come at or after the caller's limit is not made, so it leaves no debt", () => {
    const c = clock();
    const b = new TokenBucket(1, 1, c);
    const taken = Array.from({ length: 30 }, () => b.tryReserve(3000));
    assert.equal(taken.filter(Boolean).length, 3); // slots at 0, 1 s and 2 s; the 4th would be at 3 s
    assert.equal(b.nextWait(), 3000);
    c.advance(5000);
    assert.equal(reserve(b), 0); // the 27 refused callers owe nothing
  });

  it("a cancelled ticket moves every ticket behind it up one place and frees its token", () => {
    const c = clock();
    const b = new TokenBucket(1, 1, c);
    const t = Array.from({ length: 4 }, () => b.reserveTicket());
    b.cancel(t[1]!);
    b.cancel(t[1]!); // twice is once
    assert.deepEqual(
      [t[0], t[2], t[3]].map((x) => b.waitFor(x!)),
      [0, 1000, 2000],
    );
    assert.equal(b.nextWait(), 3000);
    b.cancel(t[3]!); // the last one: nobody moves, the next reservation takes its place
    assert.equal(b.waitFor(t[2]!), 1000);
    assert.equal(b.nextWait(), 2000);
    b.cancel(t[0]!); // already due: its slot passed, nothing moves
    assert.equal(b.waitFor(t[2]!), 1000);
    c.advance(10_000);
    assert.equal(reserve(b), 0);
  });
});

describe("TokenBucket pacing", () => {
  it("serves the burst at once, then one token every 1/rate seconds, in order", () => {
    const b = new TokenBucket(4, 3, clock());
    assert.deepEqual(
      Array.from({ length: 6 }, () => reserve(b)),
      [0, 0, 0, 250, 500, 750],
    );
  });

  it("an idle bucket refills up to its burst, never beyond", () => {
    const c = clock();
    const b = new TokenBucket(10, 2, c);
    reserve(b);
    reserve(b);
    c.advance(60_000); // 600 tokens' worth of time
    assert.deepEqual(
      Array.from({ length: 4 }, () => reserve(b)),
      [0, 0, 100, 200],
    );
  });

  it("a rate change keeps the tokens earned at the old rate and paces the rest at the new one", () => {
    const c = clock();
    const b = new TokenBucket(1, 1, c);
    reserve(b); // the burst
    c.advance(500); // half a token earned at 1/s
    b.setRate(10);
    assert.equal(b.ratePerSecond, 10);
    assert.equal(reserve(b), 50); // the other half at 10/s
    assert.equal(reserve(b), 150);
  });
});

describe("AdaptiveLimiter ceiling", () => {
  it("stays at its ceiling while calls succeed and nothing was throttled", () => {
    const c = clock();
    const l = new AdaptiveLimiter(5, c);
    for (let i = 0; i < 100; i++) {
      l.onSuccess();
      c.advance(100);
    }
    assert.equal(l.rate, 5);
  });

  it("lowerCeiling lowers the ceiling and the rate above it; a higher figure changes nothing", () => {
    const c = clock();
    const l = new AdaptiveLimiter(10, c);
    l.lowerCeiling(20);
    assert.deepEqual([l.ceiling, l.rate], [10, 10]);
    l.lowerCeiling(4);
    assert.deepEqual([l.ceiling, l.rate], [4, 4]);
    for (let i = 0; i < 10; i++) l.onThrottled(); // rate 4 × 0.7
    assert.ok(Math.abs(l.rate - 2.8) < 1e-9, String(l.rate));
    l.lowerCeiling(3); // the rate is already below: kept
    assert.ok(Math.abs(l.rate - 2.8) < 1e-9, String(l.rate));
    c.advance(60_000);
    l.onSuccess();
    assert.equal(l.rate, 3); // climbs back to the new ceiling, not the old one
  });

  it("a ceiling below the floor is kept after throttling: the floor never lifts the rate above it", () => {
    const c = clock();
    const l = new AdaptiveLimiter(0.1, c);
    for (let i = 0; i < 10; i++) l.onThrottled();
    assert.equal(l.rate, 0.1);
  });
});

describe("pacing is per account, not per access key", () => {
  it("two keys (or a key and its rotated STS token) of one account share one pace; another account or an unknown one does not", () => {
    const c = clock();
    const limiters = new Limiters();
    const sharedLimiter = (key: string, ceiling: number, k: Clock) => limiters.limiter(key, ceiling, k);
    const origin = "https://cas.aliyuncs.com";
    const before = sharedLimiter(
      pacingKey(origin, "1968132000123456", "LTAIold", "ListUserCertificateOrder"),
      1,
      c,
    );
    const rotated = sharedLimiter(
      pacingKey(origin, "1968132000123456", "STS.new", "ListUserCertificateOrder"),
      1,
      c,
    );
    assert.equal(rotated, before, "the rotated credentials take the same budget");
    assert.equal(reserve(before), 0);
    assert.equal(reserve(rotated), 1000, "no fresh burst after a rotation");
    const otherAccount = sharedLimiter(
      pacingKey(origin, "1111222233334444", "LTAIold", "ListUserCertificateOrder"),
      1,
      c,
    );
    assert.notEqual(otherAccount, before);
    assert.equal(reserve(otherAccount), 0);
    // Until the account is known, the key stands for it (never mistaken for an account id).
    assert.equal(
      pacingKey(origin, undefined, "1968132000123456", "ListUserCertificateOrder") ===
        pacingKey(origin, "1968132000123456", "x", "ListUserCertificateOrder"),
      false,
    );
  });
});

describe("Limiters", () => {
  it("with a clock of their own, every limiter keeps it, whichever client asked first", () => {
    const own = clock();
    const callers = clock();
    const limiters = new Limiters(own);
    const l = limiters.limiter("unit|k|A", 1, callers);
    assert.equal(reserve(l), 0);
    assert.equal(reserve(l), 1000);
    callers.advance(1000); // the caller's clock does not refill it
    assert.equal(reserve(l), 2000);
    own.advance(2000);
    assert.equal(reserve(l), 1000);
  });

  it("two instances share nothing: the same key paces separately", () => {
    const c = clock();
    const a = new Limiters().limiter("unit|k|A", 1, c);
    const b = new Limiters().limiter("unit|k|A", 1, c);
    assert.notEqual(a, b);
    assert.equal(reserve(a), 0);
    assert.equal(reserve(b), 0, "a fresh burst: the other instance's spending is not seen");
  });
});

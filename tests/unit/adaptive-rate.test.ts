import assert from "node:assert/strict";
import { AdaptiveLimiter, sharedLimiter } from "../../provider/cas/rate-limit";

function clock() {
  let t = 0;
  return { now: () => t, random: () => 0, sleep: async () => undefined, advance: (ms: number) => (t += ms) };
}

describe("AdaptiveLimiter (AIMD)", () => {
  it("decreases ×0.7 once per cooldown, increases by ~1/s per second of successes, within its ceiling", () => {
    const c = clock();
    const l = new AdaptiveLimiter(10, c);
    l.onThrottled();
    assert.equal(l.rate, 7);
    l.onThrottled(); // same burst of answers: one signal
    assert.equal(l.rate, 7);
    c.advance(1000);
    l.onThrottled();
    assert.ok(Math.abs(l.rate - 4.9) < 1e-9);
    // A second's worth of successes at 4.9/s adds about 1/s.
    for (let i = 0; i < 5; i++) l.onSuccess();
    assert.ok(l.rate > 5.8 && l.rate < 6, String(l.rate));
    for (let i = 0; i < 500; i++) l.onSuccess();
    assert.equal(l.rate, 10);
  });

  it("never falls below its floor", () => {
    const c = clock();
    const l = new AdaptiveLimiter(10, c);
    for (let i = 0; i < 50; i++) {
      l.onThrottled();
      c.advance(1000);
    }
    assert.equal(l.rate, 0.25);
  });

  it("is shared per key, at the lowest ceiling asked, and never replaced", () => {
    const c = clock();
    const a = sharedLimiter("unit|k|A", 10, c);
    for (let i = 0; i < 10; i++) assert.equal(a.reserve(), 0);
    const b = sharedLimiter("unit|k|A", 5, c);
    assert.equal(a, b);
    assert.equal(b.ceiling, 5);
    assert.equal(b.reserve(), 200); // the burst is spent: a fresh bucket would have said 0
    assert.equal(sharedLimiter("unit|k|A", 20, c).ceiling, 5);
  });
});

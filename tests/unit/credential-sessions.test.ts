import assert from "node:assert/strict";
import {
  renewalMargin,
  sessionCredentials,
  MAX_RENEWAL_MARGIN_MS,
} from "../../provider/cas/credential-sessions";
import type { SessionKeys } from "../../provider/cas/sts-client";

/** A session source that hands out numbered keys lasting `lifetimeMs` from the injected clock; `fail` makes the next fetches throw. */
function source(clock: { now: number }, lifetimeMs: number) {
  const state = { fetches: 0, fail: false };
  const fetch = (): Promise<SessionKeys> => {
    state.fetches += 1;
    if (state.fail) return Promise.reject(new Error(`STS unreachable (fetch ${state.fetches})`));
    return Promise.resolve({
      accessKeyId: `STS.key-${state.fetches}`,
      accessKeySecret: `secret-${state.fetches}`,
      securityToken: `token-${state.fetches}`,
      expiresAt: clock.now + lifetimeMs,
    });
  };
  return { state, fetch };
}

describe("temporary credentials are renewed before they expire", () => {
  it("the margin is a fifth of the lifetime, at most five minutes", () => {
    assert.equal(renewalMargin(3_600_000), MAX_RENEWAL_MARGIN_MS);
    assert.equal(MAX_RENEWAL_MARGIN_MS, 300_000);
    assert.equal(renewalMargin(900_000), 180_000);
    assert.equal(renewalMargin(10_000), 2_000);
    assert.equal(renewalMargin(-5), 0);
  });

  it("an hour-long session is kept until five minutes before its end, then renewed", async () => {
    const clock = { now: 1_000_000 };
    const s = source(clock, 3_600_000);
    const p = sessionCredentials(s.fetch, "role X", () => clock.now);
    assert.equal((await p.current()).accessKeyId, "STS.key-1");
    clock.now += 3_600_000 - 300_001;
    assert.equal((await p.current()).accessKeyId, "STS.key-1");
    clock.now += 1;
    const renewed = await p.current();
    assert.deepEqual(
      [renewed.accessKeyId, renewed.source, renewed.expiresAt],
      ["STS.key-2", "role X", clock.now + 3_600_000],
    );
    assert.equal(s.state.fetches, 2);
    assert.equal(p.temporary, true);
  });

  it("a ten-second session is renewed two seconds before its end", async () => {
    const clock = { now: 0 };
    const s = source(clock, 10_000);
    const p = sessionCredentials(s.fetch, "role X", () => clock.now);
    await p.current();
    clock.now = 7_999;
    assert.equal((await p.current()).accessKeyId, "STS.key-1");
    clock.now = 8_000;
    assert.equal((await p.current()).accessKeyId, "STS.key-2");
  });

  it("concurrent requests share one renewal", async () => {
    const clock = { now: 0 };
    const s = source(clock, 10_000);
    const p = sessionCredentials(s.fetch, "role X", () => clock.now);
    const all = await Promise.all([p.current(), p.current(), p.current()]);
    assert.deepEqual(new Set(all.map((c) => c.accessKeyId)), new Set(["STS.key-1"]));
    assert.equal(s.state.fetches, 1);
  });

  it("a failed renewal keeps keys that are still valid, and is reported once they have expired", async () => {
    const clock = { now: 0 };
    const s = source(clock, 10_000);
    const p = sessionCredentials(s.fetch, "role X", () => clock.now);
    await p.current();
    s.state.fail = true;
    clock.now = 9_000;
    assert.equal((await p.current()).accessKeyId, "STS.key-1");
    clock.now = 10_000;
    await assert.rejects(p.current(), /STS unreachable \(fetch 3\)/);
    s.state.fail = false;
    assert.equal((await p.current()).accessKeyId, "STS.key-4");
  });

  it("refresh obtains a new session at once and says whether the keys changed", async () => {
    const clock = { now: 0 };
    const s = source(clock, 3_600_000);
    const p = sessionCredentials(s.fetch, "role X", () => clock.now);
    await p.current();
    assert.equal(await p.refresh(), true);
    assert.equal((await p.current()).accessKeyId, "STS.key-2");
  });
});

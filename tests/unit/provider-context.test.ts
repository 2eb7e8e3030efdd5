import assert from "node:assert/strict";
import type { Clock } from "../../runtime/clock";
import { createProviders } from "../../provider/hosted";

/** A clock that moves only when told (no API call is made here, so nothing sleeps). */
function frozenClock(at: number): Clock {
  return { now: () => at, random: () => 0.5, sleep: async () => undefined };
}

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

describe("the composition root: two independent contexts in one process", () => {
  const configure = async (config: Record<string, string>, lines: string[], clock: Clock) => {
    const p = createProviders(clock);
    const req = { config: { get: (k: string) => config[k] }, log: (l: string) => void lines.push(l) };
    await p.order.configure(req);
    await p.validation.configure(req);
    await p.instance.configure(req);
    return p;
  };

  it("each has its own settings, log, clock, claims and notes", async () => {
    const aLines: string[] = [];
    const bLines: string[] = [];
    const a = await configure({ "alicloud-cas:qps": "ten" }, aLines, frozenClock(1_000));
    const b = await configure({ "alicloud:region": "ap-southeast-1" }, bLines, frozenClock(2_000));

    // A bad value fails only the context it was configured in, naming the key.
    const badA = await a.order.check({}, { domain: "www.example.com", ...contact, quotaCheck: "off" });
    assert.match(String(badA.failures[0]?.reason), /alicloud-cas:qps: "ten" is not a positive number/);
    const okB = await b.order.check({}, { domain: "www.example.com", ...contact, quotaCheck: "off" });
    assert.deepEqual(okB.failures, []);

    // B's product warning (China-site-only code on the international site) goes to B's log alone, once.
    await b.order.check({}, { domain: "www.example.com", ...contact, quotaCheck: "off" });
    assert.equal(
      bLines.filter((l) => /available only on the China site/.test(l)).length,
      1,
      bLines.join("\n"),
    );
    assert.deepEqual(aLines, []);

    assert.equal(a.context().clock.now(), 1_000);
    assert.equal(b.context().clock.now(), 2_000);
    a.context().claims.claim("12000001");
    assert.equal(a.context().claims.isClaimed("12000001"), true);
    assert.equal(b.context().claims.isClaimed("12000001"), false);
    assert.notEqual(a.context().certIds, b.context().certIds);
  });

  it("a configure renews the settings for all three controllers, and only its own controller's memory", async () => {
    const lines: string[] = [];
    const p = await configure({}, lines, frozenClock(0));
    p.context().claims.claim("12000002");
    const quota = p.context().quota;
    // The validation provider is configured when the host first uses it, after the orders' creates.
    await p.validation.configure({ config: { get: (k) => ({ "alicloud-cas:qps": "0" })[k] } });
    assert.equal(p.context().claims.isClaimed("12000002"), true, "the orders' claims are kept");
    assert.equal(p.context().quota, quota);
    const bad = await p.instance.check(
      {},
      { domains: ["www.example.com"], instanceType: "TEST", ...contact },
    );
    assert.match(String(bad.failures[0]?.reason), /alicloud-cas:qps: "0" is not a positive number/);
    // The order provider's configure is a new deployment's: its claims start empty.
    await p.order.configure({ config: { get: () => undefined } });
    assert.equal(p.context().claims.isClaimed("12000002"), false);
    assert.notEqual(p.context().quota, quota);
  });

  it("each family of providers has its own clients' runtime (connections, pacing), kept across configures", async () => {
    const keys = { "alicloud:accessKey": "LTAI5tUnitTestKey0001", "alicloud:secretKey": "unit-test-secret" };
    const a = await configure(keys, [], frozenClock(0));
    const b = await configure(keys, [], frozenClock(0));
    a.context().client();
    b.context().client();
    const runtime = a.context().latest.runtime;
    assert.ok(runtime, "the first client creates the runtime");
    assert.notEqual(b.context().latest.runtime, runtime);
    await a.validation.configure({ config: { get: (k) => keys[k as keyof typeof keys] } });
    a.context().client();
    assert.equal(a.context().latest.runtime, runtime, "a configure keeps the connections and the pacing");
  });

  it("a client is built only when an API call needs one, and only with valid settings", async () => {
    const p = await configure({ "alicloud-cas:signatureScheme": "rpc-v2" }, [], frozenClock(0));
    assert.throws(
      () => p.context().client(),
      (e: Error & { code?: string }) =>
        e.code === "InvalidConfig" &&
        /signatureScheme: "rpc-v2" is not a signature scheme; use "acs3"/.test(e.message),
    );
  });
});

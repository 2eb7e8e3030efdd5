// x-acs-retry-after end to end: the emulator sends it on throttled answers (and, when a fault asks,
// on ServiceUnavailable), and the client reads any error answer carrying a positive one as
// throttling (aliyun/darabonba-openapi#283): a create answered ServiceUnavailable with the header
// is sent again and places one order, where the same answer without it leaves the outcome unknown.
import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { FaultRule } from "../../emulator/faults";
import { configureProvider, emulatorConfig, provider, resetProvider } from "../support/in-process-provider";
import { recordingProxy } from "../support/recording-proxy";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/** Calls `DescribePackageState` `n` times through a recording proxy; the answers as sent. */
async function answersOf(emu: RunningEmulator, n: number) {
  const proxy = await recordingProxy(emu.endpoint);
  try {
    const cas = new CasClient({
      endpoint: proxy.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
      rateLimits: false,
      retry: { maxAttempts: 1, retryThrottling: false },
    });
    for (let i = 0; i < n; i++) await cas.call("DescribePackageState", {}).catch(() => undefined);
    return proxy.answers.map((a) => ({
      status: a.status,
      code: a.status === 200 ? "OK" : (JSON.parse(a.body) as { Code: string }).Code,
      retryAfter: a.headers["x-acs-retry-after"],
    }));
  } finally {
    await proxy.close();
  }
}

describe("the emulator sends x-acs-retry-after", function () {
  this.timeout(60_000);

  it("on answers throttled by its rate limit: the milliseconds until the key's next token", async () => {
    const emu = await startEmulator({ qps: { DescribePackageState: 2 } });
    try {
      const answers = await answersOf(emu, 6);
      const throttled = answers.filter((a) => a.code === "Throttling.User");
      assert.ok(throttled.length >= 1, JSON.stringify(answers));
      // 2/s: a token every 500 ms, so the wait is at most that.
      for (const a of throttled) {
        assert.match(String(a.retryAfter), /^\d+$/);
        assert.ok(Number(a.retryAfter) >= 1 && Number(a.retryAfter) <= 500, String(a.retryAfter));
      }
      assert.ok(answers.filter((a) => a.code === "OK").every((a) => a.retryAfter === undefined));
    } finally {
      await emu.close();
    }
  });

  it("on injected throttling (100 ms, or the rule's retryAfterMs); on ServiceUnavailable only when the rule asks", async () => {
    const emu = await startEmulator();
    try {
      const rule = (r: Omit<FaultRule, "action" | "rate">): FaultRule => ({
        action: "DescribePackageState",
        rate: 1,
        limit: 1,
        ...r,
      });
      emu.control.setFaults([
        rule({ kind: "throttle" }),
        rule({ kind: "throttle", retryAfterMs: 2500 }),
        rule({ kind: "error" }),
        rule({ kind: "error", retryAfterMs: 700 }),
        rule({ kind: "error", retryAfterMs: 0 }),
      ]);
      assert.deepEqual(
        (await answersOf(emu, 6)).map((a) => [a.code, a.retryAfter]),
        [
          ["Throttling.User", "100"],
          ["Throttling.User", "2500"],
          ["ServiceUnavailable", undefined],
          ["ServiceUnavailable", "700"],
          ["ServiceUnavailable", "0"],
          ["OK", undefined],
        ],
      );
    } finally {
      await emu.close();
    }
  });

  it("the control API takes retryAfterMs on error and throttle faults only", async () => {
    const emu = await startEmulator();
    try {
      const post = (rules: unknown) =>
        fetch(`${emu.endpoint}/_emulator/faults`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ rules }),
        });
      const ok = await post([{ action: "*", kind: "error", rate: 0.1, retryAfterMs: 500 }]);
      assert.equal(ok.status, 200);
      const refused = await post([{ action: "*", kind: "latency", rate: 0.1, retryAfterMs: 500 }]);
      assert.equal(refused.status, 400);
      assert.match(
        ((await refused.json()) as { error: string }).error,
        /rules\.0\.retryAfterMs: retryAfterMs applies to error and throttle faults only/,
      );
    } finally {
      await emu.close();
    }
  });
});

describe("a create answered ServiceUnavailable with x-acs-retry-after, through the provider", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  const logged: string[] = [];

  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    await configureProvider(emulatorConfig(emu), (line) => void logged.push(line));
  });
  after(async () => {
    await resetProvider();
    await emu?.close();
  });
  beforeEach(() => {
    emu.control.reset();
    logged.length = 0;
  });

  async function create(domain: string) {
    const { inputs } = await provider.check({}, { domain, ...contact, quotaCheck: "off" });
    return provider.create(inputs);
  }
  const creates = () =>
    emu.control
      .requests()
      .filter((r) => r.action === "CreateCertificateRequest")
      .map((r) => r.outcome);

  it("is sent again after the hint and places exactly one order; the outcome is never unknown", async () => {
    emu.control.setFaults([
      { action: "CreateCertificateRequest", kind: "error", rate: 1, limit: 2, retryAfterMs: 300 },
    ]);
    const { id } = await create("retry-after.example.com");
    assert.deepEqual(creates(), ["ServiceUnavailable", "ServiceUnavailable", "OK"]);
    const orders = await emu.control.orders();
    assert.deepEqual(
      orders.map((o) => [o.orderId, o.domains]),
      [[id, ["retry-after.example.com"]]],
    );
    // No look-up for an order that may exist: nothing was unknown.
    assert.ok(!emu.control.requests().some((r) => r.action === "ListUserCertificateOrder"));
    assert.doesNotMatch(logged.join("\n"), /no answer|looking for the order|OutcomeUnknown/);
  });

  it("without the header the same answer leaves the outcome unknown: the provider looks for the order and keeps the request in the stack", async () => {
    emu.control.setFaults([{ action: "CreateCertificateRequest", kind: "error", rate: 1, limit: 1 }]);
    await assert.rejects(
      create("no-retry-after.example.com"),
      /The resource is kept in the stack as unresolved-\d+/,
    );
    assert.deepEqual(creates(), ["ServiceUnavailable"], "never a second create in the operation");
    assert.ok(emu.control.requests().some((r) => r.action === "ListUserCertificateOrder"));
    assert.match(logged.join("\n"), /no answer \(.*ServiceUnavailable.*\); looking for the order$/m);
  });
});

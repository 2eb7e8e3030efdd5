import assert from "node:assert/strict";
import { CasClient, type ClientEvent } from "../../provider/cas/client";
import { CasError, CasOutcomeUnknownError, CasPacedLocallyError } from "../../provider/cas/errors";
import type { Clock } from "../../runtime/clock";
import { Deadline } from "../../provider/cas/deadline";
import { fakeClock, virtualClock } from "../support/clock";
import { apiError, json, scriptedServer } from "../support/scripted-server";

const contact = { Username: "u", Phone: "13800001111", Email: "a@example.com" };
const plan = json(200, {
  RequestId: "R",
  TotalCount: 10,
  UsedCount: 1,
  IssuedCount: 0,
  ProductCode: "digicert-free-1-free",
});

function client(endpoint: string, clock: Clock, extra: object = {}) {
  return new CasClient({ endpoint, accessKeyId: "ak", accessKeySecret: "sk", env: {}, clock, ...extra });
}

describe("throttling and the shared rate limit", () => {
  it("two clients asking different rates for one key share one bucket at the lower rate", async () => {
    const srv = await scriptedServer([plan]);
    const clock = fakeClock(0);
    const waits: number[] = [];
    const onEvent = (e: ClientEvent) => void (e.kind === "throttled-locally" && waits.push(e.delayMs));
    const fast = client(srv.endpoint, clock, { rateLimits: { DescribePackageState: 10 }, onEvent });
    const slow = client(srv.endpoint, clock, { rateLimits: { DescribePackageState: 5 }, onEvent });
    for (let i = 0; i < 15; i++) {
      await fast.call("DescribePackageState", {});
      await slow.call("DescribePackageState", {});
    }
    // 30 calls at one instant of virtual time: a burst of 10, then one every 1/5 s.
    assert.deepEqual(
      waits,
      Array.from({ length: 20 }, () => 200),
    );
    await srv.close();
  });

  it("retries a throttled create past maxAttempts and an empty retry budget", async () => {
    const steps = Array.from({ length: 8 }, () => apiError(400, "Throttling.User"));
    const srv = await scriptedServer([...steps, json(200, { RequestId: "R", OrderId: 7 })]);
    const clock = fakeClock(0.5);
    const res = await client(srv.endpoint, clock, {
      rateLimits: false,
      retry: { maxAttempts: 3, budget: 5, retryCost: 5 },
    }).call("CreateCertificateRequest", { Domain: "a.example.com", ValidateType: "DNS", ...contact });
    assert.equal(res.OrderId, "7");
    assert.equal(srv.requests.length, 9);
    // Full jitter (0.5) over 200 ms · 2^n, capped at throttleMaxDelay (2 s).
    assert.deepEqual(clock.sleeps, [100, 200, 400, 800, 1000, 1000, 1000, 1000]);
    await srv.close();
  });

  it("gives up on throttling only at the deadline, saying why and what to do", async () => {
    const srv = await scriptedServer([apiError(400, "Throttling.User")]);
    const clock = fakeClock(0.5);
    await assert.rejects(
      client(srv.endpoint, clock, { rateLimits: false, deadlineMs: 10_000 }).call("DescribePackageState", {}),
      (e: CasError) =>
        e.code === "Throttling.User" &&
        /still throttled after \d+ attempts within the operation deadline of 10 s/.test(e.message) &&
        /deploy fewer stacks at once/.test(e.message),
    );
    assert.ok(srv.requests.length > 5, `${srv.requests.length} attempts`);
    assert.ok(clock.sleeps.reduce((a, b) => a + b, 0) < 10_000);
    await srv.close();
  });

  it("a create throttled until the deadline fails with the throttling error (kind throttling) before the deadline, under that one deadline", async () => {
    const srv = await scriptedServer([apiError(400, "Throttling.User")]);
    const clock = fakeClock(0.5);
    const deadline = Deadline.after(clock.now(), 90_000);
    const e = await client(srv.endpoint, clock, { rateLimits: false })
      .call(
        "CreateCertificateRequest",
        { Domain: "a.example.com", ValidateType: "DNS", ...contact },
        { deadline },
      )
      .catch((x: unknown) => x as CasError);
    assert.ok(e instanceof CasError && !(e instanceof CasOutcomeUnknownError));
    assert.equal(e.code, "Throttling.User");
    assert.equal(e.kind, "throttling");
    assert.ok(clock.now() < deadline.at, "no try after the deadline");
    // Retried up to the deadline: the waits (full jitter, at most 2 s) filled nearly all of it.
    assert.ok(deadline.at - clock.now() <= 2_000, `${deadline.at - clock.now()} ms left unused`);
    assert.ok(srv.requests.every((a) => a === "CreateCertificateRequest"));
    await srv.close();
  });

  it("honours x-acs-retry-after up to maxDelay (20 s), with jitter on top", async () => {
    const srv = await scriptedServer([
      apiError(400, "Throttling.User", {}, { "x-acs-retry-after": "1500" }),
      apiError(400, "Throttling.User", {}, { "x-acs-retry-after": "30000" }),
      plan,
    ]);
    const clock = fakeClock(0.5);
    await client(srv.endpoint, clock, { rateLimits: false }).call("DescribePackageState", {});
    assert.deepEqual(clock.sleeps, [1_600, 20_100]);
    await srv.close();
  });

  it("a create answered ServiceUnavailable with a positive x-acs-retry-after is throttling: repeated after the hint, one order", async () => {
    const srv = await scriptedServer([
      apiError(503, "ServiceUnavailable", {}, { "x-acs-retry-after": "800" }),
      json(200, { RequestId: "R", OrderId: 7 }),
    ]);
    const clock = fakeClock(0.5);
    const retries: ClientEvent[] = [];
    const res = await client(srv.endpoint, clock, {
      rateLimits: false,
      onEvent: (e: ClientEvent) => void (e.kind === "retry" && retries.push(e)),
    }).call("CreateCertificateRequest", { Domain: "a.example.com", ValidateType: "DNS", ...contact });
    assert.equal(res.OrderId, "7");
    assert.deepEqual(srv.requests, ["CreateCertificateRequest", "CreateCertificateRequest"]);
    assert.deepEqual(clock.sleeps, [900]);
    assert.deepEqual(
      retries.map((e) => e.kind === "retry" && e.reason),
      ["ServiceUnavailable"],
    );
    await srv.close();
  });

  for (const header of ["0", "", "-5", "later"])
    it(`a create answered ServiceUnavailable with x-acs-retry-after ${JSON.stringify(header)} is not repeated: the outcome is unknown`, async () => {
      const srv = await scriptedServer([
        apiError(503, "ServiceUnavailable", {}, { "x-acs-retry-after": header }),
        json(200, { RequestId: "R", OrderId: 7 }),
      ]);
      await assert.rejects(
        client(srv.endpoint, fakeClock(0.5), { rateLimits: false }).call("CreateCertificateRequest", {
          Domain: "a.example.com",
          ValidateType: "DNS",
          ...contact,
        }),
        (e: CasError) => e instanceof CasOutcomeUnknownError,
      );
      assert.equal(srv.requests.length, 1);
      await srv.close();
    });

  it("lowers its own rate when throttling answers persist", async () => {
    const srv = await scriptedServer([
      plan,
      ...Array.from({ length: 4 }, () => apiError(400, "Throttling.User")),
      plan,
    ]);
    const clock = fakeClock(0);
    const waits: number[] = [];
    const c = client(srv.endpoint, clock, {
      rateLimits: { DescribePackageState: 1 },
      onEvent: (e: ClientEvent) => void (e.kind === "throttled-locally" && waits.push(e.delayMs)),
    });
    await c.call("DescribePackageState", {}); // the burst token
    // Waits 1 s at 1/s and is throttled; three more throttling answers make a sustained share
    // (the rate goes ×0.7), then each wait is 1/0.7 s.
    await c.call("DescribePackageState", {});
    assert.deepEqual(waits, [1000, 1000, 1000, 1000, Math.ceil(1000 / 0.7)]);
    await srv.close();
  });

  it("a call with no local slot before its deadline fails at once as paced locally, and leaves no debt", async () => {
    const srv = await scriptedServer([plan]);
    const clock = virtualClock();
    const local: number[] = [];
    const c = client(srv.endpoint, clock, {
      rateLimits: { DescribePackageState: 10 },
      deadlineMs: 1000,
      onEvent: (e: ClientEvent) => void (e.kind === "throttled-locally" && local.push(e.delayMs)),
    });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, () => c.call("DescribePackageState", {})),
    );
    const sent = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as CasError] : []));
    // A burst of 10, then one every 100 ms while a slot leaves 250 ms to send before the 1 s
    // deadline: slots at 100 … 700 ms.
    assert.equal(sent, 17);
    assert.deepEqual(local, [100, 200, 300, 400, 500, 600, 700]);
    assert.equal(srv.requests.length, sent);
    assert.equal(refused.length, 60 - sent);
    for (const e of refused) {
      assert.ok(e instanceof CasPacedLocallyError, String(e));
      assert.equal(e.code, "PacedLocally");
      assert.match(e.message, /not sent: this process paces DescribePackageState to 10 request\(s\)\/s/);
      assert.match(e.message, /not an endpoint or network problem/);
      assert.doesNotMatch(e.message, /no answer from|Check that this endpoint/);
    }
    // Two seconds later, with no other traffic, one call goes at once.
    clock.advance(2000);
    local.length = 0;
    await c.call("DescribePackageState", {});
    assert.deepEqual(local, []);
    assert.equal(srv.requests.length, sent + 1);
    await srv.close();
  });
});

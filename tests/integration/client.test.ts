import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { ClientRuntime } from "../../provider/cas/client-runtime";
import { CasApiError, CasOutcomeUnknownError, CasTransportError } from "../../provider/cas/errors";
import { fakeClock } from "../support/clock";
import { apiError, json, manualTimers, reset, scriptedServer } from "../support/scripted-server";

const ok = json(200, {
  RequestId: "R",
  TotalCount: 10,
  UsedCount: 1,
  IssuedCount: 0,
  ProductCode: "digicert-free-1-free",
});
const contact = { Username: "u", Phone: "13800001111", Email: "a@example.com" };

function client(
  endpoint: string,
  clock = fakeClock(),
  extra: Partial<ConstructorParameters<typeof CasClient>[0]> = {},
) {
  return new CasClient({
    endpoint,
    accessKeyId: "ak",
    accessKeySecret: "sk",
    env: {},
    clock,
    rateLimits: false,
    ...extra,
  });
}

describe("CasClient against a scripted loopback server", () => {
  it("retries throttling with full-jitter backoff: exact delays with a fixed random", async () => {
    const srv = await scriptedServer([
      apiError(400, "Throttling.User"),
      apiError(429, "Throttling.Api"),
      apiError(400, "Throttling"),
      ok,
    ]);
    const clock = fakeClock(0.5);
    const res = await client(srv.endpoint, clock).call("DescribePackageState", {});
    assert.equal(res.TotalCount, 10);
    assert.deepEqual(clock.sleeps, [100, 200, 400]); // 0.5 × 200 ms × 2^n
    assert.equal(srv.requests.length, 4);
    await srv.close();
  });

  it("honours x-acs-retry-after as a lower bound", async () => {
    const srv = await scriptedServer([
      apiError(400, "Throttling.User", {}, { "x-acs-retry-after": "1500" }),
      ok,
    ]);
    const clock = fakeClock(0);
    await client(srv.endpoint, clock).call("DescribePackageState", {});
    assert.deepEqual(clock.sleeps, [1500]);
    await srv.close();
  });

  it("retries 5xx and resets on read actions, then succeeds", async () => {
    const srv = await scriptedServer([
      apiError(503, "ServiceUnavailable"),
      apiError(500, "InternalError"),
      reset,
      ok,
    ]);
    const clock = fakeClock(1);
    await client(srv.endpoint, clock).call("DescribePackageState", {});
    assert.deepEqual(clock.sleeps, [200, 400, 800]);
    await srv.close();
  });

  it("gives up after maxAttempts with the last error", async () => {
    const srv = await scriptedServer([apiError(503, "ServiceUnavailable")]);
    const clock = fakeClock(0.25);
    await assert.rejects(
      client(srv.endpoint, clock, { retry: { maxAttempts: 3 } }).call("DescribePackageState", {}),
      (e: CasApiError) => e.code === "ServiceUnavailable" && e.httpStatus === 503 && e.retryable,
    );
    assert.deepEqual(clock.sleeps, [50, 100]);
    assert.equal(srv.requests.length, 3);
    await srv.close();
  });

  it("stops when the retry budget is spent", async () => {
    const srv = await scriptedServer([apiError(503, "ServiceUnavailable")]);
    const c = client(srv.endpoint, fakeClock(0), { retry: { budget: 10, retryCost: 5, maxAttempts: 10 } });
    await assert.rejects(c.call("DescribePackageState", {}), /retry budget exhausted/);
    assert.equal(srv.requests.length, 3); // two retries afforded
    await srv.close();
  });

  it("does not retry definitive errors", async () => {
    const srv = await scriptedServer([apiError(404, "NotFoundOrder")]);
    await assert.rejects(
      client(srv.endpoint).call("DescribeCertificateState", { OrderId: "1" }),
      (e: CasApiError) =>
        e.code === "NotFoundOrder" &&
        !e.retryable &&
        e.requestId === "REQ-1" &&
        e.action === "DescribeCertificateState",
    );
    assert.equal(srv.requests.length, 1);
    await srv.close();
  });

  for (const [name, step] of [
    ["a 503 answer", apiError(503, "ServiceUnavailable")],
    ["a reset connection", reset],
  ] as const) {
    it(`never retries a create after ${name}: the outcome is unknown`, async () => {
      const srv = await scriptedServer([step, json(200, { RequestId: "R", OrderId: 5 })]);
      await assert.rejects(
        client(srv.endpoint).call("CreateCertificateRequest", {
          Domain: "a.example.com",
          ValidateType: "DNS",
          ...contact,
        }),
        (e: unknown) => e instanceof CasOutcomeUnknownError && /may have reached CAS/.test(e.message),
      );
      assert.equal(srv.requests.length, 1);
      await srv.close();
    });
  }

  it("does retry a create that was throttled (rejected before processing)", async () => {
    const srv = await scriptedServer([
      apiError(400, "Throttling.User"),
      json(200, { RequestId: "R", OrderId: 7 }),
    ]);
    const res = await client(srv.endpoint).call("CreateCertificateRequest", {
      Domain: "a.example.com",
      ValidateType: "DNS",
      ...contact,
    });
    assert.equal(res.OrderId, "7");
    await srv.close();
  });

  it("retries a create that provably never left (connection refused)", async () => {
    const srv = await scriptedServer([ok]);
    const endpoint = srv.endpoint;
    await srv.close();
    const clock = fakeClock(0);
    await assert.rejects(
      client(endpoint, clock, { retry: { maxAttempts: 2 } }).call("CreateCertificateRequest", {
        Domain: "a.example.com",
        ValidateType: "DNS",
        ...contact,
      }),
      (e: unknown) => e instanceof CasTransportError && e.code === "NetworkError",
    );
    assert.equal(clock.sleeps.length, 1);
  });

  it("times out a hanging attempt; a create then reports an unknown outcome", async () => {
    // The server holds each request; its arrival moves the attempt's time past its 150 ms limit.
    const timers = manualTimers();
    const runtime = new ClientRuntime({ timers });
    const srv = await scriptedServer([() => void timers.fire(150)]);
    const c = new CasClient({
      endpoint: srv.endpoint,
      accessKeyId: "ak",
      accessKeySecret: "sk",
      env: {},
      rateLimits: false,
      attemptTimeoutMs: 150,
      retry: { maxAttempts: 2, baseDelay: 1 },
      runtime,
    });
    await assert.rejects(
      c.call("DescribePackageState", {}),
      (e: unknown) => e instanceof CasTransportError && e.code === "Timeout",
    );
    assert.equal(srv.requests.length, 2);
    await assert.rejects(
      c.call("CreateCertificateRequest", { Domain: "a.example.com", ValidateType: "DNS", ...contact }),
      CasOutcomeUnknownError,
    );
    await srv.close();
    await runtime.close();
  });

  it("stops at once when the caller aborts", async () => {
    const ac = new AbortController();
    // The caller gives up while the server holds the request.
    const srv = await scriptedServer([() => ac.abort()]);
    await assert.rejects(
      client(srv.endpoint).call("DescribePackageState", {}, { signal: ac.signal }),
      (e: unknown) => e instanceof CasTransportError && e.code === "Aborted",
    );
    assert.equal(srv.requests.length, 1);
    await srv.close();
  });

  it("parses OrderIds losslessly, as numbers or strings", async () => {
    const srv = await scriptedServer([
      json(200, '{"RequestId":"R","OrderId":98987582437920968}'),
      json(200, { RequestId: "R", OrderId: "323451222" }),
    ]);
    const c = client(srv.endpoint);
    assert.equal(
      (await c.call("CreateCertificateRequest", { Domain: "a.example.com", ValidateType: "DNS", ...contact }))
        .OrderId,
      "98987582437920968",
    );
    assert.equal(
      (await c.call("CreateCertificateRequest", { Domain: "b.example.com", ValidateType: "DNS", ...contact }))
        .OrderId,
      "323451222",
    );
    await srv.close();
  });

  it("turns every error body shape into a typed CasApiError", async () => {
    const srv = await scriptedServer([
      apiError(400, "SignatureDoesNotMatch", {
        Message:
          "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&...",
      }),
      json(400, {
        RequestId: "R2",
        Code: "InvalidParameter",
        Message: "bad",
        Recommend: "https://error-center.aliyun.com/status/search?Keyword=InvalidParameter&source=PopGw",
      }),
      json(404, {
        Code: "NotFound",
        Message: "没有找到必要内容，请检查参数输入。",
        HostId: "cas.aliyuncs.com",
      }),
      json(502, "<html>Bad Gateway</html>"),
    ]);
    const c = client(srv.endpoint, fakeClock(), { retry: { maxAttempts: 1 } });
    const seen: CasApiError[] = [];
    for (let i = 0; i < 4; i++)
      await c.call("DescribePackageState", {}).catch((e: CasApiError) => seen.push(e));
    assert.deepEqual(
      seen.map((e) => [e.code, e.httpStatus, e.requestId, e.retryable]),
      [
        ["SignatureDoesNotMatch", 400, "REQ-1", false],
        ["InvalidParameter", 400, "R2", false],
        ["NotFound", 404, null, false],
        ["InternalError", 502, null, true],
      ],
    );
    assert.match(seen[1]!.recommend!, /error-center/);
    assert.equal(seen[2]!.apiMessage, "没有找到必要内容，请检查参数输入。");
    await srv.close();
  });

  it("rejects an answer that breaks the schema", async () => {
    const srv = await scriptedServer([json(200, { RequestId: "R", OrderId: "12a" })]);
    await assert.rejects(
      client(srv.endpoint).call("CreateCertificateRequest", {
        Domain: "a.example.com",
        ValidateType: "DNS",
        ...contact,
      }),
      /unexpected response: OrderId/,
    );
    await srv.close();
  });

  it("validates parameters before sending anything", async () => {
    const srv = await scriptedServer([ok]);
    await assert.rejects(
      client(srv.endpoint).call("DescribeCertificateState", { OrderId: "12x" }),
      /invalid parameters: OrderId/,
    );
    assert.equal(srv.requests.length, 0);
    await srv.close();
  });
});

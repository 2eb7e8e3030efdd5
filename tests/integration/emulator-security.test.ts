import assert from "node:assert/strict";
import { request } from "undici";
import { CasClient, type CasClientOptions } from "../../provider/cas/client";
import { acs3Authorization, sha256Hex } from "../../protocol/sign-acs3";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { fakeClock } from "../support/clock";

/** One ACS3-signed request, built by hand so a test can replay or tamper with it. */
function signed(
  emu: RunningEmulator,
  body: string,
  date = new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  nonce = `n-${Math.random()}`,
) {
  const host = new URL(emu.endpoint).host;
  const headers: Record<string, string> = {
    host,
    "content-type": "application/x-www-form-urlencoded",
    "x-acs-action": "DescribePackageState",
    "x-acs-version": "2020-04-07",
    "x-acs-date": date,
    "x-acs-signature-nonce": nonce,
    "x-acs-content-sha256": sha256Hex(body),
  };
  headers.authorization = acs3Authorization(
    {
      method: "POST",
      query: {},
      headers,
      signedHeaders: Object.keys(headers),
      payloadHash: headers["x-acs-content-sha256"]!,
    },
    emu.accessKeyId,
    emu.accessKeySecret,
  );
  return headers;
}

async function send(emu: RunningEmulator, headers: Record<string, string>, body: string) {
  const res = await request(`${emu.endpoint}/`, { method: "POST", headers, body });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe("emulator: authentication and abuse", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  it("accepts a correctly signed request", async () => {
    const body = "ProductCode=digicert-free-1-free";
    const res = await send(emu, signed(emu, body), body);
    assert.equal(res.status, 200);
    assert.equal(res.body.TotalCount, 100);
  });

  it("rejects a replayed request (same nonce) with SignatureNonceUsed", async () => {
    const body = "ProductCode=digicert-free-1-free";
    const headers = signed(emu, body);
    assert.equal((await send(emu, headers, body)).status, 200);
    const again = await send(emu, headers, body);
    assert.deepEqual([again.status, again.body.Code], [400, "SignatureNonceUsed"]);
  });

  it("rejects a tampered body and a tampered signed header", async () => {
    const headers = signed(emu, "ProductCode=digicert-free-1-free");
    const body = await send(emu, headers, "ProductCode=geotrust-dv-w-starter");
    assert.deepEqual([body.status, body.body.Code], [400, "SignatureDoesNotMatch"]);
    const h2 = signed(emu, "");
    h2["x-acs-action"] = "CancelOrderRequest";
    const header = await send(emu, h2, "");
    assert.deepEqual([header.status, header.body.Code], [400, "SignatureDoesNotMatch"]);
  });

  it("rejects a request signed 16 minutes ago or ahead with InvalidTimeStamp.Expired", async () => {
    for (const skew of [-16, 16]) {
      const date = new Date(Date.now() + skew * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
      const res = await send(emu, signed(emu, "", date), "");
      assert.deepEqual([res.status, res.body.Code], [400, "InvalidTimeStamp.Expired"]);
    }
    // And through the client with a skewed clock, for both schemes.
    const clock = { ...fakeClock(), now: () => Date.now() - 20 * 60_000 };
    for (const signatureScheme of ["acs3", "rpc-v1"] as const) {
      const c = new CasClient({
        endpoint: emu.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        env: {},
        clock,
        signatureScheme,
        rateLimits: false,
      });
      await assert.rejects(
        c.call("DescribePackageState", {}),
        (e: { code?: string }) => e.code === "InvalidTimeStamp.Expired",
      );
    }
  });

  it("rejects a signature without the required signed headers with IncompleteSignature", async () => {
    const headers = signed(emu, "");
    headers.authorization = headers.authorization!.replace(/SignedHeaders=[^,]+/, "SignedHeaders=host");
    const res = await send(emu, headers, "");
    assert.deepEqual([res.status, res.body.Code], [400, "IncompleteSignature"]);
  });

  it("answers with the documented error body", async () => {
    const res = await send(emu, { ...signed(emu, ""), "x-acs-action": "Nope" }, "");
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body).sort(), ["Code", "HostId", "Message", "Recommend", "RequestId"]);
    assert.match(
      String(res.body.RequestId),
      /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
    );
    assert.match(
      String(res.body.Recommend),
      /^https:\/\/api\.aliyun\.com\/troubleshoot\?q=SignatureDoesNotMatch&product=cas&requestId=/,
    );
  });

  it("answers XML when Format=XML (classic signature)", async () => {
    const c = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
      signatureScheme: "rpc-v1",
      rateLimits: false,
    });
    // Our client always asks for JSON; a raw V1 request shows the XML shape.
    const { signRpcV1 } = await import("../../protocol/sign-rpc-v1.js");
    const { canonicalQuery } = await import("../../protocol/percent-encode.js");
    const params: Record<string, string> = {
      Action: "DescribePackageState",
      Version: "2020-04-07",
      Format: "XML",
      AccessKeyId: emu.accessKeyId,
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: `x-${Math.random()}`,
      Timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    };
    params.Signature = signRpcV1("GET", params, emu.accessKeySecret);
    const res = await request(`${emu.endpoint}/?${canonicalQuery(params)}`);
    assert.equal(res.headers["content-type"], "text/xml;charset=utf-8");
    assert.match(
      await res.body.text(),
      /^<\?xml[^>]*><DescribePackageStateResponse><RequestId>[^<]+<\/RequestId><TotalCount>100<\/TotalCount>/,
    );
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
  });
});

describe("emulator: throttling and faults as a client sees them", () => {
  let emu: RunningEmulator;
  const contact = { Username: "u", Phone: "13800001111", Email: "a@example.com" };
  beforeEach(async () => {
    emu = await startEmulator({ seed: 42, lifecycle: { validation: "manual" } });
  });
  afterEach(() => emu.close());
  const noRetry = () =>
    new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
      rateLimits: false,
      retry: { maxAttempts: 1, retryThrottling: false },
    });

  it("throttles per key and action above the QPS limit (Throttling.User), and the client's retries absorb it", async () => {
    // The emulator's clock stands still, so its bucket holds exactly the burst and never refills
    // until the test lets time run: the counts do not depend on how fast this machine is.
    const frozenAt = Date.now();
    let thawedAt: number | undefined;
    const e = await startEmulator({
      seed: 42,
      qps: 5,
      now: () => (thawedAt === undefined ? frozenAt : frozenAt + Date.now() - thawedAt),
    });
    try {
      const client = (options: Partial<CasClientOptions>) =>
        new CasClient({
          endpoint: e.endpoint,
          accessKeyId: e.accessKeyId,
          accessKeySecret: e.accessKeySecret,
          env: {},
          ...options,
        });
      const once = client({ rateLimits: false, retry: { maxAttempts: 1, retryThrottling: false } });
      const burst = await Promise.allSettled(
        Array.from({ length: 12 }, () => once.call("DescribePackageState", {})),
      );
      const outcome = (r: PromiseSettledResult<unknown>) =>
        r.status === "fulfilled" ? "OK" : String((r.reason as { code?: string }).code);
      assert.deepEqual(
        tally(burst.map(outcome)),
        { OK: 5, "Throttling.User": 7 },
        "a burst of 5, then throttled",
      );
      assert.deepEqual(tally(e.control.requests().map((r) => r.outcome)), { OK: 5, "Throttling.User": 7 });

      // A client with retries: its first calls find the bucket empty and are throttled; once time
      // runs again every call gets its answer.
      e.control.clearRequests();
      const patient = client({ rateLimits: { DescribePackageState: 5 } });
      const answers = Promise.all(Array.from({ length: 12 }, () => patient.call("DescribePackageState", {})));
      let settled = false;
      void answers.finally(() => (settled = true)).catch(() => undefined);
      while (!settled && !e.control.requests().some((r) => r.outcome === "Throttling.User"))
        await new Promise((r) => setTimeout(r, 20));
      thawedAt = Date.now();
      assert.deepEqual(
        (await answers).map((a) => a.TotalCount),
        Array.from({ length: 12 }, () => 100),
      );
      const seen = tally(e.control.requests().map((r) => r.outcome));
      assert.equal(seen.OK, 12, JSON.stringify(seen));
      assert.ok((seen["Throttling.User"] ?? 0) >= 1, JSON.stringify(seen));
    } finally {
      await e.close();
    }
  });

  it("injects 5xx, resets, throttling and latency deterministically under a seed", async () => {
    const outcomes = async () => {
      const e = await startEmulator({
        seed: 9,
        faults: [
          { action: "DescribePackageState", kind: "error", rate: 0.3 },
          { action: "DescribePackageState", kind: "reset", rate: 0.2 },
          { action: "DescribePackageState", kind: "throttle", rate: 0.2 },
        ],
      });
      const c = new CasClient({
        endpoint: e.endpoint,
        accessKeyId: e.accessKeyId,
        accessKeySecret: e.accessKeySecret,
        env: {},
        rateLimits: false,
        retry: { maxAttempts: 1, retryThrottling: false },
      });
      const seen: string[] = [];
      for (let i = 0; i < 30; i++)
        seen.push(
          await c.call("DescribePackageState", {}).then(
            () => "OK",
            (err: { code: string }) => err.code,
          ),
        );
      await e.close();
      return seen;
    };
    const a = await outcomes();
    assert.deepEqual(a, await outcomes());
    assert.ok(
      a.includes("ServiceUnavailable") &&
        a.includes("NetworkError") &&
        a.includes("Throttling.User") &&
        a.includes("OK"),
      a.join(","),
    );
    // Latency delays an answer without failing it: a call started later on an action without the
    // fault is answered first.
    emu.control.setFaults([{ action: "DescribePackageState", kind: "latency", rate: 1, latencyMs: 1000 }]);
    const c = noRetry();
    const finished: string[] = [];
    const slow = c.call("DescribePackageState", {}).then((a) => (finished.push("delayed"), a));
    const quick = c.call("ListUserCertificateOrder", {}).then((a) => (finished.push("other"), a));
    assert.equal((await slow).TotalCount, 100);
    assert.equal((await quick).TotalCount, 0);
    assert.deepEqual(finished, ["other", "delayed"]);
    assert.deepEqual(
      emu.control
        .requests()
        .map((r) => [r.action, r.outcome])
        .sort(),
      [
        ["DescribePackageState", "OK"],
        ["ListUserCertificateOrder", "OK"],
      ],
    );
  });

  it("an ambiguous create commits the order and drops the answer", async () => {
    emu.control.setFaults([{ action: "CreateCertificateRequest", kind: "ambiguous", rate: 1, limit: 1 }]);
    await assert.rejects(
      noRetry().call("CreateCertificateRequest", {
        Domain: "a.example.com",
        ValidateType: "DNS",
        ...contact,
      }),
      (e: { code?: string }) => e.code === "OutcomeUnknown",
    );
    const orders = await emu.control.orders();
    assert.equal(orders.length, 1);
    assert.equal(emu.control.plan("digicert-free-1-free").used, 1);
  });

  it("enforces quota: NotRemainCount when used up, NotFoundPackage without a plan", async () => {
    emu.control.setQuota("digicert-free-1-free", 1);
    await noRetry().call("CreateCertificateRequest", {
      Domain: "a.example.com",
      ValidateType: "DNS",
      ...contact,
    });
    await assert.rejects(
      noRetry().call("CreateCertificateRequest", {
        Domain: "b.example.com",
        ValidateType: "DNS",
        ...contact,
      }),
      (e: { code?: string; httpStatus?: number }) => e.code === "NotRemainCount" && e.httpStatus === 404,
    );
    emu.control.setQuota("geotrust-dv-w-starter", 0);
    await assert.rejects(
      noRetry().call("CreateCertificateRequest", {
        Domain: "*.b.example.com",
        ProductCode: "geotrust-dv-w-starter",
        ValidateType: "DNS",
        ...contact,
      }),
      (e: { code?: string }) => e.code === "NotFoundPackage",
    );
  });

  it("keeps state across restarts with a data directory", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dataDir = mkdtempSync(join(tmpdir(), "cas-emu-"));
    const first = await startEmulator({ dataDir });
    const c1 = new CasClient({
      endpoint: first.endpoint,
      accessKeyId: first.accessKeyId,
      accessKeySecret: first.accessKeySecret,
      env: {},
    });
    const { OrderId } = await c1.call("CreateCertificateRequest", {
      Domain: "keep.example.com",
      ValidateType: "DNS",
      ...contact,
    });
    await first.close();
    const second = await startEmulator({ dataDir });
    assert.equal(second.accessKeyId, first.accessKeyId);
    const c2 = new CasClient({
      endpoint: second.endpoint,
      accessKeyId: second.accessKeyId,
      accessKeySecret: second.accessKeySecret,
      env: {},
    });
    assert.equal((await c2.call("DescribePackageState", {})).UsedCount, 1);
    assert.ok(
      (await c2.call("ListUserCertificateOrder", {})).CertificateOrderList.some((o) => o.OrderId === OrderId),
    );
    await second.close();
  });
});

/** How many times each value occurs. */
function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

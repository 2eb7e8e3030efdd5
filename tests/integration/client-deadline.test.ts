import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { Deadline, runWithDeadline } from "../../provider/cas/deadline";
import { CasOutcomeUnknownError, CasTransportError, type CasError } from "../../provider/cas/errors";
import { startEmulator } from "../../emulator/server";
import { fakeClock } from "../support/clock";
import { hang, json, scriptedServer } from "../support/scripted-server";
import { provider, configureProvider, resetProvider, emulatorConfig } from "../support/in-process-provider";
import { stsFor } from "../support/sts";

describe("one deadline per provider operation", () => {
  it("a black-holed endpoint fails at the configured deadline, naming the endpoint and the setting", async () => {
    const srv = await scriptedServer([hang]);
    const keys = { "alicloud:accessKey": "ak", "alicloud:secretKey": "sk-secret-value" };
    // STS answers (which account the keys belong to); CAS is the black hole.
    const sts = await stsFor(keys);
    const config: Record<string, string> = {
      ...keys,
      "alicloud:endpoints": JSON.stringify([{ cas: srv.endpoint }, { sts: sts.endpoint }]),
      "alicloud-cas:attemptTimeoutMs": "200",
      "alicloud-cas:operationTimeoutSeconds": "1",
    };
    const logged: string[] = [];
    await configureProvider(config, (l) => logged.push(l));
    await assert.rejects(
      provider.read("12000001", { orderId: "12000001", domains: ["a.example.com"], action: "x" }),
      (e: CasTransportError) =>
        e.code === "DeadlineExceeded" &&
        e.message.includes(`no answer from ${srv.endpoint} within the operation deadline of 1 s`) &&
        e.message.includes("this endpoint (from stack config alicloud:endpoints (its cas entry))") &&
        e.message.includes("alicloud-cas:operationTimeoutSeconds"),
    );
    // Attempts of 200 ms inside 1 s: more than the retry policy's 5 would allow without a deadline
    // is impossible, fewer than 2 means the deadline cut the first attempt.
    assert.ok(srv.requests.length >= 2 && srv.requests.length <= 5, String(srv.requests.length));
    // Each retry is shown (a long wait is never silent): a line before every request after the first,
    // and one more when the last wait ended at the deadline and nothing more was sent.
    const retries = logged.filter((l) =>
      /^\[alicloud-cas\] DescribeCertificateState: Timeout, retrying in \d+ ms/.test(l),
    ).length;
    const sent = srv.requests.length;
    assert.ok(retries === sent - 1 || retries === sent, `${sent} requests, log:\n${logged.join("\n")}`);
    await resetProvider();
    await srv.close();
    await sts.close();
  });

  it("calls inside one operation share its deadline: once spent, nothing more is sent", async () => {
    const srv = await scriptedServer([
      json(200, { RequestId: "R", TotalCount: 1, UsedCount: 0, IssuedCount: 0, ProductCode: "p" }),
    ]);
    const clock = fakeClock(0);
    const c = new CasClient({
      endpoint: srv.endpoint,
      accessKeyId: "ak",
      accessKeySecret: "sk",
      env: {},
      clock,
      rateLimits: false,
    });
    const deadline = Deadline.after(clock.now(), 5_000, "test setting");
    await runWithDeadline(deadline, async () => {
      await c.call("DescribePackageState", {});
      await clock.sleep(5_000);
      await assert.rejects(
        c.call("DescribePackageState", {}),
        (e: CasTransportError) => e.code === "DeadlineExceeded" && /raise test setting/.test(e.message),
      );
    });
    assert.equal(srv.requests.length, 1);
    await srv.close();
  });

  it("a create that got no answer within the deadline is outcome-unknown, naming the endpoint", async () => {
    const srv = await scriptedServer([hang]);
    const c = new CasClient({
      endpoint: srv.endpoint,
      accessKeyId: "ak",
      accessKeySecret: "sk",
      env: {},
      rateLimits: false,
      deadlineMs: 300,
    });
    await assert.rejects(
      c.call("CreateCertificateRequest", {
        Domain: "a.example.com",
        ValidateType: "DNS",
        Username: "u",
        Phone: "1",
        Email: "a@example.com",
      }),
      (e: unknown) => e instanceof CasOutcomeUnknownError && e.message.includes(srv.endpoint),
    );
    assert.equal(srv.requests.length, 1);
    await srv.close();
  });

  it("the look-ups after a lost create answer get a deadline of their own: a create that spent the operation's still finds its order", async () => {
    // The create is processed after 1.5 s, past the operation deadline of 1 s: its answer is lost.
    const emu = await startEmulator({
      lifecycle: { validation: "manual" },
      faults: [{ action: "CreateCertificateRequest", kind: "latency", latencyMs: 1500, rate: 1, limit: 1 }],
    });
    const config = emulatorConfig(emu, {
      "alicloud-cas:operationTimeoutSeconds": "1",
    });
    const logged: string[] = [];
    try {
      await configureProvider(config, (l) => logged.push(l));
      const { inputs } = await provider.check(
        {},
        {
          domain: "lost.example.com",
          username: "u",
          phone: "13800001111",
          email: "a@example.com",
          quotaCheck: "off",
        },
      );
      // The order it placed is found and named (it cannot be proven to be this resource's), instead of
      // "looking for it failed" with nothing sent, which leaves a later `pulumi up` free to order again.
      await assert.rejects(provider.create(inputs), (e: CasError) => {
        assert.equal(e.code, "OwnershipUnproven", e.message);
        assert.match(e.message, /OrderId \d+/);
        return true;
      });
      // The user is told why the provider looks before ordering again.
      assert.ok(
        logged.some((l) =>
          /CreateCertificateRequest for lost\.example\.com: no answer .*; looking for the order$/.test(l),
        ),
        logged.join("\n"),
      );
      const creates = emu.control.requests().filter((r) => r.action === "CreateCertificateRequest");
      assert.equal(creates.length, 1);
      assert.ok(
        emu.control.requests().some((r) => r.action === "ListUserCertificateOrder" && r.outcome === "OK"),
      );
    } finally {
      await resetProvider();
      await emu.close();
    }
  });
});

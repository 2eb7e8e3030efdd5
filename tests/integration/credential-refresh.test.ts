import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CasClient, type ClientEvent } from "../../provider/cas/client";
import { CasApiError } from "../../provider/cas/errors";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderStub, certificateOrderValidationStub } from "../../sdk/stubs";
import { FAKE_CLOCK, startProviderHost, type ProviderHost } from "../support/provider-host";

const contact = { Username: "u", Phone: "13800001111", Email: "a@example.com" };

/** Whole seconds: the modification time each write sets, so "unchanged" is exact. */
let mtimeSeconds = 1_700_000_000;

/** Writes an Aliyun CLI config with one StsToken profile; `keepMtime`: the previous write's modification time is kept. */
function writeProfile(file: string, emu: RunningEmulator, token: string, keepMtime = false): void {
  if (!keepMtime) mtimeSeconds += 10;
  writeFileSync(
    file,
    JSON.stringify({
      current: "ci",
      profiles: [
        {
          name: "ci",
          mode: "StsToken",
          access_key_id: emu.accessKeyId,
          access_key_secret: emu.accessKeySecret,
          sts_token: token,
        },
      ],
    }),
  );
  utimesSync(file, mtimeSeconds, mtimeSeconds);
}

describe("STS tokens rotating under a running provider: taken per request, read again on an expired-token answer", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let home: string;
  let file: string;

  beforeEach(async () => {
    emu = await startEmulator({ securityTokens: ["token-1"], lifecycle: { validation: "manual" } });
    home = mkdtempSync(join(tmpdir(), "cas-home-"));
    mkdirSync(join(home, ".aliyun"));
    file = join(home, ".aliyun", "config.json");
    writeProfile(file, emu, "token-1");
  });
  afterEach(() => emu?.close());

  const client = (events: ClientEvent[] = []) =>
    new CasClient({
      endpoint: emu.endpoint,
      env: {},
      profileFile: file,
      rateLimits: false,
      onEvent: (e) => events.push(e),
    });

  it("a profile file rewritten with a fresh token is used by the next request", async () => {
    const c = client();
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    emu.control.setSecurityTokens(["token-2"]);
    writeProfile(file, emu, "token-2");
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.deepEqual(
      emu.control.requests().map((r) => r.outcome),
      ["OK", "OK"],
    );
  });

  it("an expired-token answer reads the file again (even unchanged in time) and sends once more; a create places one order", async () => {
    const events: ClientEvent[] = [];
    const c = client(events);
    await c.call("DescribePackageState", {});
    emu.control.setSecurityTokens(["token-2"]);
    writeProfile(file, emu, "token-2", true);
    const res = await c.call("CreateCertificateRequest", {
      Domain: "rotated.example.com",
      ValidateType: "DNS",
      ...contact,
    });
    assert.match(res.OrderId, /^\d+$/);
    assert.deepEqual(
      emu.control.requests().map((r) => [r.action, r.outcome]),
      [
        ["DescribePackageState", "OK"],
        ["CreateCertificateRequest", "InvalidSecurityToken.Expired"],
        ["CreateCertificateRequest", "OK"],
      ],
    );
    assert.equal((await emu.control.orders()).length, 1);
    assert.deepEqual(
      events.map((e) => e.kind === "retry" && e.reason),
      [`InvalidSecurityToken.Expired (credentials read again from profile "ci" in ${file})`],
    );
  });

  it("a token that expired with no fresh one in the file is reported once, naming the source", async () => {
    const c = client();
    emu.control.setSecurityTokens(["token-2"]);
    await assert.rejects(c.call("DescribePackageState", {}), (e: unknown) => {
      assert.ok(e instanceof CasApiError);
      assert.equal(e.code, "InvalidSecurityToken.Expired");
      assert.ok(e.message.includes(`profile "ci" in ${file}`), e.message);
      return true;
    });
    assert.equal(emu.control.requests().length, 1);
  });

  it("a CertificateOrderValidation wait in the provider host outlives three token rotations", async () => {
    const env = { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint, HOME: home };
    let orders: ProviderHost | undefined;
    let waiter: ProviderHost | undefined;
    try {
      orders = await startProviderHost(certificateOrderStub, {}, env);
      // The tokens rotate by the file and the emulator's answers, and CAS moves on only by the control
      // call below: the waiter's polls need not take real time.
      waiter = await startProviderHost(certificateOrderValidationStub, {}, { ...env, ...FAKE_CLOCK });
      const checked = await orders.check({
        domain: "waits.example.com",
        username: "u",
        phone: "13800001111",
        email: "a@example.com",
      });
      const { id } = await orders.create(checked.inputs);
      // On the fake clock every poll is a virtual second: a day of them outlasts the rotations below.
      const wait = waiter.create({
        orderId: id,
        timeoutMinutes: 24 * 60,
        pollIntervalSeconds: 1,
        maxPollIntervalSeconds: 1,
      });
      /** Resolves once the waiter has polled successfully with `token` (the log's count of OK polls grows). */
      const polledAfter = async (since: number) => {
        for (;;) {
          const polls = emu.control.requests().slice(since);
          if (polls.some((r) => r.action === "DescribeCertificateState" && r.outcome === "OK")) return;
          await new Promise((ok) => setTimeout(ok, 100));
        }
      };
      await polledAfter(0);
      for (const [token, keepMtime] of [
        ["token-2", false],
        ["token-3", true],
        ["token-4", false],
      ] as const) {
        const since = emu.control.requests().length;
        emu.control.setSecurityTokens([token]);
        writeProfile(file, emu, token, keepMtime);
        await polledAfter(since);
      }
      await emu.control.issue(id);
      const { outs } = await wait;
      assert.equal(outs.orderId, id);
      const outcomes = emu.control.requests().map((r) => r.outcome);
      assert.ok(outcomes.includes("InvalidSecurityToken.Expired"), outcomes.join(","));
    } finally {
      orders?.stop();
      waiter?.stop();
    }
  });
});

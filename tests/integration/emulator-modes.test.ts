import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { officialClient } from "../support/official-sdk";

const contact = { Username: "u", Phone: "13800001111", Email: "a@example.com" };

describe("emulator: STS tokens, DNS-driven validation, expiry", () => {
  let emu: RunningEmulator;
  afterEach(() => emu.close());

  it("accepts a configured STS token with both schemes and refuses a wrong one", async () => {
    emu = await startEmulator({ securityTokens: ["sts-token-1"] });
    for (const signatureScheme of ["acs3", "rpc-v1"] as const) {
      const ok = new CasClient({
        endpoint: emu.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        securityToken: "sts-token-1",
        signatureScheme,
        env: {},
      });
      assert.equal((await ok.call("DescribePackageState", {})).TotalCount, 100);
      const bad = new CasClient({
        endpoint: emu.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        securityToken: "expired",
        signatureScheme,
        env: {},
        retry: { maxAttempts: 1 },
      });
      await assert.rejects(
        bad.call("DescribePackageState", {}),
        (e: { code?: string }) => e.code === "InvalidSecurityToken.Expired",
      );
    }
  });

  it("dns mode: validates only once the expected record is published, then issues", async () => {
    emu = await startEmulator({ lifecycle: { validation: "dns", issueAfterMs: 0 } });
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    const id = String(
      (
        await api.call("CreateCertificateRequest", {
          Domain: "dns.example.com",
          ValidateType: "DNS",
          ...contact,
        })
      ).OrderId,
    );
    const [expected] = emu.control.expectedRecords(id);
    assert.deepEqual([expected!.name, expected!.type], ["_dnsauth.dns.example.com", "TXT"]);
    emu.control.publishDnsRecord({ name: expected!.name, type: "TXT", value: "wrong" });
    assert.equal((await api.call("DescribeCertificateState", { OrderId: id })).Type, "domain_verify");
    emu.control.publishDnsRecord({ name: "_DNSAUTH.dns.example.com.", type: "txt", value: expected!.value });
    assert.equal((await api.call("DescribeCertificateState", { OrderId: id })).Type, "certificate");
  });

  it("auto mode moves orders on by time; expire shows in the order list", async () => {
    let now = Date.now();
    emu = await startEmulator({
      now: () => now,
      lifecycle: { validation: "auto", validateAfterMs: 1000, issueAfterMs: 1000 },
    });
    const c = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
      clock: { now: () => now, random: () => 0, sleep: async () => undefined },
    });
    const { OrderId } = await c.call("CreateCertificateRequest", {
      Domain: "auto.example.com",
      ValidateType: "DNS",
      ...contact,
    });
    const type = async () => (await c.call("DescribeCertificateState", { OrderId })).Type;
    assert.equal(await type(), "domain_verify");
    now += 1000;
    assert.equal(await type(), "process");
    now += 1000;
    assert.equal(await type(), "certificate");
    const status = async () =>
      (await c.call("ListUserCertificateOrder", { Keyword: "auto.example.com" })).CertificateOrderList[0]!
        .Status;
    assert.equal(await status(), "ISSUED");
    await emu.control.expire(OrderId);
    assert.equal(await status(), "EXPIRED");
  });
});

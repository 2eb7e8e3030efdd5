import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
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

  it("age moves an issued order into the past: same key, serial and validity, signed by the CA, due for renewal", async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    const c = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    const { OrderId } = await c.call("CreateCertificateRequest", {
      Domain: "aged.example.com",
      ValidateType: "DNS",
      ...contact,
    });
    const control = (path: string, body: unknown) =>
      fetch(`${emu.endpoint}/_emulator/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const pending = await control(`orders/${OrderId}/age`, { days: 70 });
    assert.equal(pending.status, 403, "only an issued order can be aged");
    assert.equal(((await pending.json()) as { code: string }).code, "OrderStateError");
    await emu.control.issue(OrderId);
    const leaf = async () =>
      new X509Certificate(String((await c.call("DescribeCertificateState", { OrderId })).Certificate));
    const status = async () =>
      (await c.call("ListUserCertificateOrder", { Keyword: "aged.example.com" })).CertificateOrderList[0]!
        .Status;
    const fresh = await leaf();
    assert.equal(await status(), "ISSUED");
    const expiry = async () => (await emu.control.orders())[0]!.notAfter!;
    const recorded = await expiry();

    for (const bad of [{ days: 0 }, { days: 1.5 }, { days: "70" }, { days: 70, extra: 1 }]) {
      const res = await control(`orders/${OrderId}/age`, bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.match(
        ((await res.json()) as { error: string }).error,
        /^POST orders\/\{id\}\/age: (days|\(body\))/,
      );
    }
    const res = await control(`orders/${OrderId}/age`, { days: 70 });
    assert.equal(res.status, 200);
    const aged = await leaf();
    const day = 86_400_000;
    const time = (x: X509Certificate, f: "validFrom" | "validTo") => Date.parse(x[f]);
    assert.equal(time(fresh, "validFrom") - time(aged, "validFrom"), 70 * day);
    assert.equal(time(fresh, "validTo") - time(aged, "validTo"), 70 * day);
    assert.equal(time(aged, "validTo") - time(aged, "validFrom"), 90 * day, "the same validity");
    assert.equal(aged.serialNumber, fresh.serialNumber);
    assert.ok(aged.publicKey.equals(fresh.publicKey), "the same key");
    assert.deepEqual(aged.subjectAltName, fresh.subjectAltName);
    assert.ok(aged.verify(new X509Certificate(emu.control.caCertificate()).publicKey), "signed by the CA");
    assert.equal(await status(), "WILLEXPIRED", "20 days left: within the 30 expiring days");
    assert.equal(recorded - (await expiry()), 70 * day, "the expiry CAS records moves too");
  });
});

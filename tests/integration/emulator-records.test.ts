import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { officialClient, type OfficialCaller } from "../support/official-sdk";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";

async function orderOf(
  api: OfficialCaller,
  domain: string,
  productCode?: string,
  validateType = "DNS",
): Promise<{ orderId: string; state: Record<string, unknown> }> {
  const { OrderId } = await api.call("CreateCertificateForPackageRequest", {
    Domain: domain,
    ValidateType: validateType,
    ...(productCode ? { ProductCode: productCode } : {}),
  });
  const state = await api.call("DescribeCertificateState", { OrderId: String(OrderId) });
  assert.equal(state.Type, "domain_verify");
  return { orderId: String(OrderId), state: state };
}

async function recordDomainOf(api: OfficialCaller, domain: string, productCode?: string): Promise<string> {
  return String((await orderOf(api, domain, productCode)).state.RecordDomain);
}

describe("emulator: RecordDomain styles (fqdn by default, zone, name), www parents and zones", function () {
  this.timeout(60_000);
  let emu: RunningEmulator | undefined;
  let proc: EmulatorProcess | undefined;
  afterEach(async () => {
    await emu?.close();
    await proc?.stop();
    emu = proc = undefined;
  });

  it("name (and its old spelling label): relative to the ordered name", async () => {
    for (const style of ["name", "label"] as const) {
      emu = await startEmulator({ lifecycle: { validation: "manual", recordDomainStyle: style } });
      const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
      assert.equal(await recordDomainOf(api, "www.example.com"), "_dnsauth");
      assert.equal(await recordDomainOf(api, "a.b.example.com"), "_dnsauth");
      await emu.close();
      emu = undefined;
    }
  });

  it("zone: a host record relative to the zone, the registrable domain unless zones says otherwise", async () => {
    emu = await startEmulator({
      lifecycle: { validation: "manual", recordDomainStyle: "zone", zones: ["Example.CO.uk."] },
    });
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    assert.equal(await recordDomainOf(api, "www.example.com"), "_dnsauth.www");
    assert.equal(await recordDomainOf(api, "a.b.example.com"), "_dnsauth.a.b");
    assert.equal(await recordDomainOf(api, "example.com"), "_dnsauth");
    assert.equal(await recordDomainOf(api, "*.example.com", "geotrust-dv-w-starter"), "_dnsauth");
    assert.equal(await recordDomainOf(api, "www.example.co.uk"), "_dnsauth.www");
    assert.equal(await recordDomainOf(api, "example.co.uk"), "_dnsauth");
    // Not under a configured zone: the registrable domain by the Public Suffix List (org.uk and
    // co.jp are public suffixes; their last two labels are not a zone).
    assert.equal(await recordDomainOf(api, "www.example.org.uk"), "_dnsauth.www");
    assert.equal(await recordDomainOf(api, "a.shop.example.co.jp"), "_dnsauth.a.shop");
  });

  it("fqdn, the default (the console FAQ: the host record is a full name)", async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    assert.equal(await recordDomainOf(api, "www.example.com"), "_dnsauth.www.example.com");
    assert.equal(await recordDomainOf(api, "*.example.com", "geotrust-dv-w-starter"), "_dnsauth.example.com");
    assert.equal(await recordDomainOf(api, "www.example.co.uk"), "_dnsauth.www.example.co.uk");
  });

  it("wwwParent: www.<domain> is validated on <domain>, in RecordDomain and FILE's Domain", async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual", wwwParent: true } });
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    assert.equal(await recordDomainOf(api, "www.example.com"), "_dnsauth.example.com");
    assert.equal(await recordDomainOf(api, "www.example.co.uk"), "_dnsauth.example.co.uk");
    // Only a leading www. label, and never up to a bare top-level domain.
    assert.equal(await recordDomainOf(api, "a.www.example.com"), "_dnsauth.a.www.example.com");
    assert.equal(await recordDomainOf(api, "www.com"), "_dnsauth.www.com");
    assert.equal(await recordDomainOf(api, "wwwx.example.com"), "_dnsauth.wwwx.example.com");
    const file = await orderOf(api, "www.example.com", undefined, "FILE");
    assert.equal(file.state.Domain, "example.com");
    emu.control.setLifecycle({ wwwParent: false });
    assert.equal((await orderOf(api, "www.example.com", undefined, "FILE")).state.Domain, "www.example.com");
  });

  it("dns mode waits for the record CAS names, which proves every name of the order in the first name's zone", async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual", zones: ["example.co.uk"] } });
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    const names = async (domain: string) =>
      emu!.control.expectedRecords((await orderOf(api, domain)).orderId).map((r) => r.name);
    assert.deepEqual(await names("www.example.com,example.com,a.b.example.com"), [
      "_dnsauth.www.example.com",
    ]);
    assert.deepEqual(await names("shop.example.co.uk,www.example.co.uk"), ["_dnsauth.shop.example.co.uk"]);
    // A name in another zone needs its own record with the same value (a guess).
    assert.deepEqual(await names("www.example.com,www.example.org,example.org"), [
      "_dnsauth.www.example.com",
      "_dnsauth.www.example.org",
      "_dnsauth.example.org",
    ]);
    emu.control.setLifecycle({ wwwParent: true });
    assert.deepEqual(await names("www.example.com,a.example.com"), ["_dnsauth.example.com"]);
    // The record CAS names is the same whatever form it is spelled in.
    emu.control.setLifecycle({ recordDomainStyle: "zone" });
    assert.deepEqual(await names("www.example.com,a.example.com"), ["_dnsauth.example.com"]);
  });

  it("sameAccountZones: CAS adds the record it names and deletes conflicting TXT records there; elsewhere nothing", async () => {
    emu = await startEmulator({
      lifecycle: { validation: "dns", issueAfterMs: 0, sameAccountZones: ["example.com"] },
    });
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    const place = async (Domain: string) =>
      String((await api.call("CreateCertificateForPackageRequest", { Domain, ValidateType: "DNS" })).OrderId);
    const typeOf = async (id: string) => (await api.call("DescribeCertificateState", { OrderId: id })).Type;
    // Records a stack manages: a stale value at the name CAS will name, and one elsewhere.
    emu.control.publishDnsRecord({ name: "_DNSAUTH.www.example.com.", type: "TXT", value: "stale" });
    emu.control.publishDnsRecord({ name: "_dnsauth.api.example.com", type: "TXT", value: "other order" });
    const id = await place("www.example.com");
    const [want] = emu.control.expectedRecords(id);
    assert.deepEqual(emu.control.dnsRecords(), [
      { name: "_dnsauth.api.example.com", type: "TXT", value: "other order" },
      { name: "_dnsauth.www.example.com", type: "TXT", value: want!.value },
    ]);
    assert.equal(await typeOf(id), "certificate", "validated without anyone publishing");
    const other = await place("shop.example.org");
    assert.equal(await typeOf(other), "domain_verify", "example.org is not in this account's DNS");
    assert.equal(emu.control.dnsRecords().length, 2);
    // Over HTTP too.
    const listed = (await (await fetch(`${emu.endpoint}/_emulator/dns-records`)).json()) as unknown[];
    assert.deepEqual(listed, emu.control.dnsRecords());
  });

  it("the control API switches style, zones and wwwParent, and refuses unknown values naming the field", async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    const post = (body: unknown) =>
      fetch(`${emu!.endpoint}/_emulator/lifecycle`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const ok = await post({ recordDomainStyle: "zone", zones: ["example.co.uk"] });
    assert.equal(ok.status, 200);
    const now = (await ok.json()) as { recordDomainStyle: string; zones: string[] };
    assert.equal(now.recordDomainStyle, "zone");
    assert.deepEqual(now.zones, ["example.co.uk"]);
    assert.equal(await recordDomainOf(api, "www.shop.example.co.uk"), "_dnsauth.www.shop");

    const bad = await post({ recordDomainStyle: "relative" });
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as { error: string }).error,
      /recordDomainStyle.*"name", "zone" or "fqdn"/,
    );
    const badParent = await post({ wwwParent: "yes" });
    assert.equal(badParent.status, 400);
    assert.match(((await badParent.json()) as { error: string }).error, /wwwParent/);
    const badOwnZone = await post({ sameAccountZones: ["../etc"] });
    assert.equal(badOwnZone.status, 400);
    assert.match(((await badOwnZone.json()) as { error: string }).error, /sameAccountZones.*"\.\.\/etc"/);
    const badZone = await post({ zones: ["../etc"] });
    assert.equal(badZone.status, 400);
    assert.match(((await badZone.json()) as { error: string }).error, /zones.*"\.\.\/etc"/);
    const unknown = await post({ recordDomainStlye: "fqdn" });
    assert.equal(unknown.status, 400, "a misspelled field is refused, not ignored");
    // Nothing changed by the refused patches.
    assert.equal(await recordDomainOf(api, "www.example.com"), "_dnsauth.www");
    assert.throws(
      () => emu!.control.setLifecycle({ recordDomainStyle: "full" as never }),
      /recordDomainStyle/,
    );
    await assert.rejects(startEmulator({ lifecycle: { zones: ["not a zone"] } }), /zones/);
  });

  it("the CLI takes --record-domain-style, --zone and --www-parent", async () => {
    proc = await startEmulatorProcess([
      "--validation",
      "manual",
      "--record-domain-style",
      "zone",
      "--zone",
      "example.co.uk",
    ]);
    const api = officialClient(proc.endpoint, proc.accessKeyId, proc.accessKeySecret);
    assert.equal(await recordDomainOf(api, "a.www.example.co.uk"), "_dnsauth.a.www");
    await proc.stop();
    proc = await startEmulatorProcess(["--validation", "manual", "--www-parent"]);
    const parent = officialClient(proc.endpoint, proc.accessKeyId, proc.accessKeySecret);
    assert.equal(await recordDomainOf(parent, "www.example.com"), "_dnsauth.example.com");
  });
});

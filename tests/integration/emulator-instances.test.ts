// The emulator's certificate-instance model (V2.0), driven over the wire by the client: the TEST
// pool, contacts, UpdateInstance refused while pending, DomainValidationList on a later read,
// issuance in dns mode, the asynchronous cancel under both settle guesses, revocation, the PEM.
import assert from "node:assert/strict";
import { CasApiError } from "../../provider/cas/errors";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/server";

describe("emulator: certificate instances", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let cas: CasClient;
  const start = async (opts: EmulatorOptions) => {
    await emu?.close();
    emu = await startEmulator(opts);
    cas = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
      rateLimits: false,
    });
  };
  after(() => emu?.close());

  const detail = (InstanceId: string) => cas.call("GetInstanceDetail", { InstanceId });
  const code = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => assert.fail("expected an error"),
      (x: unknown) => x,
    );
    assert.ok(e instanceof CasApiError, String(e));
    return e.code;
  };
  async function applied(domain: string, method: "DNS" | "HTTP" = "DNS"): Promise<string> {
    const list = await cas.call("ListInstances", { InstanceType: "TEST", Status: "inactive" });
    const id = list.InstanceList[0]!.InstanceId!;
    const contact = await cas.call("CreateContact", { Name: "Keller", Mobile: "13800001111" });
    await cas.call("UpdateInstance", {
      InstanceId: id,
      Domain: domain,
      ValidationMethod: method,
      ContactIdList: [contact.ContactId],
    });
    assert.deepEqual(Object.keys(await cas.call("ApplyCertificate", { InstanceId: id })), ["RequestId"]);
    return id;
  }

  it("an account starts with 20 inactive TEST instances by default; testInstances sets how many; BUY ones are added by control", async () => {
    await start({ lifecycle: { validation: "manual" } });
    const summary = await cas.call("GetInstanceSummary", { InstanceType: "TEST" });
    assert.equal(summary.InactiveCount, 20);
    assert.equal(summary.TotalCount, 20);
    await start({ testInstances: 3, lifecycle: { validation: "manual" } });
    assert.equal((await cas.call("GetInstanceSummary", {})).InactiveCount, 3);
    emu.control.addInstance({
      instanceType: "BUY",
      brand: "GeoTrust",
      certificateType: "OV",
      domainCount: 5,
    });
    const bought = await cas.call("ListInstances", { InstanceType: "BUY" });
    assert.equal(bought.TotalCount, 1);
    assert.equal(bought.InstanceList[0]!.Brand, "GeoTrust");
    assert.equal(bought.InstanceList[0]!.CertificateType, "OV");
    assert.equal((await cas.call("GetInstanceSummary", { InstanceType: "TEST" })).InactiveCount, 3);
  });

  it("contacts: Name and Mobile are required; found by keyword; read by id", async () => {
    await start({ lifecycle: { validation: "manual" } });
    assert.equal(await code(cas.call("CreateContact", { Name: "Keller", Mobile: "" })), "MissingParameter");
    const { ContactId } = await cas.call("CreateContact", {
      Name: "Keller",
      Mobile: "13800001111",
      Email: "ops@example.com",
    });
    const found = await cas.call("ListContact", { Keyword: "ops@example.com" });
    assert.deepEqual(
      found.ContactList.map((c) => c.ContactId),
      [ContactId],
    );
    assert.equal((await cas.call("ListContact", { Keyword: "nobody@example.com" })).TotalCount, 0);
    assert.equal((await cas.call("GetContact", { ContactId })).Mobile, "13800001111");
  });

  it("ApplyCertificate answers only a RequestId; DomainValidationList appears on a later read; UpdateInstance is refused while pending; dns mode issues on the published record", async () => {
    await start({ lifecycle: { validation: "dns", issueAfterMs: 0 } });
    const id = await applied("www.example.com");
    const first = await detail(id);
    assert.equal(first.Status, "pending");
    assert.equal(first.DomainValidationList, undefined);
    const second = await detail(id);
    assert.deepEqual(second.DomainValidationList, [
      {
        Domain: "www.example.com",
        RootDomain: "example.com",
        ValidationType: "TXT",
        ValidationKey: "_dnsauth.www",
        ValidationValue: second.DomainValidationList![0]!.ValidationValue,
      },
    ]);
    assert.equal(
      await code(cas.call("UpdateInstance", { InstanceId: id, Domain: "other.example.com" })),
      "InvalidStatus.UpdateProtection",
    );
    assert.equal((await detail(id)).Status, "pending", "not issued before the record is published");
    emu.control.publishDnsRecord({
      name: "_dnsauth.www.example.com",
      type: "TXT",
      value: second.DomainValidationList[0]!.ValidationValue!,
    });
    const issued = await detail(id);
    assert.equal(issued.Status, "normal");
    assert.equal(issued.CertificateStatus, "issued");
    assert.match(issued.CertificateId!, /^\d+$/);
    assert.equal(issued.CertIdentifier, `${issued.CertificateId}-cn-hangzhou`);
    assert.equal(issued.DomainValidationList, undefined);
    const pem = await cas.call("GetUserCertificateDetail", { CertId: issued.CertificateId! });
    assert.match(pem.Cert!, /BEGIN CERTIFICATE/);
    assert.match(pem.Key!, /PRIVATE KEY/);
    assert.equal(pem.InstanceId, id);
    assert.equal(pem.Common, "www.example.com");
    assert.equal((await cas.call("GetTaskAttribute", { TaskId: id })).TaskStatus, "success");
    assert.equal((await cas.call("GetInstanceSummary", {})).InactiveCount, 19);
  });

  for (const settle of ["inactive", "normal"] as const)
    it(`CancelPendingCertificate is asynchronous: pending on the next read, then ${settle} (cancelSettlesTo: "${settle}")`, async () => {
      await start({ lifecycle: { validation: "manual", cancelSettlesTo: settle } });
      const id = await applied("cancel.example.com");
      assert.deepEqual(Object.keys(await cas.call("CancelPendingCertificate", { InstanceId: id })), [
        "RequestId",
      ]);
      assert.equal((await detail(id)).Status, "pending");
      assert.equal((await detail(id)).Status, settle);
      assert.equal(
        await code(cas.call("CancelPendingCertificate", { InstanceId: id })),
        "OperationDenied.StatusNotSupport",
      );
    });

  it("HTTP validation names the file URL; RevokeCertificate refuses TEST instances by default and revokes a BUY one", async () => {
    await start({ lifecycle: { validation: "manual" } });
    const id = await applied("files.example.com", "HTTP");
    await detail(id);
    const [v] = (await detail(id)).DomainValidationList!;
    assert.equal(v!.ValidationType, "HTTP");
    assert.equal(v!.ValidationKey, "http://files.example.com/.well-known/pki-validation/fileauth.txt");
    await emu.control.issueInstance(id);
    assert.equal(
      await code(cas.call("RevokeCertificate", { InstanceId: id })),
      "OperationDenied.InstanceType",
    );
    const bought = emu.control.addInstance({ instanceType: "BUY" });
    const contact = await cas.call("CreateContact", { Name: "Keller", Mobile: "13800001111" });
    await cas.call("UpdateInstance", {
      InstanceId: bought.instanceId,
      Domain: "paid.example.com",
      ContactIdList: [contact.ContactId],
    });
    await cas.call("ApplyCertificate", { InstanceId: bought.instanceId });
    await emu.control.issueInstance(bought.instanceId);
    await cas.call("RevokeCertificate", { InstanceId: bought.instanceId });
    assert.equal((await detail(bought.instanceId)).CertificateStatus, "revoked");
  });

  it("reissue (control): a new certificate with a new id and key on an instance with AutoReissue; refused without it; AutoReissueCount counts them", async () => {
    await start({ testInstances: 2, lifecycle: { validation: "manual" } });
    const plain = await applied("plain.example.com");
    await emu.control.issueInstance(plain);
    await assert.rejects(emu.control.reissueInstance(plain), /AutoReissue/);
    const list = await cas.call("ListInstances", { InstanceType: "TEST", Status: "inactive" });
    const id = list.InstanceList[0]!.InstanceId!;
    const contact = await cas.call("CreateContact", { Name: "Keller", Mobile: "13800001111" });
    await cas.call("UpdateInstance", {
      InstanceId: id,
      Domain: "hosted.example.com",
      ContactIdList: [contact.ContactId],
      AutoReissue: "enable",
    });
    assert.equal((await cas.call("GetInstanceSummary", { InstanceType: "TEST" })).AutoReissueCount, 1);
    await cas.call("ApplyCertificate", { InstanceId: id });
    await assert.rejects(emu.control.reissueInstance(id), /not supported/);
    await emu.control.issueInstance(id);
    const first = await detail(id);
    const firstPem = await cas.call("GetUserCertificateDetail", { CertId: first.CertificateId! });
    await emu.control.reissueInstance(id);
    const second = await detail(id);
    assert.notEqual(second.CertificateId, first.CertificateId);
    assert.equal(second.CertIdentifier, `${second.CertificateId}-cn-hangzhou`);
    assert.deepEqual([second.Status, second.CertificateStatus], ["normal", "issued"]);
    const secondPem = await cas.call("GetUserCertificateDetail", { CertId: second.CertificateId! });
    assert.notEqual(secondPem.Cert, firstPem.Cert);
    assert.notEqual(secondPem.Key, firstPem.Key);
    assert.equal(secondPem.InstanceId, id);
  });

  it("tags set by UpdateInstance read back from GetInstanceDetail", async () => {
    await start({ lifecycle: { validation: "manual" } });
    const [i] = (await cas.call("ListInstances", { InstanceType: "TEST" })).InstanceList;
    await cas.call("UpdateInstance", {
      InstanceId: i!.InstanceId!,
      Tags: [{ TagKey: "pulumi-alicloud-cas:claim", TagValue: "stack-a/www" }],
    });
    assert.deepEqual((await detail(i!.InstanceId!)).Tags, [
      { TagKey: "pulumi-alicloud-cas:claim", TagValue: "stack-a/www" },
    ]);
    assert.equal((await detail(i!.InstanceId!)).Status, "inactive");
  });
});

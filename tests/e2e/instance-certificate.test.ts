import assert from "node:assert/strict";
import { InstanceCertificate } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

// InstanceCertificate under the real engine, against the emulator as a separate process (dns
// validation: the certificate is issued once its record is published): a TEST instance from the
// pool is issued through its DNS record and its ids reach the stack outputs (what a consumer or
// another stack takes); a second `up` changes nothing; two stacks on one pool hold different
// instances; destroy keeps an issued certificate and cancels a pending application (the instance is
// inactive again).
describe("InstanceCertificate under the real engine", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  const stacks: EngineStack[] = [];
  const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "dns", "--issue-after", "0", "--test-instances", "3"]);
  });
  after(async () => {
    for (const s of stacks) await s.dispose();
    await emu?.stop();
  });

  const stackFor = async (project: string, domain: string) => {
    const s = await emulatorStack(
      project,
      async () => {
        const cert = new InstanceCertificate("www", { instanceType: "TEST", domain, ...contact });
        return {
          instanceId: cert.instanceId,
          status: cert.status,
          record: cert.validationRecords.apply((r) => r[domain]),
          certificateId: cert.certificateId,
          certIdentifier: cert.certIdentifier,
        };
      },
      emu,
    );
    stacks.push(s);
    return s;
  };
  interface Inst {
    instanceId: string;
    status: string;
    certificate: { certId: string; revokedAt: number | null } | null;
  }
  const instance = async (id: string) =>
    ((await emu.control("GET", "instances")) as Inst[]).find((i) => i.instanceId === id)!;
  const inactive = async () =>
    ((await emu.control("GET", "instances")) as Inst[]).filter((i) => i.status === "inactive").length;

  it("issued through its DNS record, a quiet second up, two stacks on different instances, destroy keeps issued and cancels pending", async () => {
    const a = await stackFor("cas-inst-a", "www.example.com");
    const b = await stackFor("cas-inst-b", "api.example.com");
    const [upA, upB] = [await a.stack.up(), await b.stack.up()];
    const idA = upA.outputs.instanceId!.value as string;
    const idB = upB.outputs.instanceId!.value as string;
    assert.notEqual(idA, idB, "two stacks on one pool hold different instances");
    assert.equal(await inactive(), 1);
    assert.equal(upA.outputs.status!.value, "pending_validation");
    const record = upA.outputs.record!.value as {
      fqdn: string;
      type: string;
      value: string;
      rr: string;
      zone: string;
    };
    assert.deepEqual(
      [record.fqdn, record.rr, record.zone],
      ["_dnsauth.www.example.com", "_dnsauth.www", "example.com"],
    );

    // What an AlidnsRecord of these outputs publishes; CAS validates and issues on a later read.
    await emu.control("POST", "dns-records", { name: record.fqdn, type: record.type, value: record.value });
    const refreshed = await a.stack.refresh();
    assert.equal(refreshed.summary.result, "succeeded");
    const issued = await a.stack.up();
    assert.equal(issued.outputs.status!.value, "issued");
    const certificateId = issued.outputs.certificateId!.value as string;
    assert.match(certificateId, /^\d+$/);
    assert.equal(issued.outputs.certIdentifier!.value, `${certificateId}-cn-hangzhou`);
    assert.equal((await instance(idA)).certificate!.certId, certificateId);

    const again = await a.stack.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 2 });

    await a.stack.destroy();
    const kept = await instance(idA);
    assert.equal(kept.status, "normal");
    assert.equal(kept.certificate!.revokedAt, null, "an issued certificate is kept");
    await b.stack.destroy();
    assert.equal((await instance(idB)).status, "inactive", "the pending application was cancelled");
    assert.equal(await inactive(), 2);
  });
});

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { CertificateOrderValidation, InstanceCertificate } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack, plainOutputs } from "../support/engine";

// InstanceCertificate under the real engine, against the emulator as a separate process (dns
// validation: the certificate is issued once its record is published): a TEST instance from the
// pool is issued through its DNS record while CertificateOrderValidation (instanceId) waits in the
// same `up`, and its ids reach the stack outputs (what a listener takes); a second `up` changes nothing; two stacks on one pool hold different
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

  /** A stack with a TEST-pool certificate; `consumer`: a validation waits for it and its ids are the outputs a listener would take. */
  const stackFor = async (project: string, domain: string, consumer: boolean) => {
    const s = await emulatorStack(
      project,
      async () => {
        const cert = new InstanceCertificate("www", { instanceType: "TEST", domain, ...contact });
        const issued = consumer
          ? new CertificateOrderValidation("www", {
              instanceId: cert.instanceId,
              timeoutMinutes: 3,
              pollIntervalSeconds: 1,
              maxPollIntervalSeconds: 2,
            })
          : undefined;
        return {
          instanceId: cert.instanceId,
          status: cert.status,
          record: cert.validationRecords.apply((r) => r[domain]),
          ...(issued
            ? {
                certificateId: issued.certificateId,
                certIdentifier: issued.certIdentifier,
                certificatePem: issued.certificatePem,
              }
            : {}),
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

  it("issued through its DNS record and fed to a consumer in one up, a quiet second up, two stacks on different instances, destroy keeps issued and cancels pending", async () => {
    const a = await stackFor("cas-inst-a", "www.example.com", true);
    const b = await stackFor("cas-inst-b", "api.example.com", false);
    // The validation waits: publish the record (what an AlidnsRecord of the outputs does) as soon as CAS names it.
    const upA = a.stack.up();
    let published = false;
    while (!published) {
      const pending = ((await emu.control("GET", "instances")) as Inst[]).find((i) => i.status === "pending");
      const records = pending
        ? ((await emu.control("GET", `instances/${pending.instanceId}/expected-records`)) as Array<{
            name: string;
            type: string;
            value: string;
          }>)
        : [];
      if (records.length) {
        for (const r of records) await emu.control("POST", "dns-records", r);
        published = true;
      } else await new Promise((ok) => setTimeout(ok, 200));
    }
    const resultA = await upA;
    const idA = resultA.outputs.instanceId!.value as string;
    const record = resultA.outputs.record!.value as { fqdn: string; rr: string; zone: string };
    assert.deepEqual(
      [record.fqdn, record.rr, record.zone],
      ["_dnsauth.www.example.com", "_dnsauth.www", "example.com"],
    );
    const certificateId = resultA.outputs.certificateId!.value as string;
    assert.match(certificateId, /^\d+$/);
    assert.equal(resultA.outputs.certIdentifier!.value, `${certificateId}-cn-hangzhou`);
    assert.match(String(resultA.outputs.certificatePem!.value), /BEGIN CERTIFICATE/);
    assert.equal((await instance(idA)).certificate!.certId, certificateId);

    const again = await a.stack.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 3 });

    const upB = await b.stack.up();
    const idB = upB.outputs.instanceId!.value as string;
    assert.notEqual(idA, idB, "two stacks on one pool hold different instances");
    assert.equal(upB.outputs.status!.value, "pending_validation");
    assert.equal(await inactive(), 1);

    await a.stack.destroy();
    const kept = await instance(idA);
    assert.equal(kept.status, "normal");
    assert.equal(kept.certificate!.revokedAt, null, "an issued certificate is kept");
    await b.stack.destroy();
    assert.equal((await instance(idB)).status, "inactive", "the pending application was cancelled");
    assert.equal(await inactive(), 2);
  });
});

/**
 * A consumer of the certificate (what an ALB listener is): it takes `certIdentifier` and
 * `certificateId` and updates in place when they change. It uses only globals, so Pulumi
 * serializes it without this module.
 */
const listenerProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `listener-${String(inputs.certIdentifier)}`, outs: inputs };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
};
class TestListener extends pulumi.dynamic.Resource {
  declare readonly certIdentifier: pulumi.Output<string>;
  constructor(
    name: string,
    args: { certIdentifier: pulumi.Input<string>; certificateId: pulumi.Input<string> },
  ) {
    super(listenerProvider, name, args, undefined, "cas-test", "TestListener");
  }
}

describe("InstanceCertificate with autoReissue under the real engine: a refresh follows the reissued certificate", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;

  before(async () => {
    emu = await startEmulatorProcess([
      "--validation",
      "auto",
      "--validate-after",
      "0",
      "--issue-after",
      "0",
      "--test-instances",
      "1",
    ]);
    env = await emulatorStack(
      "cas-inst-reissue",
      async () => {
        const cert = new InstanceCertificate("www", {
          instanceType: "TEST",
          domain: "www.example.com",
          autoReissue: true,
          username: "Keller",
          phone: "13800001111",
          email: "ops@example.com",
        });
        const issued = new CertificateOrderValidation("www", {
          instanceId: cert.instanceId,
          timeoutMinutes: 3,
          pollIntervalSeconds: 1,
          maxPollIntervalSeconds: 2,
        });
        const listener = new TestListener("https", {
          certIdentifier: issued.certIdentifier,
          certificateId: issued.certificateId,
        });
        return {
          instanceId: cert.instanceId,
          instanceCertificateId: cert.certificateId,
          certificateId: issued.certificateId,
          serialNumber: issued.serialNumber,
          listenerInput: listener.certIdentifier,
        };
      },
      emu,
    );
  });
  after(async () => {
    await env?.stack.destroy();
    await env?.dispose();
    await emu?.stop();
  });

  it("issued, reissued by CAS on the instance, refreshed: the next up gives the consumer the new ids", async () => {
    const first = await env.stack.up();
    const out1 = plainOutputs(first.outputs);
    const id = out1.instanceId as string;
    const before = (
      (await emu.control("GET", "instances")) as Array<{
        instanceId: string;
        certificate: { certId: string } | null;
      }>
    ).find((i) => i.instanceId === id)!;
    assert.equal(out1.certificateId, before.certificate!.certId);
    assert.equal(out1.listenerInput, `${before.certificate!.certId}-cn-hangzhou`);

    const reissued = (await emu.control("POST", `instances/${id}/reissue`, {})) as {
      certificate: { certId: string };
    };
    const newId = reissued.certificate.certId;
    assert.notEqual(newId, before.certificate!.certId);

    const refreshed = await env.stack.refresh();
    assert.equal(refreshed.summary.result, "succeeded");
    const next = await env.stack.up();
    const out2 = plainOutputs(next.outputs);
    assert.equal(out2.instanceId, id, "the same instance");
    assert.equal(
      out2.instanceCertificateId,
      newId,
      "InstanceCertificate follows the instance's current certificate",
    );
    assert.equal(out2.certificateId, newId, "the validation follows it too");
    assert.notEqual(out2.serialNumber, out1.serialNumber, "its PEM is the new certificate's");
    assert.equal(out2.listenerInput, `${newId}-cn-hangzhou`, "the consumer takes the new certIdentifier");
    assert.deepEqual(next.summary.resourceChanges, { same: 3, update: 1 });

    // Refreshed again with nothing reissued: nothing changes.
    await env.stack.refresh();
    const quiet = await env.stack.up();
    assert.deepEqual(quiet.summary.resourceChanges, { same: 4 });
  });
});

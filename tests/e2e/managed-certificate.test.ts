import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ManagedCertificate, type ValidationDnsRecordArgs } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack, plainOutputs } from "../support/engine";

/**
 * A DNS-record stand-in for `alicloud.dns.AlidnsRecord`: it publishes the record to the emulator's
 * DNS (which validates orders in `--validation dns` mode), so the flow runs without the alicloud
 * plugin. It uses only globals, so Pulumi serializes it without this module.
 */
const emulatorDnsProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const name = inputs.rr === "@" ? inputs.domainName : `${inputs.rr}.${inputs.domainName}`;
    const res = await fetch(`${inputs.controlUrl}/dns-records`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, type: inputs.type, value: inputs.value }),
    });
    if (!res.ok) throw new Error(`publishing ${name}: HTTP ${res.status}`);
    return { id: `${name}|${inputs.value}`, outs: inputs };
  },
};

class EmulatorDnsRecord extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: ValidationDnsRecordArgs & { controlUrl: string },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(emulatorDnsProvider, name, args, opts, "cas-test", "EmulatorDnsRecord");
  }
}

describe("ManagedCertificate under the real engine, DNS records published to the emulator", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "dns", "--issue-after", "200", "--seed", "13"]);
    env = await emulatorStack(
      "cas-managed",
      async () => {
        const records: Array<{ name: string; args: ValidationDnsRecordArgs }> = [];
        const cert = new ManagedCertificate("site", {
          // Two single names under one registrable domain: CAS names one record, which proves both.
          domains: ["example.com", "www.example.com"],
          username: "Keller",
          phone: "13800001111",
          email: "ops@example.com",
          onDelete: "revoke",
          quotaCheck: "off",
          timeoutMinutes: 2,
          pollIntervalSeconds: 1,
          dnsRecord: (name, args, opts) => {
            records.push({ name, args });
            return new EmulatorDnsRecord(name, { ...args, controlUrl: `${emu.endpoint}/_emulator` }, opts);
          },
        });
        return {
          recordNames: records.map((r) => r.name),
          orderId: cert.order!.orderId,
          certificateId: cert.certificateId,
          certIdentifier: cert.certIdentifier,
          sans: cert.validation.sans,
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

  it("orders, publishes the one record CAS names for both names, waits, and exposes the certificate ids", async () => {
    const res = await env.stack.up();
    assert.equal(res.summary.result, "succeeded");
    const out = plainOutputs(res.outputs);
    assert.deepEqual(out.recordNames, ["site-validation-example.com"]);
    const [order] = (await emu.control("GET", "orders")) as Array<{
      orderId: string;
      state: string;
      certId: string;
      domains: string[];
    }>;
    assert.equal(order!.state, "certificate");
    assert.equal(out.orderId, order!.orderId);
    assert.equal(out.certificateId, order!.certId);
    assert.deepEqual(out.sans, ["example.com", "www.example.com"]);
    assert.equal(out.certIdentifier, `${order!.certId}-cn-hangzhou`);
    const again = await env.stack.preview();
    assert.deepEqual(again.changeSummary, { same: 5 });
  });
});

/**
 * A zone in Alibaba Cloud DNS of the order's account: CAS adds the validation record itself and
 * deletes conflicting TXT records there (the emulator's `--same-account-zone`). With
 * `publishRecords: false` the stack publishes nothing and the certificate is issued all the same;
 * in `dns` mode the emulator issues nothing that is not validated, so the order cannot pass
 * without CAS's own record.
 */
describe("ManagedCertificate with publishRecords: false in a zone CAS validates itself", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;

  before(async () => {
    emu = await startEmulatorProcess([
      "--validation",
      "dns",
      "--issue-after",
      "200",
      "--same-account-zone",
      "example.com",
      "--seed",
      "14",
    ]);
    env = await emulatorStack(
      "cas-managed-auto",
      async () => {
        const records: string[] = [];
        const cert = new ManagedCertificate("auto", {
          domain: "www.example.com",
          username: "Keller",
          phone: "13800001111",
          email: "ops@example.com",
          onDelete: "revoke",
          quotaCheck: "off",
          publishRecords: false,
          timeoutMinutes: 2,
          pollIntervalSeconds: 1,
          dnsRecord: (name, args, opts) => {
            records.push(name);
            return new EmulatorDnsRecord(name, { ...args, controlUrl: `${emu.endpoint}/_emulator` }, opts);
          },
        });
        return { recordNames: records, serial: cert.serialNumber };
      },
      emu,
    );
  });
  after(async () => {
    await env?.stack.destroy();
    await env?.dispose();
    await emu?.stop();
  });

  it("publishes no record, and the order is issued on the record CAS added", async () => {
    // A stale record at the name (a stack's, or an old order's): CAS deletes it.
    await emu.control("POST", "dns-records", {
      name: "_dnsauth.www.example.com",
      type: "TXT",
      value: "stale",
    });
    const res = await env.stack.up();
    assert.equal(res.summary.result, "succeeded");
    assert.deepEqual(res.outputs.recordNames!.value, []);
    assert.match(String(res.outputs.serial!.value), /^[0-9a-f]+$/);
    const [order] = (await emu.control("GET", "orders")) as Array<{ orderId: string; state: string }>;
    assert.equal(order!.state, "certificate");
    const expected = (await emu.control("GET", `orders/${order!.orderId}/expected-records`)) as Array<{
      name: string;
      value: string;
    }>;
    assert.deepEqual(await emu.control("GET", "dns-records"), [
      { name: "_dnsauth.www.example.com", type: "TXT", value: expected[0]!.value },
    ]);
  });
});

/**
 * The other source: `instance` applies the certificate on a TEST instance of the account's pool
 * (an InstanceCertificate inside the component), publishes the record CAS names for it after the
 * application, and waits on the instance. In `dns` mode the emulator issues only once exactly that
 * record is published.
 */
describe("ManagedCertificate on a certificate instance (instance: { instanceType: TEST })", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;

  before(async () => {
    emu = await startEmulatorProcess([
      "--validation",
      "dns",
      "--issue-after",
      "200",
      "--test-instances",
      "2",
      "--seed",
      "15",
    ]);
    env = await emulatorStack(
      "cas-managed-instance",
      async () => {
        const records: string[] = [];
        const cert = new ManagedCertificate("free", {
          instance: {
            instanceType: "TEST",
            domain: "www.example.com",
            username: "Keller",
            phone: "13800001111",
            email: "ops@example.com",
          },
          timeoutMinutes: 2,
          pollIntervalSeconds: 1,
          dnsRecord: (name, args, opts) => {
            records.push(name);
            return new EmulatorDnsRecord(name, { ...args, controlUrl: `${emu.endpoint}/_emulator` }, opts);
          },
        });
        return {
          recordNames: records,
          instanceId: cert.instance!.instanceId,
          certificateId: cert.certificateId,
          certIdentifier: cert.certIdentifier,
          sans: cert.validation.sans,
          key: cert.privateKeyPem,
        };
      },
      emu,
    );
  });
  after(async () => {
    await env?.dispose();
    await emu?.stop();
  });

  interface Inst {
    instanceId: string;
    status: string;
    certificate: { certId: string; revokedAt: number | null } | null;
  }

  it("applies on a pool instance, publishes its record, waits, exposes the ids; a second preview changes nothing; destroy keeps the issued certificate", async () => {
    const res = await env.stack.up();
    assert.equal(res.summary.result, "succeeded");
    const out = plainOutputs(res.outputs);
    assert.deepEqual(out.recordNames, ["free-validation-www.example.com"]);
    const held = ((await emu.control("GET", "instances")) as Inst[]).find(
      (i) => i.instanceId === out.instanceId,
    )!;
    assert.equal(held.status, "normal");
    assert.equal(out.certificateId, held.certificate!.certId);
    assert.equal(out.certIdentifier, `${held.certificate!.certId}-cn-hangzhou`);
    assert.deepEqual(out.sans, ["www.example.com"]);
    assert.match(String(out.key), /PRIVATE KEY/);
    const records = (await emu.control("GET", "dns-records")) as Array<{ name: string; type: string }>;
    assert.deepEqual(
      records.map((r) => [r.name, r.type]),
      [["_dnsauth.www.example.com", "TXT"]],
    );
    const again = await env.stack.preview();
    assert.deepEqual(again.changeSummary, { same: 5 });
    await env.stack.destroy();
    const kept = ((await emu.control("GET", "instances")) as Inst[]).find(
      (i) => i.instanceId === out.instanceId,
    )!;
    assert.equal(kept.status, "normal");
    assert.equal(kept.certificate!.revokedAt, null, "an issued certificate is kept");
  });
});

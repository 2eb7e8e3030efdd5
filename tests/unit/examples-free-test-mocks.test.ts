import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { outputValue } from "../support/output-value";

// The example needs the alicloud resource plugin, which cannot be installed offline: its program
// runs here under Pulumi's mocks, which check what each resource receives.
describe("examples/free-test-certificate under pulumi.runtime.setMocks", () => {
  type Created = { type: string; name: string; inputs: Record<string, unknown> };
  const created: Created[] = [];
  const project = "cas-free-test-certificate";

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          created.push({ type: args.type, name: args.name, inputs: args.inputs });
          if (args.type.endsWith(":InstanceCertificate"))
            return {
              id: "cas-cn-test0001",
              state: {
                ...args.inputs,
                instanceId: "cas-cn-test0001",
                status: "pending_validation",
                validationRecords: {
                  "www.example.com": {
                    domain: "www.example.com",
                    names: ["www.example.com"],
                    fqdn: "_dnsauth.www.example.com",
                    rr: "_dnsauth.www",
                    zone: "example.com",
                    type: "TXT",
                    value: "20261206test",
                    recordDomain: "_dnsauth.www",
                  },
                },
              },
            };
          if (args.type.endsWith(":CertificateOrderValidation"))
            return {
              id: "cas-cn-test0001-validation",
              state: {
                ...args.inputs,
                certificateId: "7000011",
                certIdentifier: "7000011-cn-hangzhou",
                notAfter: "2027-03-06T00:00:00.000Z",
              },
            };
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      project,
      "test",
      false,
    );
    pulumi.runtime.setConfig(`${project}:loadBalancerId`, "alb-abc123");
    pulumi.runtime.setConfig(`${project}:serverGroupId`, "sgp-def456");
  });

  const one = (type: string) => {
    const found = created.filter((r) => r.type === type);
    assert.equal(found.length, 1, `one ${type} in ${created.map((r) => r.type).join(", ")}`);
    return found[0]!;
  };

  it("takes a TEST instance, publishes its record, waits by instanceId and serves certIdentifier on the listener", async () => {
    const { freeTestCertificate } = await import("../../examples/free-test-certificate/program.js");
    const out = freeTestCertificate() as Record<string, pulumi.Output<unknown>>;
    assert.equal(await outputValue(out.certIdentifier!), "7000011-cn-hangzhou");
    assert.equal(await outputValue(out.instanceId!), "cas-cn-test0001");
    assert.equal(await outputValue(out.listenerId!), "https-id");
    const certificate = one("pulumi-nodejs:dynamic/alicloud-cas:InstanceCertificate");
    assert.deepEqual(
      [certificate.inputs.instanceType, certificate.inputs.domain, certificate.inputs.validationMethod],
      ["TEST", "www.example.com", "DNS"],
    );
    assert.deepEqual(one("alicloud:dns/alidnsRecord:AlidnsRecord").inputs, {
      domainName: "example.com",
      rr: "_dnsauth.www",
      type: "TXT",
      value: "20261206test",
      ttl: 600,
    });
    const waiter = one("pulumi-nodejs:dynamic/alicloud-cas:CertificateOrderValidation");
    assert.deepEqual(
      [waiter.inputs.instanceId, waiter.inputs.orderId, waiter.inputs.validationRecordFqdns],
      ["cas-cn-test0001", undefined, ["_dnsauth.www.example.com"]],
    );
    assert.deepEqual(
      (one("alicloud:alb/listener:Listener").inputs.certificates as Record<string, unknown>).certificateId,
      "7000011-cn-hangzhou",
    );
  });
});

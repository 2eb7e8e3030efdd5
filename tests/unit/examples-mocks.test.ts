import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

// The alidns example needs the alicloud resource plugin, which cannot be installed offline: its
// program runs here under Pulumi's mocks, which check the wiring (what each resource receives).
describe("examples/alidns under pulumi.runtime.setMocks", () => {
  const created: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];
  const record = {
    domain: "www.example.com",
    fqdn: "_dnsauth.www.example.com",
    rr: "_dnsauth.www",
    zone: "example.com",
    type: "TXT",
    value: "20261125abc",
  };

  before(() => {
    pulumi.runtime.setMocks(
      {
        newResource(args) {
          created.push({ type: args.type, name: args.name, inputs: args.inputs });
          if (args.type.endsWith(":CertificateOrder"))
            return {
              id: "12000001",
              state: {
                ...args.inputs,
                orderId: "12000001",
                status: "pending_validation",
                validationRecords: { "www.example.com": record },
              },
            };
          if (args.type.endsWith(":CertificateOrderValidation"))
            return {
              id: "12000001-validation",
              state: { ...args.inputs, certificatePem: "-----BEGIN CERTIFICATE-----" },
            };
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "cas-alidns",
      "test",
      false,
    );
  });

  const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

  it("feeds the order's validation record into an AlidnsRecord and waits on it", async () => {
    const { alidns } = await import("../../examples/alidns/program.js");
    const out = alidns() as Record<string, pulumi.Output<unknown>>;
    assert.equal(await value(out.certificatePem!), "-----BEGIN CERTIFICATE-----");
    assert.equal(await value(out.recordId!), "www-validation-id");
    const dns = created.find((r) => r.type === "alicloud:dns/alidnsRecord:AlidnsRecord")!;
    assert.deepEqual(dns.inputs, {
      domainName: "example.com",
      rr: "_dnsauth.www",
      type: "TXT",
      value: "20261125abc",
      ttl: 600,
    });
    const order = created.find((r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrder")!;
    assert.equal(order.inputs.domain, "www.example.com");
    assert.ok(
      typeof order.inputs.__provider === "string" && (order.inputs.__provider as string).length <= 2048,
    );
    const waiter = created.find(
      (r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrderValidation",
    )!;
    assert.deepEqual(
      [waiter.inputs.orderId, waiter.inputs.validationRecordFqdns],
      ["12000001", ["_dnsauth.www.example.com"]],
    );
  });
});

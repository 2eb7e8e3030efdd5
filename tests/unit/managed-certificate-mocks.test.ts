import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

// ManagedCertificate's default DNS records are real `alicloud.dns.AlidnsRecord`s; the alicloud
// plugin cannot be installed offline, so the component runs here under Pulumi's mocks.
describe("ManagedCertificate under pulumi.runtime.setMocks", () => {
  const created: Array<{ type: string; name: string; inputs: Record<string, unknown>; parent?: string }> = [];

  before(() => {
    pulumi.runtime.setMocks(
      {
        newResource(args) {
          created.push({ type: args.type, name: args.name, inputs: args.inputs });
          if (args.type.endsWith(":CertificateOrder")) {
            const rec = (domain: string) => ({
              domain,
              fqdn: `_dnsauth.${domain}`,
              rr: domain === "example.com" ? "_dnsauth" : "_dnsauth.www",
              zone: "example.com",
              type: "TXT",
              value: "20261126xyz",
            });
            return {
              id: "12000009",
              state: {
                ...args.inputs,
                orderId: "12000009",
                validationRecords: {
                  "example.com": rec("example.com"),
                  "www.example.com": rec("www.example.com"),
                },
              },
            };
          }
          if (args.type.endsWith(":CertificateOrderValidation"))
            return {
              id: "12000009-validation",
              state: { ...args.inputs, certificateId: "7000009", certIdentifier: "7000009-cn-hangzhou" },
            };
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "cas-managed",
      "test",
      false,
    );
  });

  const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

  it("publishes one AlidnsRecord per name, waits on them, and exposes the ids", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    const cert = new ManagedCertificate("site", { domains: ["example.com", "www.example.com"] });
    assert.equal(await value(cert.certIdentifier), "7000009-cn-hangzhou");
    assert.equal(await value(cert.certificateId), "7000009");
    const records = created.filter((r) => r.type === "alicloud:dns/alidnsRecord:AlidnsRecord");
    assert.deepEqual(
      records.map((r) => [r.name, r.inputs]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        [
          "site-validation-example.com",
          { domainName: "example.com", rr: "_dnsauth", type: "TXT", value: "20261126xyz", ttl: 600 },
        ],
        [
          "site-validation-www.example.com",
          { domainName: "example.com", rr: "_dnsauth.www", type: "TXT", value: "20261126xyz", ttl: 600 },
        ],
      ],
    );
    const order = created.find((r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrder")!;
    assert.equal(order.inputs.validateType, "DNS");
    const waiter = created.find(
      (r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrderValidation",
    )!;
    assert.deepEqual(
      [waiter.inputs.orderId, waiter.inputs.validationRecordFqdns],
      ["12000009", ["_dnsauth.example.com", "_dnsauth.www.example.com"]],
    );
    assert.ok(created.some((r) => r.type === "alicloud-cas:index:ManagedCertificate" && r.name === "site"));
  });

  it("names the fix when the names are only known at apply time", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    assert.throws(
      () => new ManagedCertificate("late", { domain: pulumi.output("late.example.com") }),
      /domain, domains or csr must be plain strings/,
    );
  });
});

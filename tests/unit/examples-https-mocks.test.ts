import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { outputValue } from "../support/output-value";

// The HTTPS examples need the alicloud resource plugin, which cannot be installed offline: their
// programs run here under Pulumi's mocks, which check exactly what each consumer receives.

type Created = { type: string; name: string; inputs: Record<string, unknown> };

/** Mocks answering as CAS would for an issued order of `domain`; records every resource. */
async function mockCas(project: string, domain: string, config: Record<string, string>): Promise<Created[]> {
  const created: Created[] = [];
  const fqdn = `_dnsauth.${domain}`;
  await pulumi.runtime.setMocks(
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
              validationRecords: {
                [domain]: {
                  domain,
                  fqdn,
                  rr: fqdn.replace(/\.example\.com$/, ""),
                  zone: "example.com",
                  type: "TXT",
                  value: "20261126abc",
                },
              },
            },
          };
        if (args.type.endsWith(":CertificateOrderValidation"))
          return {
            id: "12000001-validation",
            state: {
              ...args.inputs,
              certificateId: "7000001",
              certIdentifier: "7000001-cn-hangzhou",
              notAfter: "2027-02-24T00:00:00.000Z",
            },
          };
        return { id: `${args.name}-id`, state: { ...args.inputs, cname: `${args.name}.cdn.example` } };
      },
      call: () => ({}),
    },
    project,
    "test",
    false,
  );
  for (const [k, v] of Object.entries(config)) pulumi.runtime.setConfig(`${project}:${k}`, v);
  return created;
}

const byType = (created: Created[], type: string) => {
  const found = created.filter((r) => r.type === type);
  assert.equal(found.length, 1, `one ${type} in ${created.map((r) => r.type).join(", ")}`);
  return found[0]!;
};

describe("examples/alb-https under pulumi.runtime.setMocks", () => {
  it("gives alb.Listener the validation's certIdentifier as certificates.certificateId", async () => {
    const created = await mockCas("cas-alb-https", "www.example.com", {
      loadBalancerId: "alb-abc123",
      serverGroupId: "sgp-def456",
    });
    const { albHttps } = await import("../../examples/alb-https/program.js");
    const out = albHttps() as Record<string, pulumi.Output<unknown>>;
    assert.equal(await outputValue(out.certIdentifier!), "7000001-cn-hangzhou");
    assert.equal(await outputValue(out.listenerId!), "https-id");
    assert.deepEqual(byType(created, "alicloud:alb/listener:Listener").inputs, {
      loadBalancerId: "alb-abc123",
      listenerProtocol: "HTTPS",
      listenerPort: 443,
      certificates: { certificateId: "7000001-cn-hangzhou" },
      defaultActions: [
        {
          type: "ForwardGroup",
          forwardGroupConfig: { serverGroupTuples: [{ serverGroupId: "sgp-def456" }] },
        },
      ],
    });
    assert.deepEqual(byType(created, "alicloud:dns/alidnsRecord:AlidnsRecord").inputs, {
      domainName: "example.com",
      rr: "_dnsauth.www",
      type: "TXT",
      value: "20261126abc",
      ttl: 600,
    });
    const order = byType(created, "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrder");
    assert.deepEqual([order.inputs.domain, order.inputs.renewBeforeDays], ["www.example.com", 30]);
    const waiter = byType(created, "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrderValidation");
    assert.deepEqual(
      [waiter.inputs.orderId, waiter.inputs.validationRecordFqdns],
      ["12000001", ["_dnsauth.www.example.com"]],
    );
  });
});

describe("examples/cdn-https under pulumi.runtime.setMocks", () => {
  it("gives cdn.DomainNew the bare certificate id with certType cas", async () => {
    const created = await mockCas("cas-cdn-https", "cdn.example.com", { origin: "origin.example.com" });
    const { cdnHttps } = await import("../../examples/cdn-https/program.js");
    const out = cdnHttps() as Record<string, pulumi.Output<unknown>>;
    assert.equal(await outputValue(out.certificateId!), "7000001");
    assert.equal(await outputValue(out.cname!), "cdn.cdn.example");
    assert.deepEqual(byType(created, "alicloud:cdn/domainNew:DomainNew").inputs, {
      domainName: "cdn.example.com",
      cdnType: "web",
      scope: "domestic",
      sources: [{ type: "domain", content: "origin.example.com", port: 443, priority: 20, weight: 10 }],
      certificateConfig: {
        certType: "cas",
        certId: "7000001",
        certRegion: "cn-hangzhou",
        serverCertificateStatus: "on",
      },
    });
    assert.deepEqual(byType(created, "alicloud:dns/alidnsRecord:AlidnsRecord").inputs, {
      domainName: "example.com",
      rr: "_dnsauth.cdn",
      type: "TXT",
      value: "20261126abc",
      ttl: 600,
    });
  });
});

describe("examples with a domain in config written in mixed case", () => {
  // The order normalizes names, so its records are keyed by "case2.example.com": the examples look
  // them up with validationRecordFor(domain), not validationRecords[domain].
  it("alb-https and cdn-https still get the record for Case2.Example.com", async () => {
    for (const [project, run] of [
      ["cas-alb-https", async () => (await import("../../examples/alb-https/program.js")).albHttps()],
      ["cas-cdn-https", async () => (await import("../../examples/cdn-https/program.js")).cdnHttps()],
    ] as const) {
      const created = await mockCas(project, "case2.example.com", {
        domain: "Case2.Example.com",
        loadBalancerId: "alb-abc123",
        serverGroupId: "sgp-def456",
        origin: "origin.example.com",
      });
      const out = (await run()) as Record<string, pulumi.Output<unknown>>;
      assert.equal(await outputValue(out.certificateId!), "7000001");
      assert.deepEqual(byType(created, "alicloud:dns/alidnsRecord:AlidnsRecord").inputs, {
        domainName: "example.com",
        rr: "_dnsauth.case2",
        type: "TXT",
        value: "20261126abc",
        ttl: 600,
      });
    }
  });
});

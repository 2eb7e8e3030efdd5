import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { dnsRecordsFor, recordFor } from "../../provider/order/outputs";
import { expectUnhandledRejections } from "../support/expected-rejections";
import { outputValue } from "../support/output-value";

// ManagedCertificate's default DNS records are real `alicloud.dns.AlidnsRecord`s; the alicloud
// plugin cannot be installed offline, so the component runs here under Pulumi's mocks.
describe("ManagedCertificate under pulumi.runtime.setMocks", () => {
  const created: Array<{ type: string; name: string; inputs: Record<string, unknown>; parent?: string }> = [];

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          created.push({ type: args.type, name: args.name, inputs: args.inputs });
          if (args.type.endsWith(":CertificateOrder")) {
            // What the provider would output when CAS answers a full name for the first name.
            const domains = (args.inputs.domains as string[] | undefined) ?? [String(args.inputs.domain)];
            // A name CAS validated before the order's first read (a zone it validates itself): no records.
            // An order placed with example.com first, whose program now lists www.example.org first.
            const first = domains.includes("www.moved.example.org") ? "example.com" : domains[0];
            const records = domains.includes("ready.example.com")
              ? []
              : dnsRecordsFor(domains, `_dnsauth.${first}`, "TXT", "20261126xyz");
            return {
              id: "12000009",
              state: {
                ...args.inputs,
                orderId: "12000009",
                validationRecords: Object.fromEntries(
                  domains.flatMap((d) => (recordFor(records, d) ? [[d, recordFor(records, d)]] : [])),
                ),
              },
            };
          }
          if (args.type.endsWith(":InstanceCertificate")) {
            // What the provider outputs after create: one record per name, ValidationKey relative to RootDomain.
            // The provider keys them by the applied names, in lower case.
            const domains = (
              (args.inputs.domains as string[] | undefined) ?? [String(args.inputs.domain)]
            ).map((d) => d.toLowerCase());
            const record = (d: string) => {
              const base = d.replace(/^\*\./, "");
              return {
                domain: d,
                names: [d],
                fqdn: `_dnsauth.${base}`,
                rr: base === "example.com" ? "_dnsauth" : `_dnsauth.${base.slice(0, -".example.com".length)}`,
                zone: "example.com",
                type: "TXT",
                value: "20261206inst",
                recordDomain:
                  base === "example.com" ? "_dnsauth" : `_dnsauth.${base.slice(0, -".example.com".length)}`,
              };
            };
            return {
              id: "cas-cn-test000001",
              state: {
                ...args.inputs,
                instanceId: "cas-cn-test000001",
                status: "pending_validation",
                validationRecords: Object.fromEntries(domains.map((d) => [d, record(d)])),
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

  const recordsOf = (parent: string) =>
    created
      .filter((r) => r.type === "alicloud:dns/alidnsRecord:AlidnsRecord" && r.name.startsWith(`${parent}-`))
      .map((r) => [r.name, r.inputs]);
  const waiterOf = (name: string) =>
    created.find(
      (r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrderValidation" && r.name === name,
    )!;

  it("publishes one AlidnsRecord per record (names under one registrable domain share it), waits on them, and exposes the ids", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    const cert = new ManagedCertificate("site", { domains: ["example.com", "www.example.com"] });
    assert.equal(await outputValue(cert.certIdentifier), "7000009-cn-hangzhou");
    assert.equal(await outputValue(cert.certificateId), "7000009");
    assert.deepEqual(recordsOf("site"), [
      [
        "site-validation-example.com",
        { domainName: "example.com", rr: "_dnsauth", type: "TXT", value: "20261126xyz", ttl: 600 },
      ],
    ]);
    assert.equal(cert.dnsRecords.length, 1);
    const order = created.find((r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrder")!;
    assert.equal(order.inputs.validateType, "DNS");
    const waiter = waiterOf("site");
    assert.deepEqual(
      [waiter.inputs.orderId, waiter.inputs.validationRecordFqdns],
      ["12000009", ["_dnsauth.example.com"]],
    );
    assert.ok(created.some((r) => r.type === "alicloud-cas:index:ManagedCertificate" && r.name === "site"));
  });

  it("names under two registrable domains: one record each", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    const cert = new ManagedCertificate("two", { domains: ["www.example.com", "www.example.org"] });
    await outputValue(cert.certificateId);
    assert.deepEqual(recordsOf("two"), [
      [
        "two-validation-www.example.com",
        { domainName: "example.com", rr: "_dnsauth.www", type: "TXT", value: "20261126xyz", ttl: 600 },
      ],
      [
        "two-validation-www.example.org",
        { domainName: "example.org", rr: "_dnsauth.www", type: "TXT", value: "20261126xyz", ttl: 600 },
      ],
    ]);
    assert.deepEqual(waiterOf("two").inputs.validationRecordFqdns, [
      "_dnsauth.www.example.com",
      "_dnsauth.www.example.org",
    ]);
  });

  it("publishRecords: false publishes no record (CAS validates the zone itself) and still names the records to the waiter", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    const cert = new ManagedCertificate("auto", { domains: ["www.example.com"], publishRecords: false });
    assert.equal(await outputValue(cert.certificateId), "7000009");
    assert.deepEqual(cert.dnsRecords, []);
    assert.deepEqual(recordsOf("auto"), []);
    assert.deepEqual(waiterOf("auto").inputs.validationRecordFqdns, ["_dnsauth.www.example.com"]);
  });

  it("an order CAS validated before its first read: the waiter gets no record names, not undefined ones", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    const warn = pulumi.log.warn;
    pulumi.log.warn = () => Promise.resolve();
    try {
      const cert = new ManagedCertificate("ready", { domain: "ready.example.com", publishRecords: false });
      assert.equal(await outputValue(cert.certificateId), "7000009");
    } finally {
      pulumi.log.warn = warn;
    }
    assert.deepEqual(waiterOf("ready").inputs.validationRecordFqdns, []);
  });

  /** The record values a factory received, settled: a value or the error that stopped it. */
  const settled = (values: pulumi.Input<string>[]) =>
    Promise.allSettled(
      values.map((v) => (pulumi.output(v) as unknown as { promise(): Promise<string> }).promise()),
    );

  it("an order placed with another first name: no record is published twice, and the error says to put that name first", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    // Under mocks the failed apply's rejection reaches no runtime (a program run reports it as its error).
    expectUnhandledRejections(/^ManagedCertificate moved: /);
    const values: pulumi.Input<string>[] = [];
    new ManagedCertificate("moved", {
      domains: ["www.moved.example.org", "example.com", "www.example.com"],
      dnsRecord: (n, args) => {
        values.push(args.value);
        return new pulumi.ComponentResource("test:index:Record", n, {});
      },
    });
    const results = await settled(values);
    assert.equal(results.length, 3);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.match(
        String(r.reason),
        /ManagedCertificate moved: example\.com and www\.example\.com share one validation record \(_dnsauth\.example\.com\).*Put the order's first name first in domains again/,
      );
    }
  });

  it("publishRecords left on for an order CAS validated itself: the records fail naming publishRecords: false", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    expectUnhandledRejections(/^ManagedCertificate ready-published: /);
    const values: pulumi.Input<string>[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = () => Promise.resolve();
    try {
      new ManagedCertificate("ready-published", {
        domain: "ready.example.com",
        dnsRecord: (n, args) => {
          values.push(args.value);
          return new pulumi.ComponentResource("test:index:Record", n, {});
        },
      });
      const [result] = await settled(values);
      assert.equal(result?.status, "rejected");
      assert.match(
        String(result.reason),
        /the order has no validation record for ready\.example\.com .*set publishRecords: false/,
      );
    } finally {
      pulumi.log.warn = warn;
    }
  });

  it("instance: an application on a certificate instance (DNS), one record per name (a wildcard with its base share one), the waiter on its instanceId", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    const cert = new ManagedCertificate("inst", {
      instance: {
        instanceId: "cas-cn-bought0001",
        domains: ["WWW.example.com", "*.example.com", "example.com"],
        username: "Keller",
        phone: "13800001111",
      },
    });
    assert.equal(await outputValue(cert.certIdentifier), "7000009-cn-hangzhou");
    assert.equal(cert.order, undefined);
    assert.equal(await outputValue(cert.instance!.instanceId), "cas-cn-test000001");
    const applied = created.find(
      (r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:InstanceCertificate" && r.name === "inst",
    )!;
    assert.equal(applied.inputs.validationMethod, "DNS");
    assert.equal(applied.inputs.instanceId, "cas-cn-bought0001");
    assert.deepEqual(recordsOf("inst"), [
      [
        "inst-validation-www.example.com",
        { domainName: "example.com", rr: "_dnsauth.www", type: "TXT", value: "20261206inst", ttl: 600 },
      ],
      [
        "inst-validation-example.com",
        { domainName: "example.com", rr: "_dnsauth", type: "TXT", value: "20261206inst", ttl: 600 },
      ],
    ]);
    const waiter = waiterOf("inst");
    assert.deepEqual(
      [waiter.inputs.instanceId, waiter.inputs.orderId, waiter.inputs.validationRecordFqdns],
      ["cas-cn-test000001", undefined, ["_dnsauth.www.example.com", "_dnsauth.example.com"]],
    );
    assert.equal(
      created.filter(
        (r) => r.type === "pulumi-nodejs:dynamic/alicloud-cas:CertificateOrder" && r.name === "inst",
      ).length,
      0,
    );
  });

  it("instance: order inputs beside it, HTTP validation, or names known only at apply fail naming the fix", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    assert.throws(
      () =>
        new ManagedCertificate("mixed", {
          instance: { instanceType: "TEST", domain: "www.example.com" },
          productCode: "digicert-free-1-free",
          domain: "www.example.com",
        } as never),
      /ManagedCertificate mixed: productCode, domain are given beside instance; .*go inside instance: \{ … \}/,
    );
    assert.throws(
      () =>
        new ManagedCertificate("http", {
          instance: { instanceType: "TEST", domain: "www.example.com", validationMethod: "HTTP" } as never,
        }),
      /ManagedCertificate http: instance\.validationMethod: ManagedCertificate publishes DNS records/,
    );
    assert.throws(
      () =>
        new ManagedCertificate("late-inst", {
          instance: { instanceType: "TEST", domain: pulumi.output("late.example.com") },
        }),
      /ManagedCertificate late-inst: instance\.domain, domains or csr must be plain strings .*use InstanceCertificate/,
    );
  });

  it("names the fix when the names are only known at apply time", async () => {
    const { ManagedCertificate } = await import("pulumi-alicloud-cas");
    assert.throws(
      () => new ManagedCertificate("late", { domain: pulumi.output("late.example.com") }),
      /domain, domains or csr must be plain strings/,
    );
  });
});

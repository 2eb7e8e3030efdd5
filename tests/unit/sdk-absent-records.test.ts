import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

// Programs whose order has no DNS record (FILE validation, an adopted issued order, mock state
// without records) must run clean: no output may throw.
describe("CertificateOrder outputs when there is no DNS validation record (pulumi.runtime.setMocks)", () => {
  const states: Record<string, Record<string, unknown>> = {
    file: {
      orderId: "12000001",
      status: "pending_validation",
      validation: { method: "FILE", files: [] },
      validationRecords: {},
    },
    issued: { orderId: "12000002", status: "issued", validationRecords: {}, certificatePem: "PEM" },
    bare: { orderId: "12000003" }, // what a unit test's mock usually returns
    dns: {
      orderId: "12000004",
      status: "pending_validation",
      validationRecords: {
        "dns.example.com": {
          fqdn: "_dnsauth.dns.example.com",
          rr: "_dnsauth.dns",
          zone: "example.com",
          type: "TXT",
          value: "v",
        },
      },
    },
  };
  // What the SDK warns (pulumi.log.warn prints to stderr when no engine is attached, as under mocks).
  const warnings: string[] = [];
  const warn = pulumi.log.warn;
  after(() => {
    pulumi.log.warn = warn;
  });
  before(async () => {
    pulumi.log.warn = (message: string) => {
      warnings.push(message);
      return Promise.resolve();
    };
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...states[args.name] } }),
        call: () => ({}),
      },
      "cas-absent",
      "test",
      false,
    );
  });

  const value = <T>(o: pulumi.Output<T>) =>
    new Promise<T>((resolve, reject) => {
      o.apply(resolve);
      // A throwing apply rejects the output's promise; surface it here instead of as an unhandled rejection.
      (o as unknown as { promise(): Promise<T> }).promise().catch(reject);
    });

  for (const name of ["file", "issued", "bare"])
    it(`${name}: every per-name record field resolves to undefined instead of throwing`, async () => {
      const { CertificateOrder } = await import("../../sdk/index.js");
      const order = new CertificateOrder(name, {
        domain: `${name}.example.com`,
        validateType: name === "file" ? "FILE" : "DNS",
        adoptOrderId: name === "issued" ? "12000002" : undefined,
      });
      const rec = order.validationRecords[`${name}.example.com`]!;
      assert.ok(rec, "the keys are known from the inputs");
      for (const k of ["fqdn", "rr", "zone", "type", "value"] as const)
        assert.equal(await value(rec[k]), undefined);
      assert.equal(await value(order.validationRecordFor(`${name}.example.com`).value), undefined);
      assert.equal(await value(order.validationRecordFor(`${name}.example.com`).fqdn), undefined);
      assert.equal(await value(order.orderId), states[name]!.orderId);
      // Ten fields read through three accessors: one warning for the name, none without state.
      const mine = warnings.filter((w) => w.includes(`no DNS validation record for ${name}.example.com`));
      assert.equal(mine.length, name === "bare" ? 0 : 1, warnings.join("\n"));
    });

  it("a name the order does not have: undefined fields, and one warning naming the order's names", async () => {
    const { CertificateOrder } = await import("../../sdk/index.js");
    const order = new CertificateOrder("dns", { domain: "dns.example.com" });
    assert.equal(await value(order.validationRecordFor("dns.example.com").rr), "_dnsauth.dns");
    const typo = order.validationRecordFor("dsn.example.com");
    assert.equal(await value(typo.value), undefined);
    assert.equal(await value(typo.fqdn), undefined);
    const mine = warnings.filter((w) => w.includes("dsn.example.com"));
    assert.deepEqual(mine, [
      `no DNS validation record for "dsn.example.com": it is not one of this order's names (dns.example.com); its validationRecords fields are undefined`,
    ]);
  });
});

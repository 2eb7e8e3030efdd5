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
  };
  // What the SDK warns (pulumi.log.warn prints to stderr when no engine is attached, as under mocks).
  const warnings: string[] = [];
  const warn = pulumi.log.warn;
  after(() => {
    pulumi.log.warn = warn;
  });
  before(() => {
    pulumi.log.warn = (message: string) => {
      warnings.push(message);
      return Promise.resolve();
    };
    pulumi.runtime.setMocks(
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

  for (const name of Object.keys(states))
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
});

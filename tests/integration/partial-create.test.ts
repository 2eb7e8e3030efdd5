import assert from "node:assert/strict";
import { json, scriptedServer } from "../support/scripted-server";
import { provider, configureProvider } from "../support/in-process-provider";
import { stsFor } from "../support/sts";

describe("a create whose order exists but cannot be read back", () => {
  it("is a partial failure whose state keeps the order id, the checked inputs and the serialized provider", async () => {
    const srv = await scriptedServer([
      json(200, { RequestId: "R1", OrderId: "12000009" }),
      json(400, { RequestId: "R2", Code: "InvalidParameter", Message: "no" }),
    ]);
    const keys = { "alicloud:accessKey": "ak", "alicloud:secretKey": "sk" };
    const sts = await stsFor(keys);
    const config: Record<string, string> = {
      ...keys,
      "alicloud:endpoints": JSON.stringify([{ cas: srv.endpoint }, { sts: sts.endpoint }]),
    };
    try {
      await configureProvider(config);
      const inputs = {
        domain: "partial.example.com",
        productCode: "digicert-free-1-free",
        validateType: "DNS",
        username: "Keller",
        phone: "13800001111",
        email: "ops@example.com",
        onDelete: "cancel",
        quotaCheck: "warn",
      };
      await assert.rejects(
        provider.create({ ...inputs, __provider: "serialized-stub" }),
        (e: Error & { id?: string; properties?: Record<string, unknown> }) => {
          assert.equal(e.id, "12000009");
          assert.match(e.message, /order 12000009 was placed but reading it back failed/);
          // Pulumi's host adds __provider to a create's outputs, not to a partial failure's state.
          assert.equal(e.properties?.__provider, "serialized-stub");
          assert.equal(e.properties?.orderId, "12000009");
          assert.deepEqual(e.properties?.domains, ["partial.example.com"]);
          for (const [k, v] of Object.entries(inputs)) assert.equal(e.properties?.[k], v, k);
          return true;
        },
      );
      assert.deepEqual(srv.requests.slice(0, 2), ["CreateCertificateRequest", "DescribeCertificateState"]);
    } finally {
      await srv.close();
      await sts.close();
    }
  });
});

import assert from "node:assert/strict";
import { createProviders } from "../../provider/hosted";

const provider = createProviders().validation;

describe("CertificateOrderValidation diff: validationRecordFqdns as a set", () => {
  const olds = {
    orderId: "12000001",
    validationRecordFqdns: ["_dnsauth.www.example.com", "_dnsauth.api.example.com"],
    certificatePem: "-----BEGIN CERTIFICATE-----",
    certificateId: "7000001",
  };
  const news = (fqdns: string[]) => ({ orderId: "12000001", validationRecordFqdns: fqdns });

  it("no change: the same record names in another order (ManagedCertificate with reordered domains)", async () => {
    const d = await provider.diff(
      "12000001-validation",
      olds,
      news(["_dnsauth.api.example.com", "_dnsauth.www.example.com"]),
    );
    assert.deepEqual([d.changes, d.replaces], [false, []]);
  });
  it("update in place: a record name more or less", async () => {
    for (const fqdns of [
      ["_dnsauth.www.example.com"],
      [...olds.validationRecordFqdns, "_dnsauth.example.com"],
    ]) {
      const d = await provider.diff("12000001-validation", olds, news(fqdns));
      assert.deepEqual([d.changes, d.replaces], [true, []], fqdns.join());
    }
  });
});

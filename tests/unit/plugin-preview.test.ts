import assert from "node:assert/strict";
import { UNKNOWN } from "../../provider/order/inputs";
import { previewOfUpdate } from "../../provider/plugin/preview";

const records = {
  "www.example.com": { fqdn: "_dnsauth.www.example.com", zone: "example.com", rr: "_dnsauth.www" },
};

describe("the plugin's preview of an update (pure logic)", () => {
  const order = {
    orderId: "12000001",
    action: "CreateCertificateRequest",
    status: "issued",
    validationRecords: records,
  };

  it("an order keeps its id, action and records; its status and certificate are left unknown", () => {
    assert.deepEqual(previewOfUpdate("order", order, { domain: "www.example.com", email: "b@example.com" }), {
      orderId: "12000001",
      action: "CreateCertificateRequest",
      validationRecords: records,
    });
  });

  it("a dnsZone change, records not read yet, or an order still being resolved: the records are unknown", () => {
    assert.deepEqual(previewOfUpdate("order", { ...order, dnsZone: null }, { dnsZone: "www.example.com" }), {
      orderId: "12000001",
      action: "CreateCertificateRequest",
    });
    assert.deepEqual(previewOfUpdate("instance", { instanceId: "cas-1", validationRecords: {} }, {}), {
      instanceId: "cas-1",
    });
    assert.deepEqual(previewOfUpdate("order", { ...order, pendingCreate: { at: 1 } }, {}), {});
  });

  it("an input unknown until the up keeps nothing: the diff could not tell an update from a replacement", () => {
    assert.deepEqual(
      previewOfUpdate("instance", { instanceId: "cas-1", validationRecords: records }, { domain: UNKNOWN }),
      {},
    );
    assert.deepEqual(previewOfUpdate("order", order, { tags: { team: UNKNOWN } }), {});
    assert.deepEqual(
      previewOfUpdate("validation", { certificateId: "1", certificatePem: "x" }, { timeoutMinutes: UNKNOWN }),
      {},
    );
  });

  it("a validation keeps its certificate, without its wait settings or the id it may still fill", () => {
    const held = {
      orderId: "12000001",
      certificateId: "7",
      certIdentifier: "7-cn-hangzhou",
      certificatePem: "PEM",
    };
    assert.deepEqual(
      previewOfUpdate(
        "validation",
        { ...held, timeoutMinutes: 5, dnsPrecheck: { resolvers: [] } },
        { timeoutMinutes: 10, dnsPrecheck: true },
      ),
      held,
    );
    assert.deepEqual(previewOfUpdate("validation", { ...held, certificateId: null }, {}), {
      orderId: "12000001",
      certificatePem: "PEM",
    });
  });
});

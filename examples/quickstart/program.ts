import * as pulumi from "@pulumi/pulumi";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";
import { localCsr } from "./csr";

/**
 * The quickstart: a locally made key and CSR → a CertificateOrder → its DNS validation record as
 * stack outputs → (once the record is published) a CertificateOrderValidation that waits for the
 * certificate.
 *
 * Config: `domain` (default www.example.com), `keyDir` (default .keys), `waitForIssuance`
 * (default true), and the contact `username` / `phone` / `email`.
 */
export async function quickstart(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const domain = config.get("domain") ?? "www.example.com";
  const { csrPem, keyPath } = await localCsr(config.get("keyDir") ?? ".keys", domain);

  const order = new CertificateOrder("www", {
    csr: csrPem,
    productCode: "digicert-free-1-free",
    validateType: "DNS",
    username: config.get("username") ?? "Keller",
    phone: config.get("phone") ?? "13800001111",
    email: config.get("email") ?? "ops@example.com",
  });
  // Known at preview: the name is a plain string. validationRecordFor normalizes it (lower case,
  // no trailing dot) as the order does; validationRecords is keyed by the normalized name.
  const record = order.validationRecordFor(domain);

  const outputs: Record<string, unknown> = {
    orderId: order.orderId,
    // As of the order's last read (here: when it was placed); once the program waits, the
    // validation resource below says more.
    status: order.status,
    validationRecord: {
      name: record.fqdn,
      zone: record.zone,
      rr: record.rr,
      type: record.type,
      value: record.value,
    },
    keyPath,
  };
  if (config.getBoolean("waitForIssuance") ?? true) {
    const issued = new CertificateOrderValidation("www", {
      orderId: order.orderId,
      validationRecordFqdns: [record.fqdn],
      timeoutMinutes: 10,
      pollIntervalSeconds: 1,
      maxPollIntervalSeconds: 5,
    });
    Object.assign(outputs, {
      // CertificateOrder.status is not read again in the `up` that waits; the validation's is
      // current (it exists only once CAS has issued), so status and certificate come from it.
      status: issued.status,
      certificatePem: issued.certificatePem,
      serialNumber: issued.serialNumber,
      notAfter: issued.notAfter,
      fingerprintSha256: issued.fingerprintSha256,
    });
  }
  return outputs;
}

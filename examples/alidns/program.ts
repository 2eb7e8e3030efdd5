import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";

/**
 * The full flow in a real account: a CertificateOrder by domain (CAS makes the key), its DNS
 * validation record in Alibaba Cloud DNS, and a CertificateOrderValidation that waits for the
 * certificate once the record exists.
 *
 * Config: `domain` (default www.example.com), `zone` (default: the domain's registrable domain, by
 * the Public Suffix List), contact `username` / `phone` / `email`.
 */
export function alidns(): Record<string, unknown> {
  const config = new pulumi.Config();
  const domain = config.get("domain") ?? "www.example.com";
  const order = new CertificateOrder("www", {
    domain,
    dnsZone: config.get("zone"),
    username: config.get("username") ?? "Keller",
    phone: config.get("phone") ?? "13800001111",
    email: config.get("email") ?? "ops@example.com",
  });
  const rec = order.validationRecordFor(domain);
  const record = new alicloud.dns.AlidnsRecord("www-validation", {
    domainName: rec.zone,
    rr: rec.rr,
    type: rec.type,
    value: rec.value,
    ttl: 600,
  });
  const issued = new CertificateOrderValidation("www", {
    orderId: order.orderId,
    validationRecordFqdns: [pulumi.interpolate`${record.rr}.${record.domainName}`],
    timeoutMinutes: 60,
  });
  return {
    orderId: order.orderId,
    recordId: record.id,
    certificatePem: issued.certificatePem,
    privateKeyPem: issued.privateKeyPem,
  };
}

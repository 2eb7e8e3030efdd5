import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { CertificateOrderValidation, InstanceCertificate } from "pulumi-alicloud-cas";

/**
 * A free test certificate, for accounts without a resource plan: an `InstanceCertificate` on one of
 * the account's inactive TEST instances (the free "personal test" certificates: one name, three
 * months; they appear in the account after the free "purchase" in the CAS console), its DNS
 * validation record in Alibaba Cloud DNS, a `CertificateOrderValidation` that waits for issuance by
 * `instanceId`, and an `alb.Listener` taking the certificate by `certIdentifier`.
 *
 * The record is known only after the certificate is applied (CAS answers the validation list on a
 * later read), so the record and the listener are created in the same `up` after it.
 *
 * Config: `domain` (default www.example.com), `loadBalancerId` and `serverGroupId` (an existing ALB
 * and server group), contact `username` / `phone` / `email`.
 */
export function freeTestCertificate(): Record<string, unknown> {
  const config = new pulumi.Config();
  const domain = config.get("domain") ?? "www.example.com";
  const certificate = new InstanceCertificate("www", {
    instanceType: "TEST",
    domain,
    validationMethod: "DNS",
    username: config.get("username") ?? "Keller",
    phone: config.get("phone") ?? "13800001111",
    email: config.get("email") ?? "ops@example.com",
  });
  const rec = certificate.validationRecords.apply((records) => records[domain]!);
  const record = new alicloud.dns.AlidnsRecord("www-validation", {
    domainName: rec.zone,
    rr: rec.rr,
    type: rec.type,
    value: rec.value,
    ttl: 600,
  });
  const issued = new CertificateOrderValidation("www", {
    instanceId: certificate.instanceId,
    validationRecordFqdns: [pulumi.interpolate`${record.rr}.${record.domainName}`],
    timeoutMinutes: 60,
  });
  const listener = new alicloud.alb.Listener("https", {
    loadBalancerId: config.require("loadBalancerId"),
    listenerProtocol: "HTTPS",
    listenerPort: 443,
    certificates: { certificateId: issued.certIdentifier },
    defaultActions: [
      {
        type: "ForwardGroup",
        forwardGroupConfig: { serverGroupTuples: [{ serverGroupId: config.require("serverGroupId") }] },
      },
    ],
  });
  return {
    instanceId: certificate.instanceId,
    listenerId: listener.id,
    certIdentifier: issued.certIdentifier,
    notAfter: issued.notAfter,
  };
}

import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";

/**
 * HTTPS on an Application Load Balancer: a CertificateOrder, its DNS validation record in
 * Alibaba Cloud DNS, a CertificateOrderValidation that waits for issuance, and an `alb.Listener`
 * that takes the certificate by `certIdentifier` (`{certId}-{region}`, as CAS states it).
 *
 * The listener depends on the validation, not the order: the validation is the resource that is
 * issued within this `up`. A renewal (`renewBeforeDays`) or a new key replaces order and
 * validation create-before-delete, so the listener switches to the new certificate before the old
 * order is removed.
 *
 * Config: `domain` (default www.example.com), `zone` (default: its registrable domain, by the
 * Public Suffix List), `loadBalancerId` and `serverGroupId` (an existing ALB and server group),
 * contact `username` / `phone` / `email`.
 */
export function albHttps(): Record<string, unknown> {
  const config = new pulumi.Config();
  const domain = config.get("domain") ?? "www.example.com";
  const order = new CertificateOrder("www", {
    domain,
    dnsZone: config.get("zone"),
    username: config.get("username") ?? "Keller",
    phone: config.get("phone") ?? "13800001111",
    email: config.get("email") ?? "ops@example.com",
    renewBeforeDays: 30,
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
    listenerId: listener.id,
    certificateId: issued.certificateId,
    certIdentifier: issued.certIdentifier,
    notAfter: issued.notAfter,
  };
}

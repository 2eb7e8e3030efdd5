import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";

/**
 * HTTPS on a CDN domain: a CertificateOrder, its DNS validation record in Alibaba Cloud DNS, a
 * CertificateOrderValidation that waits for issuance, and a `cdn.DomainNew` that takes the bare
 * CAS certificate id (`certType: "cas"`).
 *
 * The CDN domain depends on the validation, not the order: the validation is the resource that
 * is issued within this `up`.
 *
 * Config: `domain` (default cdn.example.com), `zone` (default: its registrable domain, by the
 * Public Suffix List), `origin` (the origin's host name), `certRegion` (where CAS keeps the
 * certificate: `cn-hangzhou` on the China site, the default; `ap-southeast-1` on the international
 * site), contact `username` / `phone` / `email`.
 */
export function cdnHttps(): Record<string, unknown> {
  const config = new pulumi.Config();
  const domain = config.get("domain") ?? "cdn.example.com";
  const order = new CertificateOrder("cdn", {
    domain,
    dnsZone: config.get("zone"),
    username: config.get("username") ?? "Keller",
    phone: config.get("phone") ?? "13800001111",
    email: config.get("email") ?? "ops@example.com",
    renewBeforeDays: 30,
  });
  const rec = order.validationRecordFor(domain);
  const record = new alicloud.dns.AlidnsRecord("cdn-validation", {
    domainName: rec.zone,
    rr: rec.rr,
    type: rec.type,
    value: rec.value,
    ttl: 600,
  });
  const issued = new CertificateOrderValidation("cdn", {
    orderId: order.orderId,
    validationRecordFqdns: [pulumi.interpolate`${record.rr}.${record.domainName}`],
    timeoutMinutes: 60,
  });
  const cdn = new alicloud.cdn.DomainNew("cdn", {
    domainName: domain,
    cdnType: "web",
    scope: "domestic",
    sources: [{ type: "domain", content: config.require("origin"), port: 443, priority: 20, weight: 10 }],
    certificateConfig: {
      certType: "cas",
      certId: issued.certificateId,
      certRegion: config.get("certRegion") ?? "cn-hangzhou",
      serverCertificateStatus: "on",
    },
  });
  return {
    cname: cdn.cname,
    certificateId: issued.certificateId,
    notAfter: issued.notAfter,
  };
}

import * as pulumi from "@pulumi/pulumi";
import { CertificateOrder, alidnsRecordArgs, type DnsRecordInput } from "pulumi-alicloud-cas";

/**
 * Two stacks, as teams often split them: `certificates` orders and exports the validation
 * records; `dns` (owned by whoever runs the zone) reads them through a StackReference and turns
 * them into AlidnsRecord arguments (`alidnsRecordArgs`).
 */
export function certificates(): Record<string, unknown> {
  const config = new pulumi.Config();
  const domains = config.getObject<string[]>("domains") ?? ["www.example.com", "api.example.com"];
  const records = domains.map((domain) => {
    const order = new CertificateOrder(domain.replace(/[^a-z0-9]+/gi, "-"), {
      domain,
      username: "Keller",
      phone: "13800001111",
      email: "ops@example.com",
    });
    const r = order.validationRecordFor(domain);
    return pulumi
      .all([r.fqdn, r.type, r.value])
      .apply(([fqdn, type, value]) => ({ domain, fqdn, type, value }));
  });
  return { validationRecords: pulumi.all(records) };
}

/**
 * Config: `certificatesStack` (e.g. `organization/cas-certificates/prod`), `zone`. With
 * @pulumi/alicloud, each entry of `records` becomes `new alicloud.dns.AlidnsRecord(name, args)`.
 */
export function dns(): Record<string, unknown> {
  const config = new pulumi.Config();
  const source = new pulumi.StackReference(config.require("certificatesStack"));
  const zone = config.get("zone") ?? "example.com";
  const records = source
    .getOutput("validationRecords")
    .apply((list) => alidnsRecordArgs(list as DnsRecordInput[], zone));
  return { records };
}

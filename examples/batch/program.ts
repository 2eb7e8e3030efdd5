import * as pulumi from "@pulumi/pulumi";
import { CertificateOrder } from "pulumi-alicloud-cas";

/**
 * The resource-plan batch scenario: one order per domain listed in config. Every order in a
 * deployment shares one provider process and therefore one rate limiter per action, so a long
 * list spreads out instead of tripping the API's throttling (set `alicloud-cas:qps` to match
 * your account's limits).
 *
 * Config: `domains` (a list), `productCode` (default digicert-free-1-free), contact.
 */
export function batch(): Record<string, unknown> {
  const config = new pulumi.Config();
  const domains = config.requireObject<string[]>("domains");
  const orders = domains.map(
    (domain) =>
      new CertificateOrder(domain.replace(/[^a-z0-9]+/gi, "-"), {
        domain,
        productCode: config.get("productCode"),
        username: config.get("username") ?? "Keller",
        phone: config.get("phone") ?? "13800001111",
        email: config.get("email") ?? "ops@example.com",
        quotaCheck: "fail",
      }),
  );
  return {
    orderIds: orders.map((o) => o.orderId),
    records: Object.fromEntries(domains.map((d, i) => [d, orders[i]!.validationRecordFor(d).value])),
  };
}

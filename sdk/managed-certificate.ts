import * as pulumi from "@pulumi/pulumi";
import { CertificateOrder, type CertificateOrderArgs } from "./certificate-order";
import { CertificateOrderValidation } from "./certificate-order-validation";
import { recordBase, recordGroups } from "../provider/order/record-name";

/** The arguments a DNS record resource receives: those of `alicloud.dns.AlidnsRecord`. */
export interface ValidationDnsRecordArgs {
  /** The zone (AlidnsRecord `domainName`). */
  domainName: pulumi.Input<string>;
  /** Host record relative to the zone (`@` at the apex). */
  rr: pulumi.Input<string>;
  type: pulumi.Input<string>;
  value: pulumi.Input<string>;
  ttl: number;
}

/**
 * Makes the resource that publishes one validation record. The default creates an
 * `alicloud.dns.AlidnsRecord`; pass another for a different DNS provider (or a test stand-in).
 */
export type ValidationDnsRecordFactory = (
  name: string,
  args: ValidationDnsRecordArgs,
  opts: pulumi.CustomResourceOptions,
) => pulumi.Resource;

/** Arguments of a {@link ManagedCertificate}: those of a DNS-validated {@link CertificateOrder}, plus how to wait. */
export interface ManagedCertificateArgs extends Omit<CertificateOrderArgs, "validateType" | "adoptOrderId"> {
  /** TTL of the validation records (default 600). */
  recordTtl?: number;
  /** How long one `pulumi up` waits for issuance (default 45 minutes). */
  timeoutMinutes?: pulumi.Input<number>;
  pollIntervalSeconds?: pulumi.Input<number>;
  maxPollIntervalSeconds?: pulumi.Input<number>;
  /** Publishes each validation record (default: `alicloud.dns.AlidnsRecord`, from the peer dependency `@pulumi/alicloud`). */
  dnsRecord?: ValidationDnsRecordFactory;
  /**
   * `false`: publish no validation record, for zones CAS validates by itself. When the zone is in
   * Alibaba Cloud DNS of the same account, CAS adds the TXT record and deletes conflicting TXT
   * records at that name, so a record this stack also manages there can be removed or duplicated
   * behind its back. Default `true`.
   */
  publishRecords?: boolean;
}

/**
 * Orders a certificate, publishes its DNS validation records, waits for issuance, and exposes
 * what consumers take: `certIdentifier` for ALB/NLB/WAF/GA/OSS, `certificateId` for CDN/DCDN/SLB.
 * One record per record name (names that share one get one: those under one registrable domain,
 * and an apex with its wildcard); none with `publishRecords: false`, for zones CAS validates itself.
 *
 * `domain`, `domains` or `csr` must be plain strings (not Outputs), so the records can be declared
 * at preview. Renewal and key rotation replace the whole chain create-before-delete.
 */
export class ManagedCertificate extends pulumi.ComponentResource {
  readonly order: CertificateOrder;
  readonly validation: CertificateOrderValidation;
  /** The resources publishing the validation records, one per distinct record name. */
  readonly dnsRecords: pulumi.Resource[];
  readonly certificatePem: pulumi.Output<string>;
  readonly certificateChainPem: pulumi.Output<string | null>;
  /** Only for orders by domain (CAS made the key). Secret. */
  readonly privateKeyPem: pulumi.Output<string | null>;
  /** CAS certificate id (decimal string): `cdn.DomainNew` `certId`, `slb.ServerCertificate.alicloudCertificateId`. */
  readonly certificateId: pulumi.Output<string>;
  /** `{certId}-{region}` as CAS states it: `alb.Listener` `certificates.certificateId`, `nlb.Listener.certificateIds`. */
  readonly certIdentifier: pulumi.Output<string>;
  readonly notAfter: pulumi.Output<string>;
  readonly serialNumber: pulumi.Output<string>;
  readonly fingerprintSha256: pulumi.Output<string>;
  readonly fingerprintSha1: pulumi.Output<string>;

  constructor(name: string, args: ManagedCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("alicloud-cas:index:ManagedCertificate", name, {}, opts);
    const {
      dnsRecord = alidnsRecord,
      recordTtl = 600,
      publishRecords = true,
      timeoutMinutes,
      pollIntervalSeconds,
      maxPollIntervalSeconds,
      ...orderArgs
    } = args;
    this.order = new CertificateOrder(name, { ...orderArgs, validateType: "DNS" }, { parent: this });
    const names = Object.keys(this.order.validationRecords);
    if (names.length === 0)
      throw new Error(
        `ManagedCertificate ${name}: domain, domains or csr must be plain strings (not Outputs) so the validation records can be declared at preview; otherwise use CertificateOrder, validationRecordFor() and CertificateOrderValidation`,
      );
    // Names proven by the same record (those under one registrable domain, by the rule in
    // record-name.ts, and a wildcard with its base name) publish it once: the first name of each
    // group stands for it.
    const representatives = recordGroups(names).map((group) => group[0]!);
    // Once the order's records are known (an existing order's in preview), each record's value is
    // given only if each declared record has one and no two are one record; else it fails, naming the fix.
    const fqdns = pulumi.all(representatives.map((n) => this.order.validationRecords[n]!.fqdn));
    this.dnsRecords = publishRecords
      ? representatives.map((n) => {
          const rec = this.order.validationRecords[n]!;
          return dnsRecord(
            `${name}-validation-${recordBase(n)}`,
            {
              domainName: rec.zone,
              rr: rec.rr,
              type: rec.type,
              value: pulumi.all([rec.value, fqdns]).apply(([value, known]) => {
                checkRecords(name, representatives, known);
                return value;
              }),
              ttl: recordTtl,
            },
            { parent: this },
          );
        })
      : [];
    this.validation = new CertificateOrderValidation(
      name,
      {
        orderId: this.order.orderId,
        // An order CAS validated before its first read (a zone it validates itself) has no records.
        validationRecordFqdns: pulumi
          .all(representatives.map((n) => this.order.validationRecords[n]!.fqdn))
          .apply((fqdns) => fqdns.filter((f): f is string => typeof f === "string")),
        timeoutMinutes,
        pollIntervalSeconds,
        maxPollIntervalSeconds,
      },
      { parent: this, dependsOn: this.dnsRecords },
    );
    const v = this.validation;
    this.certificatePem = v.certificatePem;
    this.certificateChainPem = v.certificateChainPem;
    this.privateKeyPem = v.privateKeyPem;
    this.certificateId = v.certificateId;
    this.certIdentifier = v.certIdentifier;
    this.notAfter = v.notAfter;
    this.serialNumber = v.serialNumber;
    this.fingerprintSha256 = v.fingerprintSha256;
    this.fingerprintSha1 = v.fingerprintSha1;
    this.registerOutputs({
      orderId: this.order.orderId,
      certificateId: this.certificateId,
      certIdentifier: this.certIdentifier,
      notAfter: this.notAfter,
    });
  }
}

/** The default record: `alicloud.dns.AlidnsRecord`, loaded only when used (`@pulumi/alicloud` is an optional peer). */
const alidnsRecord: ValidationDnsRecordFactory = (name, args, opts) => {
  let alicloud: typeof import("@pulumi/alicloud");
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer dependency
    alicloud = require("@pulumi/alicloud");
  } catch {
    throw new Error(
      "ManagedCertificate publishes validation records with @pulumi/alicloud: npm install @pulumi/alicloud (and the alicloud plugin, `pulumi plugin install resource alicloud`), or pass dnsRecord",
    );
  }
  return new alicloud.dns.AlidnsRecord(name, args, opts);
};

/**
 * Fails, naming the fix, when the records `ManagedCertificate` declared (one per group of
 * `representatives`, by the program's order of names) do not fit the order's: a name without a
 * record (CAS validated it itself), or two names whose records are one (CAS named the records for
 * the first name of the order as placed, and the program now lists another name first).
 */
function checkRecords(name: string, representatives: string[], fqdns: Array<string | undefined>): void {
  const missing = representatives.filter((_, i) => fqdns[i] === undefined);
  if (missing.length)
    throw new Error(
      `ManagedCertificate ${name}: the order has no validation record for ${missing.join(", ")} (CAS validated it before the first read, as it does in a zone of this account's Alibaba Cloud DNS); set publishRecords: false`,
    );
  const seen = new Map<string, string>();
  representatives.forEach((n, i) => {
    const other = seen.get(fqdns[i]!);
    if (other !== undefined)
      throw new Error(
        `ManagedCertificate ${name}: ${other} and ${n} share one validation record (${fqdns[i]}) in this order, which CAS named for the first of its names when it was placed, but the program's domains now list another name first and so would publish that record twice. Put the order's first name first in domains again (the order of the others does not matter)`,
      );
    seen.set(fqdns[i]!, n);
  });
}

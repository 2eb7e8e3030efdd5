import * as pulumi from "@pulumi/pulumi";
import {
  CertificateOrder,
  knownNames,
  type CertificateOrderArgs,
  type ValidationRecordOutputs,
} from "./certificate-order";
import { CertificateOrderValidation } from "./certificate-order-validation";
import { InstanceCertificate, type InstanceCertificateArgs } from "./instance-certificate";
import { recordBase, recordGroups, uniqueRecordBases } from "../provider/order/record-name";

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

/** How a {@link ManagedCertificate} publishes its records and waits: the same for both sources. */
export interface ManagedCertificateWaitArgs {
  /** TTL of the validation records (default 600). */
  recordTtl?: number | undefined;
  /** How long one `pulumi up` waits for issuance (default 45 minutes). */
  timeoutMinutes?: pulumi.Input<number> | undefined;
  pollIntervalSeconds?: pulumi.Input<number> | undefined;
  maxPollIntervalSeconds?: pulumi.Input<number> | undefined;
  /** Publishes each validation record (default: `alicloud.dns.AlidnsRecord`, from the peer dependency `@pulumi/alicloud`). */
  dnsRecord?: ValidationDnsRecordFactory | undefined;
  /**
   * `false`: publish no validation record, for zones CAS validates by itself. When the zone is in
   * Alibaba Cloud DNS of the same account, CAS adds the TXT record and deletes conflicting TXT
   * records at that name, so a record this stack also manages there can be removed or duplicated
   * behind its back. Default `true`.
   */
  publishRecords?: boolean | undefined;
}

/** A {@link ManagedCertificate} from a plan order: the inputs of a DNS-validated {@link CertificateOrder}. */
export interface ManagedCertificateOrderArgs
  extends Omit<CertificateOrderArgs, "validateType" | "adoptOrderId">, ManagedCertificateWaitArgs {
  instance?: undefined;
}

/**
 * The application of a {@link ManagedCertificate} on a certificate instance: the inputs of a
 * DNS-validated {@link InstanceCertificate} (`instanceType: "TEST"` or `instanceId`, and
 * `domain`, `domains` or `csr` as plain strings).
 */
export type ManagedInstanceArgs = Omit<InstanceCertificateArgs, "validationMethod">;

/** A {@link ManagedCertificate} on a certificate instance (the V2.0 family; accounts without a plan). */
export interface ManagedCertificateInstanceArgs extends ManagedCertificateWaitArgs {
  instance: ManagedInstanceArgs;
}

/**
 * Arguments of a {@link ManagedCertificate}: the order's inputs (plan holders), or `instance` with
 * an {@link InstanceCertificate}'s (everyone else), plus how to publish the records and wait.
 */
export type ManagedCertificateArgs = ManagedCertificateOrderArgs | ManagedCertificateInstanceArgs;

/** The argument names that belong to neither source: how records are published and how to wait. */
const WAIT_ARGS = new Set([
  "recordTtl",
  "timeoutMinutes",
  "pollIntervalSeconds",
  "maxPollIntervalSeconds",
  "dnsRecord",
  "publishRecords",
  "instance",
]);

/**
 * Gets a certificate, publishes its DNS validation records, waits for issuance, and exposes what
 * consumers take: `certIdentifier` for ALB/NLB/WAF/GA/OSS, `certificateId` for CDN/DCDN/SLB.
 * The certificate comes from a plan order ({@link CertificateOrder}, the order's inputs) or from
 * an application on a certificate instance ({@link InstanceCertificate}, `instance: { … }`).
 *
 * An order publishes one record per record name (names that share one get one: those under one
 * registrable domain, and an apex with its wildcard); an application one per name (a wildcard
 * with its base name share one). None with `publishRecords: false`, for zones CAS validates itself.
 *
 * `domain`, `domains` or `csr` must be plain strings (not Outputs), so the records can be declared
 * at preview. For an order, renewal and key rotation replace the whole chain create-before-delete.
 */
export class ManagedCertificate extends pulumi.ComponentResource {
  /** The order, when the certificate comes from a plan; `undefined` with `instance`. */
  readonly order: CertificateOrder | undefined;
  /** The application on a certificate instance, with `instance`; `undefined` for an order. */
  readonly instance: InstanceCertificate | undefined;
  readonly validation: CertificateOrderValidation;
  /** The resources publishing the validation records, one per distinct record name. */
  readonly dnsRecords: pulumi.Resource[];
  readonly certificatePem: pulumi.Output<string>;
  readonly certificateChainPem: pulumi.Output<string | null>;
  /** Only when CAS made the key (by domain, not `csr`). Secret. */
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
    } = args;
    let names: string[];
    let representatives: string[];
    let recordOf: (n: string) => ValidationRecordOutputs;
    let source: { orderId: pulumi.Output<string> } | { instanceId: pulumi.Output<string> };
    if (args.instance !== undefined) {
      const orderOnly = Object.keys(args).filter((k) => !WAIT_ARGS.has(k));
      if (orderOnly.length)
        throw new Error(
          `ManagedCertificate ${name}: ${orderOnly.join(", ")} ${orderOnly.length > 1 ? "are" : "is"} given beside instance; with instance the certificate is applied on a certificate instance, and its inputs (domain, domains, csr, username, phone, email, tags, dnsZone, onDelete …) go inside instance: { … }. For a plan order, leave instance out`,
        );
      const inst = args.instance as ManagedInstanceArgs & { validationMethod?: unknown };
      if (inst.validationMethod !== undefined && inst.validationMethod !== "DNS")
        throw new Error(
          `ManagedCertificate ${name}: instance.validationMethod: ManagedCertificate publishes DNS records; leave validationMethod out, or use InstanceCertificate with its files for HTTP validation`,
        );
      this.order = undefined;
      this.instance = new InstanceCertificate(name, { ...inst, validationMethod: "DNS" }, { parent: this });
      names = knownNames(inst);
      // One record per name; a wildcard and its base name share one (the same `_dnsauth.<base>`).
      representatives = uniqueRecordBases(names);
      const all = this.instance.validationRecords;
      recordOf = (n) => {
        const field = (k: keyof ValidationRecordOutputs) =>
          all.apply((m: pulumi.Unwrap<typeof all> | undefined) => m?.[n]?.[k] as string);
        return {
          fqdn: field("fqdn"),
          rr: field("rr"),
          zone: field("zone"),
          type: field("type"),
          value: field("value"),
        };
      };
      source = { instanceId: this.instance.instanceId };
    } else {
      const { instance: _none, ...orderArgs } = args;
      for (const k of WAIT_ARGS) delete (orderArgs as Record<string, unknown>)[k];
      this.instance = undefined;
      const order = new CertificateOrder(name, { ...orderArgs, validateType: "DNS" }, { parent: this });
      this.order = order;
      names = Object.keys(order.validationRecords);
      // Names proven by the same record (those under one registrable domain, by the rule in
      // record-name.ts, and a wildcard with its base name) publish it once: the first name of each
      // group stands for it.
      representatives = recordGroups(names).map((group) => group[0]!);
      recordOf = (n) => order.validationRecords[n]!;
      source = { orderId: order.orderId };
    }
    if (names.length === 0)
      throw new Error(
        `ManagedCertificate ${name}: ${args.instance !== undefined ? "instance." : ""}domain, domains or csr must be plain strings (not Outputs) so the validation records can be declared at preview; otherwise use ${args.instance !== undefined ? "InstanceCertificate, its validationRecords" : "CertificateOrder, validationRecordFor()"} and CertificateOrderValidation`,
      );
    const what = args.instance !== undefined ? "application" : "order";
    // Once the records are known (an existing order's in preview, an application's after create),
    // each record's value is given only if each declared record has one and no two are one record;
    // else it fails, naming the fix.
    const fqdns = pulumi.all(representatives.map((n) => recordOf(n).fqdn));
    this.dnsRecords = publishRecords
      ? representatives.map((n) => {
          const rec = recordOf(n);
          return dnsRecord(
            `${name}-validation-${recordBase(n)}`,
            {
              domainName: rec.zone,
              rr: rec.rr,
              type: rec.type,
              value: pulumi.all([rec.value, fqdns]).apply(([value, known]) => {
                checkRecords(name, what, representatives, known);
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
        ...source,
        // A certificate CAS validated before its first read (a zone it validates itself) has no records.
        validationRecordFqdns: fqdns.apply((all) => all.filter((f): f is string => typeof f === "string")),
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
      ...source,
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
 * `representatives`, by the program's order of names) do not fit the order's or the application's:
 * a name without a record (CAS validated it itself), or two names whose records are one (for an
 * order: CAS named the records for the first name of the order as placed, and the program now
 * lists another name first; for an application: CAS gave two names one record).
 */
function checkRecords(
  name: string,
  what: "order" | "application",
  representatives: string[],
  fqdns: Array<string | undefined>,
): void {
  const missing = representatives.filter((_, i) => fqdns[i] === undefined);
  if (missing.length)
    throw new Error(
      `ManagedCertificate ${name}: the ${what} has no validation record for ${missing.join(", ")} (CAS validated it before the first read, as it does in a zone of this account's Alibaba Cloud DNS); set publishRecords: false`,
    );
  const seen = new Map<string, string>();
  representatives.forEach((n, i) => {
    const other = seen.get(fqdns[i]!);
    if (other !== undefined)
      throw new Error(
        what === "order"
          ? `ManagedCertificate ${name}: ${other} and ${n} share one validation record (${fqdns[i]}) in this order, which CAS named for the first of its names when it was placed, but the program's domains now list another name first and so would publish that record twice. Put the order's first name first in domains again (the order of the others does not matter)`
          : `ManagedCertificate ${name}: ${other} and ${n} share one validation record (${fqdns[i]}) in this application, so it would be published twice. Use InstanceCertificate and publish its validationRecords yourself, one record per distinct fqdn`,
      );
    seen.set(fqdns[i]!, n);
  });
}

import * as pulumi from "@pulumi/pulumi";
import { CertificateOrder, type CertificateOrderArgs } from "./certificate-order";
import { CertificateOrderValidation } from "./certificate-order-validation";
import { InstanceCertificate, type InstanceCertificateArgs } from "./instance-certificate";
import { composeManagedCertificate, recordFields } from "../provider/components/managed-certificate";

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
    const dnsRecord = args.dnsRecord ?? alidnsRecord;
    const made = composeManagedCertificate(this, name, args as unknown as Record<string, unknown>, {
      order: (n, a, o) => {
        const order = new CertificateOrder(n, a, o);
        return { resource: order, id: order.orderId, recordOf: (d) => order.validationRecords[d]! };
      },
      instance: (n, a, o) => {
        const instance = new InstanceCertificate(n, a, o);
        return {
          resource: instance,
          id: instance.instanceId,
          recordOf: (d) => recordFields(instance.validationRecords, d),
        };
      },
      validation: (n, a, o) => new CertificateOrderValidation(n, a, o),
      record: dnsRecord,
    });
    this.order = made.order;
    this.instance = made.instance;
    this.dnsRecords = made.dnsRecords;
    this.validation = made.validation;
    const source = made.source;
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

import * as pulumi from "@pulumi/pulumi";
import { certificateOrderValidationStub } from "./stubs";
import { SECRET_OUTPUT_NAMES, VALIDATION_OUTPUT_NAMES } from "../provider/order/output-names";

/** Arguments of a {@link CertificateOrderValidation}. */
export interface CertificateOrderValidationArgs {
  /** The order to wait for (`order.orderId`). Give this or `instanceId`. */
  orderId?: pulumi.Input<string> | undefined;
  /** In place of `orderId`: the certificate instance to wait for (`certificate.instanceId` of an InstanceCertificate). */
  instanceId?: pulumi.Input<string> | undefined;
  /** FQDNs of the DNS records created for validation: pass them so this waits until they exist (like aws.acm.CertificateValidation). */
  validationRecordFqdns?: pulumi.Input<pulumi.Input<string>[]> | undefined;
  /** How long one `pulumi up` waits (default 45). Past it the update fails; the next `up` waits again on the same order. */
  timeoutMinutes?: pulumi.Input<number> | undefined;
  /** First poll interval in seconds (default 5); grows by half up to `maxPollIntervalSeconds` (default 60). */
  pollIntervalSeconds?: pulumi.Input<number> | undefined;
  maxPollIntervalSeconds?: pulumi.Input<number> | undefined;
  /**
   * Before waiting, look the expected records up (on `resolvers`, `host` or `host:port`; the
   * system's by default) and report whether they are visible yet. Reports only; never fails.
   */
  dnsPrecheck?: pulumi.Input<boolean | { resolvers?: pulumi.Input<pulumi.Input<string>[]> }> | undefined;
}

/** Waits until a {@link CertificateOrder} is issued and exposes the certificate. Deleting it does nothing in CAS. */
export class CertificateOrderValidation extends pulumi.dynamic.Resource {
  /** `null` when waiting for an instance. */
  declare readonly orderId: pulumi.Output<string | null>;
  /** The certificate instance waited for, or `null` for an order. */
  declare readonly instanceId: pulumi.Output<string | null>;
  /**
   * `issued` once created (the resource exists only once CAS has issued the certificate); a
   * refresh reads it again: `expired` once the certificate has ended, else the order's status
   * (as `CertificateOrder.status` names it) or, for an instance, `revoked`, `cancelled`, `failed`.
   * Unlike `CertificateOrder.status`, it is current in the `up` that waits.
   */
  declare readonly status: pulumi.Output<string>;
  declare readonly certificatePem: pulumi.Output<string>;
  declare readonly certificateChainPem: pulumi.Output<string | null>;
  /** Only for orders by domain (CAS made the key). Secret. */
  declare readonly privateKeyPem: pulumi.Output<string | null>;
  declare readonly notBefore: pulumi.Output<string>;
  declare readonly notAfter: pulumi.Output<string>;
  declare readonly serialNumber: pulumi.Output<string>;
  /** SHA-256 fingerprint, colon-separated upper-case hex. */
  declare readonly fingerprintSha256: pulumi.Output<string>;
  /** SHA-1 fingerprint (what CAS lists as `Fingerprint`), same format. */
  declare readonly fingerprintSha1: pulumi.Output<string>;
  /**
   * CAS certificate id (decimal string) for `cdn.DomainNew` `certificateConfig.certId`,
   * `dcdn.Domain` and `slb.ServerCertificate.alicloudCertificateId`.
   */
  declare readonly certificateId: pulumi.Output<string>;
  /**
   * `GetUserCertificateDetail.CertIdentifier` (e.g. `10741304-cn-hangzhou`) for
   * `alb.Listener` `certificates.certificateId`, `nlb.Listener.certificateIds`, WAF, GA and OSS.
   */
  declare readonly certIdentifier: pulumi.Output<string>;
  declare readonly sans: pulumi.Output<string[]>;

  constructor(name: string, args: CertificateOrderValidationArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = { ...args };
    for (const k of VALIDATION_OUTPUT_NAMES) props[k] = undefined;
    super(
      certificateOrderValidationStub,
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: [...SECRET_OUTPUT_NAMES] }),
      "alicloud-cas",
      "CertificateOrderValidation",
    );
  }
}

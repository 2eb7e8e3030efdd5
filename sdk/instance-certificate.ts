import * as pulumi from "@pulumi/pulumi";
import { instanceCertificateStub } from "./stubs";

/**
 * Arguments of an {@link InstanceCertificate}. Give `instanceId` (an instance of the account, e.g.
 * a bought one) or `instanceType: "TEST"` (an inactive free test instance from the account's pool),
 * and `domain`, `domains` or `csr`.
 */
export interface InstanceCertificateArgs {
  /** An instance of the account (`cas-cn-…`): a bought (BUY) instance is used only when named here. */
  instanceId?: pulumi.Input<string> | undefined;
  /** `TEST`: take an inactive test instance from the account's pool (claimed by a tag, read back). */
  instanceType?: pulumi.Input<"TEST"> | undefined;
  /** One name (TEST instances take exactly one). */
  domain?: pulumi.Input<string> | undefined;
  /** Several names (a bought multi-name instance). Their order does not matter. */
  domains?: pulumi.Input<pulumi.Input<string>[]> | undefined;
  /** PEM PKCS#10 request: your key; CAS binds its CN. Without it CAS makes the key. */
  csr?: pulumi.Input<string> | undefined;
  /** The key CAS makes (default `RSA_2048`); not with `csr`. */
  keyAlgorithm?: pulumi.Input<"RSA_2048" | "RSA_3072" | "RSA_4096" | "ECC_256" | "SM2"> | undefined;
  /** `DNS` (default: a TXT or CNAME record) or `HTTP` (a file). */
  validationMethod?: pulumi.Input<"DNS" | "HTTP"> | undefined;
  /** Contacts by id (`ListContact`); or give `username`/`phone`/`email`. */
  contactIds?: pulumi.Input<pulumi.Input<string>[]> | undefined;
  /** Contact name: the contact is found by `email` (else by name and phone), else created. */
  username?: pulumi.Input<string> | undefined;
  /** Contact mobile phone (required by CAS for a new contact). */
  phone?: pulumi.Input<string> | undefined;
  email?: pulumi.Input<string> | undefined;
  /** OV/EV instances: the company profile id (`CompanyId`). */
  companyId?: pulumi.Input<string> | undefined;
  /** Let CAS reissue the certificate on this instance before it expires (`AutoReissue`); a refresh follows the current one. */
  autoReissue?: pulumi.Input<boolean> | undefined;
  /** Tags set on the instance (beside this resource's claim tag). */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /** DNS zone the validation records go in (default: CAS's `RootDomain` of each name). */
  dnsZone?: pulumi.Input<string> | undefined;
  /**
   * On destroy: `keep` (default) leaves an issued certificate valid; `retain` is the same
   * (CertificateOrder's word for it; stored as `keep`); `revoke` revokes it. A pending application is
   * always cancelled. The instance itself is never refunded or deleted.
   */
  onDelete?: pulumi.Input<"keep" | "retain" | "revoke"> | undefined;
}

/** One DNS validation record (the same shape as the records of `CertificateOrder.allValidationRecords`). */
export interface InstanceValidationRecord {
  domain: string;
  names: string[];
  fqdn: string;
  rr: string;
  zone: string;
  type: string;
  value: string;
  /** `ValidationKey` exactly as CAS returned it. */
  recordDomain: string;
}

/**
 * A certificate applied on a CAS certificate instance (the V2.0 family: every new customer and
 * every free test certificate). Outputs use `CertificateOrder`'s names where the meaning is the same.
 */
export class InstanceCertificate extends pulumi.dynamic.Resource {
  /** The instance the certificate is applied on. */
  declare readonly instanceId: pulumi.Output<string>;
  /** `pending_validation`, `issued`, `failed`, `cancelled`, `revoked`, `expired` (as of the last read). */
  declare readonly status: pulumi.Output<string>;
  declare readonly statusReason: pulumi.Output<string | null>;
  /** DNS records keyed by name (`validationRecords["www.example.com"].value`). */
  declare readonly validationRecords: pulumi.Output<Record<string, InstanceValidationRecord>>;
  /** HTTP validation: the files to serve. */
  declare readonly files: pulumi.Output<
    Array<{ domain: string; path: string; content: string; url: string }>
  >;
  /** CAS certificate id (CDN/DCDN/SLB), once issued. */
  declare readonly certificateId: pulumi.Output<string | null>;
  /** `{certId}-{region}` (ALB/NLB/WAF/GA/OSS), once issued. */
  declare readonly certIdentifier: pulumi.Output<string | null>;
  /** ISO time the certificate expires, once issued. */
  declare readonly notAfter: pulumi.Output<string | null>;
  /** The value of this resource's claim tag on the instance. */
  declare readonly claim: pulumi.Output<string>;
  declare readonly domains: pulumi.Output<string[]>;

  constructor(name: string, args: InstanceCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = { instanceId: undefined, ...args };
    for (const k of [
      "status",
      "statusReason",
      "validationRecords",
      "files",
      "certificateId",
      "certIdentifier",
      "notAfter",
      "claim",
      "schemaVersion",
    ])
      props[k] = undefined;
    super(instanceCertificateStub, name, props, opts, "alicloud-cas", "InstanceCertificate");
  }
}

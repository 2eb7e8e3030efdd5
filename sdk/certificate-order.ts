import * as pulumi from "@pulumi/pulumi";
import { containsKeyMaterial, normalizeDomain } from "../provider/pki/csr";
import { knownNames } from "../provider/components/managed-certificate";
import { certificateOrderStub } from "./stubs";
import {
  ORDER_ALL_VALIDATION_RECORDS,
  ORDER_OUTPUT_NAMES,
  SECRET_OUTPUT_NAMES,
  VALIDATION_RECORDS_OUTPUT,
} from "../provider/order/output-names";
import type { ON_DELETE_VALUES, QUOTA_CHECK_VALUES, VALIDATE_TYPES } from "../provider/order/input-values";
import { objectInternalKeys, objectKeyReason } from "../provider/order/object-keys";

/** Arguments of a {@link CertificateOrder}. Give `csr` (your key), or `domain` or `domains` (CAS makes the key). */
export interface CertificateOrderArgs {
  /**
   * PEM PKCS#10 request (RSA ≥ 2048 or EC P-256/P-384, CN set). CAS binds only the CN, so a CSR
   * with other names is refused: use `domains`, or one order per name. Compared by key, subject
   * and names, not text.
   */
  csr?: pulumi.Input<string> | undefined;
  /** One name or a wildcard (`*.example.com`); with `csr`, must be its CN. */
  domain?: pulumi.Input<string> | undefined;
  /**
   * Several names in one order (at most 5, all single or all wildcard), ordered by domain through
   * `CreateCertificateForPackageRequest` (CAS makes the key). Their order does not matter.
   */
  domains?: pulumi.Input<pulumi.Input<string>[]> | undefined;
  /** Resource-plan spec; default `digicert-free-1-free`. Changing it orders a new certificate. */
  productCode?: pulumi.Input<string> | undefined;
  /** `DNS` (default) or `FILE`. Changing it orders a new certificate. */
  validateType?: pulumi.Input<(typeof VALIDATE_TYPES)[number]> | undefined;
  /** Contact name. Required for single-name DV orders (CreateCertificateRequest/WithCsrRequest). */
  username?: pulumi.Input<string> | undefined;
  /** Contact phone. Required for single-name DV orders. */
  phone?: pulumi.Input<string> | undefined;
  /** Contact email; the CA may write to it. Required for single-name DV orders. */
  email?: pulumi.Input<string> | undefined;
  /** OV orders: a company profile registered in the CAS console. Changing it orders a new certificate. */
  companyName?: pulumi.Input<string> | undefined;
  /** Tags sent with the order. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /** DNS zone the validation records go in (default: the registrable domain of the name, by the Public Suffix List: `example.co.uk` for `www.example.co.uk`). */
  dnsZone?: pulumi.Input<string> | undefined;
  /** Take over an existing order instead of placing one (`pulumi import` does not work for dynamic providers). */
  adoptOrderId?: pulumi.Input<string> | undefined;
  /**
   * On destroy: `cancel` (default) withdraws and deletes an unissued order so the quota comes back,
   * and keeps an issued certificate valid; `revoke` also revokes an issued certificate; `retain`
   * leaves the order in CAS untouched.
   */
  onDelete?: pulumi.Input<(typeof ON_DELETE_VALUES)[number]> | undefined;
  /** Order a replacement (create-before-delete) once an issued certificate is this close to expiry. */
  renewBeforeDays?: pulumi.Input<number> | undefined;
  /** When the plan has fewer orders left than this deployment plans: `warn` (default), `fail` the preview, or `off`. */
  quotaCheck?: pulumi.Input<(typeof QUOTA_CHECK_VALUES)[number]> | undefined;
}

/**
 * One DNS validation record, as outputs ready for `alicloud.dns.AlidnsRecord`. Every field is
 * `undefined` (with one warning) when the order has no DNS record: FILE validation, or an order
 * already issued when it was created or adopted.
 */
export interface ValidationRecordOutputs {
  /** Fully qualified record name. */
  fqdn: pulumi.Output<string>;
  /** Host record relative to `zone` (AlidnsRecord `rr`). */
  rr: pulumi.Output<string>;
  /** The zone (AlidnsRecord `domainName`). */
  zone: pulumi.Output<string>;
  /** `TXT` or `CNAME`. */
  type: pulumi.Output<string>;
  value: pulumi.Output<string>;
}

/**
 * A certificate order placed against an Alibaba Cloud CAS resource plan. Outputs carry the
 * validation data to publish and, once issued, the certificate.
 */
export class CertificateOrder extends pulumi.dynamic.Resource {
  /** CAS OrderId (a decimal string: ids exceed 2^53). */
  declare readonly orderId: pulumi.Output<string>;
  /**
   * `pending_validation`, `under_review`, `issued`, `expired`, `failed` (the CA's review failed),
   * `pending_application` (`payed`: submit it in the CAS console) or `unknown`, as of the last
   * read: it does not change within the `up` that waits. Read issuance from
   * {@link CertificateOrderValidation} (or `ManagedCertificate`).
   */
  declare readonly status: pulumi.Output<string>;
  /** The raw `DescribeCertificateState.Type`. */
  declare readonly type: pulumi.Output<string>;
  declare readonly statusReason: pulumi.Output<string | null>;
  /** Every ordered name (the CSR's CN, or `domain`, or `domains` in the order given). */
  declare readonly domains: pulumi.Output<string[]>;
  /** The API action used (`CreateCertificateRequest`, `CreateCertificateWithCsrRequest`, `CreateCertificateForPackageRequest`, or `adopted`). */
  declare readonly action: pulumi.Output<string>;
  /** `{method: "DNS", records}` or `{method: "FILE", files}` while validation is pending. */
  declare readonly validation: pulumi.Output<unknown>;
  /**
   * Every DNS validation record keyed by ordered name, as one Output: the `validationRecords` the
   * stack state holds (and `InstanceCertificate.validationRecords` is); see {@link validationRecords}
   * for per-name outputs.
   */
  declare readonly allValidationRecords: pulumi.Output<
    Record<string, { fqdn: string; rr: string; zone: string; type: string; value: string }>
  >;
  /**
   * DNS validation records keyed by ordered name, each field its own Output. The keys are known
   * at preview when `domain` or `csr` is a plain string, so DNS records can be declared without `apply`.
   */
  declare readonly validationRecords: Record<string, ValidationRecordOutputs>;
  declare readonly certificatePem: pulumi.Output<string | null>;
  declare readonly certificateChainPem: pulumi.Output<string | null>;
  /** Only for orders by domain (CAS made the key). Secret. */
  declare readonly privateKeyPem: pulumi.Output<string | null>;
  declare readonly notBefore: pulumi.Output<string | null>;
  declare readonly notAfter: pulumi.Output<string | null>;
  declare readonly serialNumber: pulumi.Output<string | null>;
  declare readonly fingerprintSha256: pulumi.Output<string | null>;
  /** SHA-1 fingerprint (what CAS lists as `Fingerprint`). */
  declare readonly fingerprintSha1: pulumi.Output<string | null>;
  /**
   * CAS certificate id, as of the last read (`null` until this order is read as issued: consumers
   * take it from {@link CertificateOrderValidation}, which is issued within the same `up`).
   */
  declare readonly certificateId: pulumi.Output<string | null>;
  /** `GetUserCertificateDetail.CertIdentifier` (`{id}-{region}`), as of the last read. */
  declare readonly certIdentifier: pulumi.Output<string | null>;

  constructor(name: string, args: CertificateOrderArgs, opts?: pulumi.CustomResourceOptions) {
    // Refused here, before the value reaches the engine (which prints failing inputs) or any state.
    const csr: unknown = args.csr;
    if (
      csr !== undefined &&
      csr !== null &&
      typeof csr !== "string" &&
      !pulumi.Output.isInstance(csr) &&
      typeof (csr as { then?: unknown }).then !== "function"
    )
      throw new Error(
        `CertificateOrder ${name}: csr must be PEM text, e.g. readFileSync("app.csr", "utf8") (with "utf8": without it you pass a Buffer); got ${
          Buffer.isBuffer(csr) ? "a Buffer" : Array.isArray(csr) ? "a list" : `a value of type ${typeof csr}`
        }. The value is not shown.`,
      );
    if (typeof args.csr === "string" && containsKeyMaterial(args.csr))
      throw new Error(
        `CertificateOrder ${name}: csr holds a private key, not a certificate signing request (was the .key file read instead of the .csr?); pass the CSR and keep the key to yourself. The value is not shown.`,
      );
    // Pulumi's serialization drops a `__proto__` key without a word: refused while it is still here.
    const internal = objectInternalKeys(args.tags);
    if (internal.length > 0)
      throw new Error(`CertificateOrder ${name}: tags: ${objectKeyReason(internal[0]!)}`);
    const props: Record<string, unknown> = { ...args };
    // `domains` is an input too; the output (the ordered names) replaces it after create.
    for (const k of ORDER_OUTPUT_NAMES) if (!(k in args)) props[k] = undefined;
    super(
      certificateOrderStub,
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: [...SECRET_OUTPUT_NAMES] }),
      "alicloud-cas",
      "CertificateOrder",
    );
    // super() set the stored output under its own name; it is shown as allValidationRecords
    // (provider/order/output-names.ts says why), and validationRecords becomes the per-name view.
    const validationRecords = (this as unknown as Record<string, ValidationRecordsOutput>)[
      VALIDATION_RECORDS_OUTPUT
    ]!;
    Object.defineProperty(this, ORDER_ALL_VALIDATION_RECORDS, { value: validationRecords, enumerable: true });
    // `declare`d, so no class field overwrites what super() set; replaced here by per-name outputs.
    (this as { validationRecords: Record<string, ValidationRecordOutputs> }).validationRecords =
      Object.fromEntries(knownNames(args).map((d) => [d, recordOutputs(validationRecords, d)]));
  }

  /** Outputs of the DNS validation record for `domain` (works when the names are only known at apply time). */
  validationRecordFor(domain: string): ValidationRecordOutputs {
    return recordOutputs(this.allValidationRecords, normalizeDomain(domain));
  }
}

/** The stored validation records of an order, as one Output (the SDK's `allValidationRecords`). */
type ValidationRecordsOutput = CertificateOrder["allValidationRecords"];

/** The names each order (by its validation records' Output) has warned about: one warning per name. */
const warnedNames = new WeakMap<object, Set<string>>();

/** The per-name view of one record of an order's validation records. */
function recordOutputs(validationRecords: ValidationRecordsOutput, domain: string): ValidationRecordOutputs {
  let warned = warnedNames.get(validationRecords);
  if (!warned) warnedNames.set(validationRecords, (warned = new Set()));
  // No DNS record (FILE validation, an issued or adopted order, mocks): the fields are undefined and
  // one warning says why, however many times the name's record is asked for. Throwing here would
  // fail every `up` and `preview` of the whole program.
  const field = (k: "fqdn" | "rr" | "zone" | "type" | "value") =>
    // Under mocks the value may be absent or null, which the output's declared type omits.
    validationRecords.apply((m: pulumi.Unwrap<typeof validationRecords> | null | undefined) => {
      const r = m?.[domain];
      if (!r && !warned.has(domain) && m !== undefined) {
        warned.add(domain);
        const names = Object.keys(m ?? {});
        void pulumi.log.warn(
          names.length > 0
            ? `no DNS validation record for ${JSON.stringify(domain)}: it is not one of this order's names (${names.join(", ")}); its validationRecords fields are undefined`
            : `no DNS validation record for ${domain} (the order is validated by FILE, or was already validated when it was read, e.g. by CAS itself in a zone of the same account, or issued): its validationRecords fields are undefined`,
        );
      }
      return r?.[k] as string;
    });
  return {
    fqdn: field("fqdn"),
    rr: field("rr"),
    zone: field("zone"),
    type: field("type"),
    value: field("value"),
  };
}

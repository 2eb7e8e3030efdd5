import { z } from "zod";
import { DEFAULT_PRODUCT_CODE, PRODUCTS } from "../cas/products";
import { CsrError, normalizeDomain, parseCsr, type CsrInfo } from "../pki/csr";

/**
 * The value Pulumi passes for inputs that are not known yet during a preview (whatever their
 * type). Hard-coded: referencing `pulumi.runtime` here would drag the SDK into the provider.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A host name as CAS accepts it: LDH labels, optionally one leading `*.`; ASCII only (punycode for IDNs). */
export const DOMAIN_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(xn--[a-z0-9-]{1,59}|[a-z]{2,63})$/;
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]{1,64}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const PHONE_RE = /^\+?[0-9][0-9 ()*-]{5,22}[0-9*]$/;

const text = (max: number) => z.string().min(1, "must not be empty").max(max, `at most ${max} characters`);

/** Inputs of a CertificateOrder, in the API's names turned camelCase, plus provider behaviour. */
export const orderInputsSchema = z
  .object({
    csr: z.string().max(16_384, "a CSR PEM is at most 16 KiB").optional(),
    domain: text(253).optional(),
    productCode: z
      .string()
      .refine((c) => c in PRODUCTS, {
        message: `unknown product code; use one of ${Object.keys(PRODUCTS).join(", ")}`,
      })
      .default(DEFAULT_PRODUCT_CODE),
    validateType: z
      .enum(["DNS", "FILE"], { message: "use DNS or FILE (CAS has no EMAIL validation)" })
      .default("DNS"),
    username: text(64).optional(),
    phone: z.string().regex(PHONE_RE, "a phone number such as 13800001111 or +86 138 0000 1111").optional(),
    email: z.string().max(254).regex(EMAIL_RE, "an email address such as ops@example.com").optional(),
    companyName: text(128).optional(),
    tags: z.record(text(128), text(256)).optional(),
    dnsZone: text(253).optional(),
    adoptOrderId: z
      .string()
      .regex(/^\d{1,20}$/, "a decimal OrderId")
      .optional(),
    onDelete: z
      .enum(["cancel", "revoke", "retain"], { message: "use cancel, revoke or retain" })
      .default("cancel"),
    renewBeforeDays: z.number().int().min(1).max(365).optional(),
    quotaCheck: z.enum(["warn", "fail", "off"], { message: "use warn, fail or off" }).default("warn"),
  })
  .strict();

/** Inputs after `check`: defaults applied, names normalized, CSR canonical. */
export type OrderInputs = z.output<typeof orderInputsSchema>;

/** One problem with one property, as Pulumi's CheckFailure. */
export interface Failure {
  property: string;
  reason: string;
}

/** Which API action an order goes through, by this rule: OV product or company, or several names → ForPackage; own CSR → WithCsr; else by domain. */
export function chooseAction(
  inputs: OrderInputs,
  names: string[],
): "CreateCertificateForPackageRequest" | "CreateCertificateWithCsrRequest" | "CreateCertificateRequest" {
  if (PRODUCTS[inputs.productCode]?.level !== "DV" || inputs.companyName || names.length > 1)
    return "CreateCertificateForPackageRequest";
  return inputs.csr ? "CreateCertificateWithCsrRequest" : "CreateCertificateRequest";
}

const hasUnknown = (v: unknown): boolean =>
  v === UNKNOWN ||
  (Array.isArray(v) ? v.some(hasUnknown) : !!v && typeof v === "object" && Object.values(v).some(hasUnknown));

/**
 * Validates and normalizes raw inputs. Every problem becomes one failure naming its property.
 * Values still unknown during a preview are not judged.
 */
export async function checkOrderInputs(
  raw: Record<string, unknown>,
): Promise<{ inputs: Record<string, unknown>; failures: Failure[]; csr: CsrInfo | null }> {
  const { __provider: _provider, ...rest } = raw;
  const known: Record<string, unknown> = {};
  const unknown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined || v === null) continue;
    (hasUnknown(v) ? unknown : known)[k] = v;
  }
  if (typeof known.domain === "string") known.domain = normalizeDomain(known.domain);
  if (typeof known.email === "string") known.email = known.email.trim();

  const failures: Failure[] = [];
  const parsed = orderInputsSchema.safeParse(known);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const property = issue.path.length ? String(issue.path[0]) : "";
      const reason =
        issue.code === "unrecognized_keys"
          ? `unknown ${issue.keys.length > 1 ? "properties" : "property"} ${issue.keys.join(", ")}`
          : issue.message;
      failures.push({ property: issue.code === "unrecognized_keys" ? issue.keys[0]! : property, reason });
    }
    return { inputs: rest, failures, csr: null };
  }
  const inputs = parsed.data;
  const product = PRODUCTS[inputs.productCode]!;

  let csr: CsrInfo | null = null;
  if (inputs.csr !== undefined) {
    try {
      csr = await parseCsr(inputs.csr);
      inputs.csr = csr.pem;
      if (!csr.commonName)
        failures.push({
          property: "csr",
          reason: "the CSR subject has no CN (CAS binds the certificate to the CN); add CN=<your domain>",
        });
    } catch (e) {
      if (!(e instanceof CsrError)) throw e;
      failures.push({ property: "csr", reason: e.message });
    }
  }

  const hasCsr = inputs.csr !== undefined || "csr" in unknown;
  const hasDomain = inputs.domain !== undefined || "domain" in unknown;
  if (!hasCsr && !hasDomain)
    failures.push({
      property: "domain",
      reason: "set either domain (CAS makes the key) or csr (your own key)",
    });

  if (inputs.domain !== undefined) {
    if (!DOMAIN_RE.test(inputs.domain))
      failures.push({
        property: "domain",
        reason: `"${inputs.domain}" is not a valid host name (letters, digits and hyphens; one leading "*." for a wildcard; punycode for international names)`,
      });
    if (csr && !csr.names.includes(inputs.domain))
      failures.push({
        property: "domain",
        reason: `the CSR is for ${csr.names.join(", ")}, not ${inputs.domain}; make them match or drop domain`,
      });
  }
  const names = csr ? csr.names : inputs.domain ? [inputs.domain] : [];
  for (const n of names) {
    if (!DOMAIN_RE.test(n))
      failures.push({ property: "csr", reason: `the CSR names "${n}", which is not a valid host name` });
  }
  const wild = names.filter((n) => n.startsWith("*."));
  const property = csr ? "csr" : "domain";
  if (wild.length > 0 && wild.length < names.length)
    failures.push({ property, reason: "CAS cannot mix wildcard and single names in one order" });
  else if (names.length > 0 && wild.length > 0 !== product.wildcard)
    failures.push({
      property: "productCode",
      reason: product.wildcard
        ? `${inputs.productCode} is a wildcard product; order *.${names[0]!.replace(/^\*\./, "")} or pick a single-domain product such as digicert-free-1-free`
        : `${inputs.productCode} is a single-domain product and ${wild[0]} is a wildcard; pick a wildcard product such as geotrust-dv-w-starter`,
    });
  if (names.length > 5)
    failures.push({
      property: "csr",
      reason: `CAS orders carry at most 5 names; this CSR has ${names.length}`,
    });

  const action = chooseAction(inputs, names);
  if (action !== "CreateCertificateForPackageRequest")
    for (const f of ["username", "phone", "email"] as const)
      if (inputs[f] === undefined && !(f in unknown))
        failures.push({ property: f, reason: `${action} needs the contact's ${f}` });

  return { inputs: { ...inputs, ...unknown }, failures, csr };
}

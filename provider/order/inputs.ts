import * as z from "zod";
import { DEFAULT_PRODUCT_CODE, MAX_PACKAGE_DOMAINS, productSpec } from "../cas/products";
import { CsrError, isBareCsrPem, normalizeDomain, parseCsr, type CsrInfo } from "../pki/csr";
import { hideValues } from "./key-material";
import { MAX_NAME_LENGTH, withoutWildcard } from "./record-name";
import {
  CONTROL_CHARACTER,
  ON_DELETE_VALUES,
  oneOf,
  QUOTA_CHECK_VALUES,
  VALIDATE_TYPES,
} from "./input-values";
import { checkTags, tagsSchema } from "./tags";
import type { CreateAction, Failure } from "./check-failure";

/**
 * The value Pulumi passes for inputs that are not known yet during a preview (whatever their
 * type). Hard-coded: referencing `pulumi.runtime` here would drag the SDK into the provider.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A host name as CAS accepts it: LDH labels, optionally one leading `*.`; ASCII only (punycode for IDNs). */
export const DOMAIN_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(xn--[a-z0-9-]{1,59}|[a-z]{2,63})$/;
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]{1,64}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/**
 * Digits (or `*` masks) in groups split by one space or hyphen; an area code may stand in parentheses.
 * Written one character (or one parenthesized group) at a time, each alternative starting with a
 * different character, so a failing match cannot backtrack: `[0-9*]+` repeated inside `(…)*` took
 * exponential time ("13800001111 13900002222 13700003333 (mobile)" never finished).
 */
const PHONE_RE = /^\+?(?![ -])(?:[0-9*]|\([0-9]{1,5}\)|[ -](?=[0-9*(]))+$/;
/** 20 digits plus separators, parentheses and `+`; checked before the pattern. */
const PHONE_MAX = 40;
/** Control, format (bidi overrides, zero-width) and line/paragraph separators: never part of a name, contact or tag. */
const noControl = (v: string) => !CONTROL_CHARACTER.test(v);
const CONTROL_MESSAGE = "must not contain control characters (NUL, CR/LF, tabs, bidi or zero-width marks)";

/** What a plan's product code looks like (`digicert-free-1-free`, `vtrus-dv-w-starter`). */
const PRODUCT_CODE_RE = /^[a-z0-9]+(-[a-z0-9]+){0,7}$/;

/** A CAS OrderId: a decimal long (at most 20 digits, the width of an unsigned 64-bit integer). */
export const ORDER_ID_RE = /^\d{1,20}$/;

const text = (max: number) =>
  z
    .string()
    .min(1, "must not be empty")
    .max(max, `at most ${max} characters`)
    .refine(noControl, CONTROL_MESSAGE);

/** Inputs of a CertificateOrder, in the API's names turned camelCase, plus provider behaviour. */
export const orderInputsSchema = z
  .object({
    csr: z
      .string({
        message:
          'must be the CSR as PEM text, e.g. readFileSync("app.csr", "utf8"), not a Buffer, list or object',
      })
      .max(16_384, "a CSR PEM is at most 16 KiB")
      .optional(),
    domain: text(MAX_NAME_LENGTH).optional(),
    domains: z
      .array(text(MAX_NAME_LENGTH))
      .min(1, "list at least one name")
      .max(MAX_PACKAGE_DOMAINS, `CAS orders carry at most ${MAX_PACKAGE_DOMAINS} names`)
      .optional(),
    // Any code of this shape: undocumented ones (seen in real programs) only warn, in check.
    productCode: z
      .string()
      .regex(
        PRODUCT_CODE_RE,
        "a product code such as digicert-free-1-free (lowercase letters and digits in groups joined by hyphens)",
      )
      .default(DEFAULT_PRODUCT_CODE),
    validateType: z
      .enum(VALIDATE_TYPES, { message: `use ${oneOf(VALIDATE_TYPES)} (CAS has no EMAIL validation)` })
      .default("DNS"),
    username: text(64).optional(),
    phone: z
      .string()
      .max(PHONE_MAX, { message: `at most ${PHONE_MAX} characters (6 to 20 digits)`, abort: true })
      .regex(PHONE_RE, "a phone number such as 13800001111 or +86 138 0000 1111")
      .refine((p) => (p.match(/[0-9*]/g) ?? []).length >= 6 && (p.match(/[0-9*]/g) ?? []).length <= 20, {
        message: "a phone number has 6 to 20 digits",
      })
      .optional(),
    email: z
      .string()
      .max(254)
      .refine(noControl, CONTROL_MESSAGE)
      .regex(EMAIL_RE, "an email address such as ops@example.com")
      .optional(),
    companyName: text(128).optional(),
    // Limits differ per action: checked by checkTags once the action is known.
    tags: tagsSchema.optional(),
    dnsZone: text(MAX_NAME_LENGTH).optional(),
    adoptOrderId: z
      .string({
        error: 'a string such as "12000007": OrderIds can exceed 2^53, where a number loses digits',
      })
      .regex(ORDER_ID_RE, "a decimal OrderId")
      .optional(),
    onDelete: z.enum(ON_DELETE_VALUES, { message: `use ${oneOf(ON_DELETE_VALUES)}` }).default("cancel"),
    renewBeforeDays: z
      .number({ message: "a whole number of days" })
      .int("a whole number of days")
      .min(1, "at least 1 day")
      .max(365, "at most 365 days")
      .optional(),
    quotaCheck: z.enum(QUOTA_CHECK_VALUES, { message: `use ${oneOf(QUOTA_CHECK_VALUES)}` }).default("warn"),
  })
  .strict();

/** Inputs after `check`: defaults applied, names normalized, CSR canonical. */
export type OrderInputs = z.output<typeof orderInputsSchema>;

/**
 * The default of every input that has one, read from {@link orderInputsSchema} (the one place
 * defaults are written): what an input left unset means, for state written before `check` applied it.
 */
export const INPUT_DEFAULTS: Readonly<Partial<OrderInputs>> = Object.fromEntries(
  Object.entries(orderInputsSchema.shape).flatMap(([key, schema]) => {
    const unset = schema.safeParse(undefined);
    return unset.success && unset.data !== undefined ? [[key, unset.data]] : [];
  }),
);

/**
 * What a CSR holds that CAS would not bind (it binds the CN only): names beyond the CN, a second CN,
 * IP, e-mail or URI names. Releases before 0.2.0 accepted such CSRs; an order placed with one keeps it.
 */
export function csrBindingFailures(csr: CsrInfo): Failure[] {
  const failures: Failure[] = [];
  // SDK remark on CreateCertificateForPackageRequest.Domain/Csr: names beyond the CN would
  // silently be missing from the certificate.
  const extra = csr.commonName ? csr.names.filter((n) => n !== csr.commonName) : [];
  if (extra.length > 0)
    failures.push({
      property: "csr",
      reason: `CAS binds only the CSR's CN (${csr.commonName}); ${extra.join(", ")} would not be in the certificate. Order several names with domains (CAS makes the key), or place one order per name with its own CSR`,
    });
  if (csr.commonNameCount > 1)
    failures.push({
      property: "csr",
      reason: `the CSR subject has ${csr.commonNameCount} CNs; CAS binds one name per CSR: make the CSR with a single CN, or order several names with domains`,
    });
  if (csr.otherNames.length > 0)
    failures.push({
      property: "csr",
      reason: `the CSR's subjectAltName holds ${csr.otherNames.join(", ")}; CAS binds only the CN, so these would not be in the certificate: make the CSR with DNS names only`,
    });
  return failures;
}

export type { Failure } from "./check-failure";

/** The first character outside ASCII, if any. */
const nonAscii = (n: string): string | undefined => /[\u0080-\u{10ffff}]/u.exec(n)?.[0];

/** Why `n` (which failed {@link DOMAIN_RE}) is not a host name CAS takes. */
function hostNameReason(n: string): string {
  const c = nonAscii(n);
  if (c)
    return `"${n}" holds ${c} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}), not ASCII; write the name in ASCII letters, and an international name as its punycode A-label (xn--…)`;
  return `"${n}" is not a valid host name (letters, digits and hyphens; one leading "*." for a wildcard; punycode for international names)`;
}

/** `dnsZone` must be a plain domain and a suffix of every ordered name. */
function zoneFailures(zone: string | undefined, names: string[]): Failure[] {
  if (zone === undefined) return [];
  const z = normalizeDomain(zone);
  if (!DOMAIN_RE.test(z) || z.startsWith("*."))
    return [
      { property: "dnsZone", reason: "a DNS zone such as example.com (letters, digits, hyphens and dots)" },
    ];
  const outside = names.filter((n) => {
    const base = withoutWildcard(n);
    return base !== z && !base.endsWith(`.${z}`);
  });
  return outside.length
    ? [
        {
          property: "dnsZone",
          reason: `${outside.join(", ")} ${outside.length > 1 ? "are" : "is"} not in zone ${z}`,
        },
      ]
    : [];
}

/** Which API action an order goes through, by this rule: OV product or company, or several names → ForPackage; own CSR → WithCsr; else by domain. */
export function chooseAction(inputs: OrderInputs, names: string[]): CreateAction {
  // An undocumented code goes through the one action that lists every code.
  if (productSpec(inputs.productCode)?.level !== "DV" || inputs.companyName || names.length > 1)
    return "CreateCertificateForPackageRequest";
  return inputs.csr ? "CreateCertificateWithCsrRequest" : "CreateCertificateRequest";
}

const hasUnknown = (v: unknown): boolean =>
  v === UNKNOWN ||
  (Array.isArray(v) ? v.some(hasUnknown) : !!v && typeof v === "object" && Object.values(v).some(hasUnknown));

/**
 * Validates and normalizes raw inputs. Every problem becomes one failure naming its property.
 * Values still unknown during a preview are not judged.
 *
 * The engine prints a named property's value beside the reason, so a failure names `csr` only when
 * the value is exactly one CSR text (public) or empty; otherwise (any other text, a Buffer, a list)
 * it is reported as `csr: <reason>` under no property, because it may hold a private key in a form we
 * do not recognize. A value of any property that holds a key in a form we recognize is never named.
 */
export async function checkOrderInputs(
  raw: Record<string, unknown>,
  warnProduct: (productCode: string) => void = () => undefined,
): Promise<{ inputs: Record<string, unknown>; failures: Failure[]; csr: CsrInfo | null }> {
  const result = await judgeOrderInputs(raw);
  const code = result.inputs.productCode;
  if (
    typeof code === "string" &&
    code !== UNKNOWN &&
    !result.failures.some((f) => f.property === "productCode")
  )
    warnProduct(code);
  const value = raw.csr;
  const showable =
    value === undefined ||
    value === null ||
    (typeof value === "string" && (value.trim() === "" || isBareCsrPem(value)));
  result.failures = hideValues(raw, result.failures, showable ? [] : ["csr"]);
  return result;
}

async function judgeOrderInputs(
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
  if (Array.isArray(known.domains))
    known.domains = known.domains.map((d) => (typeof d === "string" ? normalizeDomain(d) : d));
  if (typeof known.email === "string") known.email = known.email.trim();
  // A whole number that is still exact (YAML or JavaScript `adoptOrderId: 12000007`) is that OrderId.
  if (
    typeof known.adoptOrderId === "number" &&
    Number.isSafeInteger(known.adoptOrderId) &&
    known.adoptOrderId >= 0
  )
    known.adoptOrderId = String(known.adoptOrderId);

  const failures: Failure[] = [];
  const parsed = orderInputsSchema.safeParse(known);
  if (!parsed.success) {
    // zod also runs length checks on a value of the wrong type ("a.example.com" has a length):
    // only the type error is the real problem there.
    const mistyped = new Set(
      parsed.error.issues.filter((i) => i.code === "invalid_type").map((i) => JSON.stringify(i.path)),
    );
    for (const issue of parsed.error.issues) {
      if (issue.code !== "invalid_type" && mistyped.has(JSON.stringify(issue.path))) continue;
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
  // `wildcard: null` (docs disagree) or an undocumented code: CAS decides.
  const wildcardKind = productSpec(inputs.productCode)?.wildcard ?? null;

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
      // The engine prints a named property's value beside the reason: never for a private key.
      failures.push(
        e.containsSecret
          ? { property: "", reason: `csr: ${e.message}` }
          : { property: "csr", reason: e.message },
      );
    }
  }

  const hasCsr = inputs.csr !== undefined || "csr" in unknown;
  const hasDomain = inputs.domain !== undefined || "domain" in unknown;
  const hasDomains = inputs.domains !== undefined || "domains" in unknown;
  if (!hasCsr && !hasDomain && !hasDomains)
    failures.push({
      property: "domain",
      reason: "set domain or domains (CAS makes the key), or csr (your own key)",
    });
  if (hasDomains && (hasDomain || hasCsr))
    failures.push({
      property: "domains",
      reason: hasCsr
        ? "with csr CAS binds only the CSR's CN; drop csr to order several names by domain (CAS makes the key), or place one order per name"
        : "set domain (one name) or domains (several), not both",
    });

  if (inputs.domain !== undefined) {
    if (!DOMAIN_RE.test(inputs.domain))
      failures.push({ property: "domain", reason: hostNameReason(inputs.domain) });
    if (csr?.commonName && inputs.domain !== csr.commonName)
      failures.push({
        property: "domain",
        reason: `CAS binds the CSR's CN, ${csr.commonName}, not ${inputs.domain}; make them match or drop domain`,
      });
  }
  for (const n of inputs.domains ?? [])
    if (!DOMAIN_RE.test(n)) failures.push({ property: "domains", reason: hostNameReason(n) });
  if (inputs.domains && new Set(inputs.domains).size < inputs.domains.length)
    failures.push({ property: "domains", reason: "a name is listed twice" });

  if (csr) failures.push(...csrBindingFailures(csr));

  const names = csr?.commonName
    ? [csr.commonName]
    : (inputs.domains ?? (inputs.domain ? [inputs.domain] : []));
  // A domain input was judged above; this is the CSR's own name.
  for (const n of csr?.commonName ? names : []) {
    if (n.length > MAX_NAME_LENGTH)
      failures.push({
        property: "csr",
        reason: `a name in the CSR has ${n.length} characters (at most ${MAX_NAME_LENGTH})`,
      });
    else if (!DOMAIN_RE.test(n))
      failures.push({
        property: "csr",
        reason: nonAscii(n)
          ? `the CSR's CN ${hostNameReason(n)}`
          : `the CSR's CN "${n}" is not a valid host name`,
      });
  }
  failures.push(...zoneFailures(inputs.dnsZone, names));
  const wild = names.filter((n) => n.startsWith("*."));
  const property = csr ? "csr" : inputs.domains ? "domains" : "domain";
  if (wild.length > 0 && wild.length < names.length)
    failures.push({ property, reason: "CAS cannot mix wildcard and single names in one order" });
  else if (names.length > 0 && wildcardKind !== null && wild.length > 0 !== wildcardKind)
    failures.push({
      property: "productCode",
      reason: wildcardKind
        ? `${inputs.productCode} is a wildcard product; order *.${withoutWildcard(names[0]!)} or pick a single-domain product such as digicert-free-1-free`
        : `${inputs.productCode} is a single-domain product and ${wild[0]} is a wildcard; pick a wildcard product such as geotrust-dv-w-starter`,
    });

  const action = chooseAction(inputs, names);
  if (inputs.tags) failures.push(...checkTags(inputs.tags, action));
  if (action !== "CreateCertificateForPackageRequest")
    for (const f of ["username", "phone", "email"] as const)
      if (inputs[f] === undefined && !(f in unknown))
        failures.push({ property: f, reason: `${action} needs the contact's ${f}` });

  return { inputs: { ...inputs, ...unknown }, failures, csr };
}

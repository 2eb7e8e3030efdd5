// Inputs and stored state of an InstanceCertificate: a certificate applied on a CAS certificate
// instance (the V2.0 family), versioned from the start through the state chain.
import * as z from "zod";
import { INSTANCE_KEY_ALGORITHMS } from "../cas/instance-schemas";
import { DOMAIN_RE, UNKNOWN, type Failure } from "../order/inputs";
import { storedState, type Upgrader } from "../order/state-chain";
import { normalizeDomain, parseCsr } from "../pki/csr";

/** A value still unknown during a preview, or one `schema` accepts. */
const orUnknown = <T extends z.ZodType>(schema: T, message: string) =>
  z.union([z.literal(UNKNOWN), schema], { error: message });

const name = z.string().transform((v) => (v === UNKNOWN ? v : normalizeDomain(v)));

/** What the SDK's args declare; anything else is refused. */
export const instanceInputsSchema = z
  .object({
    instanceId: orUnknown(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/),
      "an instance id (cas-cn-…)",
    ).nullish(),
    instanceType: z
      .literal("TEST", { error: 'only "TEST" (an inactive test instance of the account\'s pool)' })
      .nullish(),
    domain: orUnknown(name, "a domain name").nullish(),
    domains: orUnknown(z.array(name).min(1), "a list of domain names").nullish(),
    csr: orUnknown(z.string().min(1), "a PEM certificate signing request").nullish(),
    keyAlgorithm: z.enum(INSTANCE_KEY_ALGORITHMS).nullish(),
    validationMethod: z.enum(["DNS", "HTTP"]).nullish(),
    contactIds: orUnknown(
      z.array(z.string().regex(/^\d+$/, "a decimal contact id")).min(1),
      "contact ids",
    ).nullish(),
    username: z.string().min(1).nullish(),
    phone: z.string().min(1).nullish(),
    email: z.string().min(3).nullish(),
    companyId: orUnknown(z.string().regex(/^\d+$/), "a decimal company id").nullish(),
    autoReissue: z.boolean().nullish(),
    tags: z.record(z.string().min(1).max(64), z.string().max(128)).nullish(),
    // `retain` is CertificateOrder's word for `keep`: read as `keep`, so state and diffs never tell them apart.
    onDelete: z
      .enum(["keep", "retain", "revoke"], { error: 'one of "keep" (or "retain", the same) and "revoke"' })
      .transform((v) => (v === "retain" ? "keep" : v))
      .nullish(),
    dnsZone: orUnknown(name, "a DNS zone").nullish(),
  })
  .strict();
export type InstanceInputs = z.output<typeof instanceInputsSchema>;

/** The output names the SDK declares as undefined inputs (the engine passes them to check). */
export const INSTANCE_OUTPUT_NAMES = [
  "status",
  "statusReason",
  "validationRecords",
  "files",
  "certificateId",
  "certIdentifier",
  "notAfter",
  "claim",
  "schemaVersion",
] as const;

/** The inputs with the outputs stripped, as `check` returns them. */
export function inputsOnly(news: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(news))
    if (!(INSTANCE_OUTPUT_NAMES as readonly string[]).includes(k) && k !== "__provider" && v !== undefined)
      out[k] = v;
  return out;
}

/** Failures of an InstanceCertificate's inputs: each names the property and the fix. */
export async function checkInstanceInputs(news: Record<string, unknown>): Promise<Failure[]> {
  const parsed = instanceInputsSchema.safeParse(inputsOnly(news));
  if (!parsed.success)
    return parsed.error.issues.map((i) => ({
      property: String(i.path[0] ?? "(inputs)"),
      reason: i.code === "unrecognized_keys" ? `unknown input ${i.keys.join(", ")}` : i.message,
    }));
  const p = parsed.data;
  const failures: Failure[] = [];
  if ((p.instanceId == null) === (p.instanceType == null))
    failures.push({
      property: p.instanceId == null ? "instanceType" : "instanceId",
      reason:
        'set exactly one of instanceId (an instance of the account, e.g. a bought one) or instanceType: "TEST" (an inactive test instance from the account\'s pool)',
    });
  const sources = [p.domain, p.domains, p.csr].filter((v) => v != null).length;
  if (sources !== 1)
    failures.push({
      property: p.csr != null ? "csr" : p.domains != null ? "domains" : "domain",
      reason: "set exactly one of domain, domains or csr: the names the certificate is applied for",
    });
  for (const d of [p.domain, ...(p.domains ?? [])])
    if (d != null && d !== UNKNOWN && !DOMAIN_RE.test(d))
      failures.push({
        property: p.domain != null ? "domain" : "domains",
        reason: `${d} is not a domain name`,
      });
  if (p.instanceType === "TEST" && (p.domains?.length ?? 0) > 1)
    failures.push({ property: "domains", reason: "a TEST instance takes a single name; give one domain" });
  for (const d of [p.domain, ...(p.domains ?? [])])
    if (p.instanceType === "TEST" && d != null && d.startsWith("*."))
      failures.push({
        property: p.domain != null ? "domain" : "domains",
        reason: `${d}: a TEST instance takes a single name, not a wildcard; give one name (www.example.com), or name a bought wildcard instance with instanceId`,
      });
  if (p.csr != null && p.csr !== UNKNOWN) {
    try {
      const info = await parseCsr(p.csr);
      if (!info.commonName) failures.push({ property: "csr", reason: "the CSR has no CN: CAS binds the CN" });
      else if (p.instanceType === "TEST" && info.commonName.startsWith("*."))
        failures.push({
          property: "csr",
          reason: `the CSR's CN ${info.commonName} is a wildcard: a TEST instance takes a single name; make the CSR for one name, or name a bought wildcard instance with instanceId`,
        });
    } catch (e) {
      failures.push({ property: "csr", reason: (e as Error).message });
    }
    if (p.keyAlgorithm != null)
      failures.push({ property: "keyAlgorithm", reason: "the key is the CSR's: remove keyAlgorithm" });
  }
  const byName = [p.username, p.phone].filter((v) => v != null).length;
  if (p.contactIds == null && byName !== 2)
    failures.push({
      property: p.username == null ? "username" : "phone",
      reason:
        "a contact is required: give contactIds, or username and phone (and email; the contact is found by email, else created)",
    });
  if (p.contactIds != null && (p.username != null || p.phone != null || p.email != null))
    failures.push({ property: "contactIds", reason: "give contactIds or username/phone/email, not both" });
  return failures;
}

/** The names an application binds: `domain`, `domains`, or the CSR's CN. */
export async function appliedNames(p: InstanceInputs): Promise<string[]> {
  if (p.domain) return [p.domain];
  if (p.domains) return [...new Set(p.domains)];
  const info = await parseCsr(p.csr!);
  return [info.commonName!];
}

const record = z.object({
  domain: z.string(),
  names: z.array(z.string()),
  fqdn: z.string(),
  rr: z.string(),
  zone: z.string(),
  type: z.string(),
  value: z.string(),
  recordDomain: z.string(),
});
const file = z.object({ domain: z.string(), path: z.string(), content: z.string(), url: z.string() });

/** Statuses of an InstanceCertificate (CertificateOrder's names where the meaning is the same). */
const INSTANCE_CERT_STATUSES = [
  "pending_validation",
  "issued",
  "failed",
  "cancelled",
  "revoked",
  "expired",
  "unknown",
] as const;
export type InstanceCertStatus = (typeof INSTANCE_CERT_STATUSES)[number];

/** The stored state, version 2: the normalized inputs, the claim, the account, and what CAS said. */
export const instanceStateSchema = z.object({
  schemaVersion: z.literal(2),
  instanceId: z.string(),
  /**
   * The Alibaba Cloud account the instance is in (STS GetCallerIdentity at create); `null` in state
   * of version 1 until its first successful read.
   */
  accountId: z.string().nullable(),
  instanceType: z.literal("TEST").nullable(),
  /** The instance was named by `instanceId` (not taken from the pool). */
  pinned: z.boolean(),
  /** The value of this resource's claim tag on the instance. */
  claim: z.string(),
  domains: z.array(z.string()),
  csr: z.string().nullable(),
  keyAlgorithm: z.string().nullable(),
  validationMethod: z.enum(["DNS", "HTTP"]),
  contactIds: z.array(z.string()),
  username: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  companyId: z.string().nullable(),
  autoReissue: z.boolean(),
  tags: z.record(z.string(), z.string()),
  onDelete: z.enum(["keep", "revoke"]),
  dnsZone: z.string().nullable(),
  status: z.enum(INSTANCE_CERT_STATUSES),
  statusReason: z.string().nullable(),
  validationRecords: z.record(z.string(), record),
  files: z.array(file),
  certificateId: z.string().nullable(),
  certIdentifier: z.string().nullable(),
  notAfter: z.string().nullable(),
});
export type InstanceState = z.output<typeof instanceStateSchema>;

/** The upgraders of InstanceCertificate state, one per version (see state-chain.ts). */
const INSTANCE_UPGRADERS: readonly Upgrader[] = [
  {
    to: 2,
    change:
      "`accountId` records the Alibaba Cloud account id (STS GetCallerIdentity); `null` for state of version 1, filled on its first successful read",
    up(props) {
      return { ...props, accountId: typeof props.accountId === "string" ? props.accountId : null };
    },
  },
];

/** InstanceCertificate state through the chain. */
export const INSTANCE_STATE = storedState(
  "InstanceCertificate state",
  instanceStateSchema,
  INSTANCE_UPGRADERS,
);

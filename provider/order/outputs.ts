import type { ResponseOf } from "../cas/actions";
import { describeCertificate, splitPemCertificates } from "../pki/certificate";
import type { OrderInputs } from "./inputs";
import { certificateLink } from "./certificate-link";
import { client, log } from "./settings";

/** Bumped when the shape of the outputs changes; `read` upgrades older state. */
export const SCHEMA_VERSION = 2;

/** Normalized order status (the raw API `type` is kept beside it). */
export type OrderStatus =
  "pending_validation" | "under_review" | "issued" | "failed" | "cancelled" | "unknown";

const STATUS: Record<string, OrderStatus> = {
  domain_verify: "pending_validation",
  process: "under_review",
  certificate: "issued",
  verify_fail: "failed",
  payed: "cancelled",
};

/** One DNS record to publish for one ordered name. */
export interface DnsValidationRecord {
  /** The ordered name this record proves (`*.example.com` and `example.com` share one). */
  domain: string;
  /** Fully qualified record name, without trailing dot. */
  fqdn: string;
  /** Host record relative to `zone` (what `alicloud.dns.AlidnsRecord.rr` takes). */
  rr: string;
  zone: string;
  type: string;
  value: string;
  /** `RecordDomain` exactly as CAS returned it. */
  recordDomain: string;
}

export interface FileValidation {
  domain: string;
  path: string;
  content: string;
  url: string;
}

/** Everything a CertificateOrder stores: the normalized inputs plus what CAS says. Plain JSON only. */
export interface OrderOutputs extends Record<string, unknown> {
  schemaVersion: number;
  orderId: string;
  action: string;
  domains: string[];
  status: OrderStatus;
  type: string;
  statusReason: string | null;
  validation:
    { method: "DNS"; records: DnsValidationRecord[] } | { method: "FILE"; files: FileValidation[] } | null;
  /** DNS records keyed by ordered name, for programs (`order.validationRecords["www.example.com"].value`). */
  validationRecords: Record<string, DnsValidationRecord>;
  certificatePem: string | null;
  certificateChainPem: string | null;
  notBefore: string | null;
  notAfter: string | null;
  serialNumber: string | null;
  fingerprintSha256: string | null;
  /** SHA-1 fingerprint (what CAS lists as `Fingerprint`), colon-separated upper-case hex. */
  fingerprintSha1: string | null;
  /** CAS certificate id for CDN/DCDN/SLB (`certId`, `alicloudCertificateId`); `null` until issued and found. */
  certificateId: string | null;
  /** `{certId}-{region}` from `GetUserCertificateDetail.CertIdentifier`, for ALB/NLB/WAF/GA/OSS. */
  certIdentifier: string | null;
  sans: string[] | null;
  /** Only when CAS generated the key (orders by domain). Always a secret in state. */
  privateKeyPem: string | null;
}

/** The zone of a name when none is given: its last two labels (set `dnsZone` for names under a public suffix such as co.uk). */
export function guessZone(name: string): string {
  return name.replace(/^\*\./, "").split(".").slice(-2).join(".");
}

/** Host record of `fqdn` relative to `zone` (`@` at the apex). */
export function relativeTo(fqdn: string, zone: string): string {
  if (fqdn === zone) return "@";
  return fqdn.endsWith(`.${zone}`) ? fqdn.slice(0, -zone.length - 1) : fqdn;
}

/**
 * CAS returns one `RecordDomain` per order. UNCONFIRMED whether it is relative (`_dnsauth`, as
 * the console shows) or a full name: a value that already ends with the ordered name is taken as
 * full, anything else as relative to the ordered name (wildcard prefix removed).
 */
export function dnsRecordsFor(
  domains: string[],
  recordDomain: string,
  type: string,
  value: string,
  zoneInput?: string,
): DnsValidationRecord[] {
  const seen = new Set<string>();
  const out: DnsValidationRecord[] = [];
  for (const domain of domains) {
    const base = domain.replace(/^\*\./, "");
    const rd = recordDomain.toLowerCase().replace(/\.$/, "");
    const fqdn = rd === base || rd.endsWith(`.${base}`) ? rd : `${rd}.${base}`;
    if (seen.has(fqdn)) continue;
    seen.add(fqdn);
    const zone = zoneInput ?? guessZone(domain);
    out.push({ domain, fqdn, rr: relativeTo(fqdn, zone), zone, type, value, recordDomain });
  }
  return out;
}

/** Builds the outputs from the inputs and one DescribeCertificateState answer. */
export async function toOutputs(
  inputs: OrderInputs,
  orderId: string,
  action: string,
  domains: string[],
  state: ResponseOf<"DescribeCertificateState">,
  previous?: Partial<OrderOutputs>,
): Promise<OrderOutputs> {
  const status = STATUS[state.Type] ?? "unknown";
  let validation: OrderOutputs["validation"] = previous?.validation ?? null;
  if (state.Type === "domain_verify") {
    if (state.ValidateType === "FILE" && state.Uri) {
      const files = domains.map((d) => {
        const host = d.replace(/^\*\./, "");
        return {
          domain: host,
          path: state.Uri!,
          content: state.Content ?? "",
          url: `http://${host}${state.Uri}`,
        };
      });
      validation = { method: "FILE", files };
    } else if (state.RecordDomain) {
      validation = {
        method: "DNS",
        records: dnsRecordsFor(
          domains,
          state.RecordDomain,
          state.RecordType ?? "TXT",
          state.RecordValue ?? "",
          inputs.dnsZone,
        ),
      };
    }
  }
  const records: Record<string, DnsValidationRecord> = {};
  if (validation?.method === "DNS") {
    for (const domain of domains) {
      const base = domain.replace(/^\*\./, "");
      const r = validation.records.find((x) => x.fqdn.endsWith(base));
      if (r) records[domain] = { ...r, domain };
    }
  }

  const cert = await certificateFields(state);
  const outputs: OrderOutputs = {
    ...stripUndefined(inputs),
    schemaVersion: SCHEMA_VERSION,
    orderId,
    action,
    domains,
    status,
    type: state.Type,
    statusReason:
      status === "failed"
        ? "CAS rejected the order (verify_fail): domain validation or review failed. Delete the order (it returns the quota) and order again."
        : null,
    validation,
    validationRecords: records,
    ...cert,
    // Looked up once per certificate and kept: refreshing an issued order costs one state call.
    ...(await certificateLink(client, orderId, domains, cert.serialNumber, previous, log)),
    privateKeyPem: state.PrivateKey ?? previous?.privateKeyPem ?? null,
  };
  return outputs;
}

/** Plain JSON for Pulumi: no `undefined` anywhere. */
export function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The issued certificate as outputs: PEM, chain, validity, serial, fingerprint, SANs (all `null` before issuance). */
export async function certificateFields(
  state: ResponseOf<"DescribeCertificateState">,
): Promise<
  Pick<
    OrderOutputs,
    | "certificatePem"
    | "certificateChainPem"
    | "notBefore"
    | "notAfter"
    | "serialNumber"
    | "fingerprintSha256"
    | "fingerprintSha1"
    | "sans"
  >
> {
  const [leaf, ...chain] =
    state.Type === "certificate" && state.Certificate ? splitPemCertificates(state.Certificate) : [];
  if (!leaf)
    return {
      certificatePem: null,
      certificateChainPem: null,
      notBefore: null,
      notAfter: null,
      serialNumber: null,
      fingerprintSha256: null,
      fingerprintSha1: null,
      sans: null,
    };
  const info = await describeCertificate(leaf);
  return {
    certificatePem: leaf,
    certificateChainPem: chain.length ? chain.join("") : null,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    serialNumber: info.serialNumber,
    fingerprintSha256: info.fingerprintSha256,
    fingerprintSha1: info.fingerprintSha1,
    sans: info.sans,
  };
}

import type { ResponseOf } from "../cas/actions";
import { describeCertificate, splitPemCertificates } from "../pki/certificate";
import { ORDER_STATE_VERSION, type OrderState, type StoredInputs } from "./state";
import { certificateLink, noteCertId } from "./certificate-link";
import { log } from "./log";
import { client } from "./settings";
import { guessZone, recordBase, relativeTo, validationRecordFqdn } from "./record-name";
import { LIFECYCLE, phaseOf, type OrderStatus } from "./lifecycle";
import type { CertificateOutputName, OrderOutputName } from "./output-names";

/** The version of the state this release writes (state.ts; older state is upgraded on every method). */
export const SCHEMA_VERSION = ORDER_STATE_VERSION;

export type { OrderStatus } from "./lifecycle";

/** What a stuck or failed state means and what to do, by API `Type` (from the life-cycle table). */
export const STATUS_REASON: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(LIFECYCLE).flatMap(([type, p]) => (p.reason ? [[type, p.reason]] : [])),
);

/** One DNS record to publish for one ordered name. */
export interface DnsValidationRecord {
  /** The first ordered name this record proves. */
  domain: string;
  /** Every ordered name this record proves: `*.example.com` and `example.com` share `_dnsauth.example.com`. */
  names: string[];
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
  schemaVersion: typeof ORDER_STATE_VERSION;
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

export { guessZone, relativeTo } from "./record-name";

/** The keys an object type declares by name (its index signature left out). */
type DeclaredKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
/** `true` only when `A` and `B` are the same set of names. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Compile-time: OrderOutputs declares exactly the names the SDK declares (output-names.ts).
const outputNamesMatch: SameNames<DeclaredKeys<OrderOutputs>, OrderOutputName> = true;
void outputNamesMatch;
// Compile-time: the stored state's schema holds exactly these outputs beside the inputs and the
// provider's own records (ownership, account, pendingCreate).
const storedNamesMatch: SameNames<
  Exclude<DeclaredKeys<OrderState>, DeclaredKeys<StoredInputs> | "ownership" | "account" | "pendingCreate">,
  Exclude<OrderOutputName, DeclaredKeys<StoredInputs>>
> = true;
void storedNamesMatch;

/**
 * One record per distinct record name, named by the one rule in `record-name.ts` whichever form
 * CAS gives `RecordDomain` in. Names that share a record (an apex and its wildcard) are listed
 * together in `names`; `domain` is the first of them.
 */
export function dnsRecordsFor(
  domains: string[],
  recordDomain: string,
  type: string,
  value: string,
  zoneInput?: string,
): DnsValidationRecord[] {
  const byFqdn = new Map<string, DnsValidationRecord>();
  for (const domain of domains) {
    const fqdn = validationRecordFqdn(domain, recordDomain);
    const shared = byFqdn.get(fqdn);
    if (shared) {
      shared.names.push(domain);
      continue;
    }
    const zone = zoneInput ?? guessZone(domain);
    byFqdn.set(fqdn, {
      domain,
      names: [domain],
      fqdn,
      rr: relativeTo(fqdn, zone),
      zone,
      type,
      value,
      recordDomain,
    });
  }
  return [...byFqdn.values()];
}

/** The record that proves `domain`, by exact record name (never by suffix: `example.com` is not `www.example.com`). */
export function recordFor(
  records: readonly DnsValidationRecord[],
  domain: string,
): DnsValidationRecord | undefined {
  const fqdn = validationRecordFqdn(domain, records[0]?.recordDomain ?? "_dnsauth");
  return records.find((r) => r.fqdn === fqdn);
}

/** Builds the outputs from the inputs and one DescribeCertificateState answer. */
export async function toOutputs(
  inputs: StoredInputs,
  orderId: string,
  action: string,
  domains: string[],
  state: ResponseOf<"DescribeCertificateState">,
  previous?: Partial<OrderState>,
): Promise<OrderOutputs> {
  const phase = phaseOf(state.Type);
  let validation: OrderOutputs["validation"] = previous?.validation ?? null;
  if (phase.awaitsValidation) {
    if (state.ValidateType === "FILE" && state.Uri) {
      // CAS names the one host the file must be served on (`Domain`); without it, every ordered name.
      const hosts = state.Domain ? [recordBase(state.Domain)] : [...new Set(domains.map(recordBase))];
      const files = hosts.map((host) => ({
        domain: host,
        path: state.Uri!,
        content: state.Content ?? "",
        url: `http://${host}${state.Uri}`,
      }));
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
      const r = recordFor(validation.records, domain);
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
    status: phase.status,
    type: state.Type,
    statusReason: phase.reason,
    validation,
    validationRecords: records,
    ...cert,
    // Looked up once per certificate (by the answer's CertId when it has one) and kept: refreshing
    // an issued order costs one state call.
    ...(await certificateLink(client, orderId, domains, cert.serialNumber, previous, log, state.CertId)),
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
  Pick<OrderOutputs, Exclude<CertificateOutputName, "privateKeyPem" | "certificateId" | "certIdentifier">>
> {
  const [leaf, ...chain] =
    phaseOf(state.Type).issued && state.Certificate ? splitPemCertificates(state.Certificate) : [];
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
  // For the link look-up that follows (certificate-link.ts): this certificate's id, by its serial.
  if (state.CertId) noteCertId(info.serialNumber, state.CertId);
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

/**
 * What a refresh changed, for the log: `pulumi refresh` compares the refreshed outputs with the
 * program's inputs and may print "unchanged" although the order moved on; only `read` sees both
 * the old and the new outputs. `null` when status, serial and expiry are all the same.
 */
export function refreshChanges(old: Record<string, unknown>, now: OrderOutputs): string | null {
  const shown = (v: unknown) => (v === undefined || v === null ? "none" : String(v));
  const parts: string[] = [];
  for (const [label, key] of [
    ["status", "status"],
    ["serial", "serialNumber"],
    ["expiry", "notAfter"],
  ] as const)
    if (shown(old[key]) !== shown(now[key])) parts.push(`${label} ${shown(old[key])} → ${shown(now[key])}`);
  return parts.length ? parts.join(", ") : null;
}

import type { ResponseOf } from "../cas/actions";
import { describeCertificate, splitPemCertificates } from "../pki/certificate";
import { normalizeDomain } from "../pki/csr";
import { ORDER_STATE_VERSION, type OrderState, type StoredInputs } from "./state";
import { certificateLink, type CertIdHints, type LinkApi } from "./certificate-link";
import type { Log } from "./log";
import { hostRecord, placeRecords, recordBase, relativeTo } from "./record-name";
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
 * One record per distinct record name, placed by the one rule in `record-name.ts`: CAS's single
 * `RecordDomain` proves the names under the registrable domain of the name it answers for; names
 * under another registrable domain get their own record with the same value. Names that share a
 * record are listed together in `names`; `domain` is the first of them. The zone is `zoneInput`
 * (`dnsZone`) when given, else the registrable domain.
 */
export function dnsRecordsFor(
  domains: string[],
  recordDomain: string,
  type: string,
  value: string,
  zoneInput?: string,
): DnsValidationRecord[] {
  return placeRecords(domains, recordDomain).map((p) => {
    // As AlidnsRecord names a zone: lower case, no surrounding spaces or trailing dot.
    const zone = zoneInput !== undefined ? normalizeDomain(zoneInput) : p.base;
    return {
      domain: p.names[0]!,
      names: p.names,
      fqdn: p.fqdn,
      rr: relativeTo(p.fqdn, zone),
      zone,
      type,
      value,
      recordDomain,
    };
  });
}

/** The record that proves `domain`: the one listing it among its `names` (exact names, never by suffix). */
export function recordFor(
  records: readonly DnsValidationRecord[],
  domain: string,
): DnsValidationRecord | undefined {
  return records.find((r) => r.names.includes(domain));
}

/**
 * One log line per record to publish, saying where it goes and why: how `RecordDomain` was read,
 * and whether the zone is the user's `dnsZone` or the registrable domain (Public Suffix List).
 */
export function describeRecords(
  orderId: string,
  domains: readonly string[],
  records: readonly DnsValidationRecord[],
  dnsZone: string | undefined,
): string[] {
  const placements = new Map(placeRecords(domains, records[0]?.recordDomain ?? "").map((p) => [p.fqdn, p]));
  return records.map((r) => {
    const p = placements.get(r.fqdn);
    const rd = JSON.stringify(r.recordDomain);
    const why =
      p?.reading === "full"
        ? `RecordDomain ${rd} is a full name (it ends with ${p.base})`
        : p?.reading === "relative to the base"
          ? `RecordDomain ${rd} read relative to ${p.base}`
          : p?.reading === "relative to the ordered name"
            ? `RecordDomain ${rd} has no dots: read relative to the ordered name (a guess)`
            : p?.reading === "another registrable domain"
              ? `not under the registrable domain CAS answered ${rd} for: the same value at ${r.fqdn} (a guess)`
              : `RecordDomain ${rd}`;
    const zone =
      dnsZone !== undefined
        ? `zone ${r.zone} (dnsZone)`
        : `zone ${r.zone} (the registrable domain, by the Public Suffix List; set dnsZone if the DNS zone is another)`;
    const outside =
      hostRecord(r.fqdn, r.zone) === null
        ? `; ${r.fqdn} is not in zone ${r.zone}: publish it in the zone that holds it`
        : "";
    return `order ${orderId}: publish ${r.type} ${r.fqdn} for ${r.names.join(", ")}: host record ${r.rr} in ${zone}; ${why}${outside}`;
  });
}

/** What building outputs reads and says: the client for the certificate link, the log, the CertId hints. */
export interface OutputsIo {
  api: () => LinkApi;
  log: Log;
  certIds: CertIdHints;
}

/** Builds the outputs from the inputs and one DescribeCertificateState answer. */
export async function toOutputs(
  io: OutputsIo,
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
      const dns = dnsRecordsFor(
        domains,
        state.RecordDomain,
        state.RecordType ?? "TXT",
        state.RecordValue ?? "",
        inputs.dnsZone,
      );
      // Said once per change (the first read, a new value, another dnsZone), not on every refresh.
      const where = (v: OrderOutputs["validation"]) =>
        v?.method === "DNS" ? JSON.stringify(v.records.map((r) => [r.fqdn, r.zone, r.type, r.value])) : null;
      validation = { method: "DNS", records: dns };
      if (where(validation) !== where(previous?.validation ?? null))
        for (const line of describeRecords(orderId, domains, dns, inputs.dnsZone)) io.log(line);
    }
  }
  const records: Record<string, DnsValidationRecord> = {};
  if (validation?.method === "DNS") {
    for (const domain of domains) {
      const r = recordFor(validation.records, domain);
      if (r) records[domain] = { ...r, domain };
    }
  }

  const cert = await certificateFields(state, io.certIds);
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
    ...(await certificateLink(
      io.api,
      orderId,
      domains,
      cert.serialNumber,
      previous,
      io.log,
      io.certIds,
      state.CertId,
    )),
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
  certIds?: CertIdHints,
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
  if (state.CertId) certIds?.note(info.serialNumber, state.CertId);
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

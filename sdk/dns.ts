import { hostRecord, uniqueRecords } from "../provider/order/record-name";
import { normalizeDomain } from "../provider/pki/csr";

/** A DNS validation record as {@link CertificateOrder} outputs it. */
export interface DnsRecordInput {
  domain?: string;
  fqdn: string;
  type: string;
  value: string;
}

/** Arguments for `alicloud.dns.AlidnsRecord` (plain values). */
export interface AlidnsRecordArgs {
  /** The zone in Alibaba Cloud DNS. */
  domainName: string;
  /** Host record relative to the zone (`@` at the apex). */
  rr: string;
  type: string;
  value: string;
  ttl: number;
}

/** Options of {@link alidnsRecordArgs}. */
export interface AlidnsRecordOptions {
  /** Record TTL in seconds (default 600). */
  ttl?: number | undefined;
  /**
   * `false`: return no record to publish, for a zone CAS validates by itself. When the zone is in
   * Alibaba Cloud DNS of the same account as the order, CAS adds the validation TXT record and
   * deletes conflicting TXT records at that name, so an `AlidnsRecord` this stack also manages
   * there can be removed or duplicated behind its back. The records are still checked against the
   * zone. Default `true`.
   */
  publishRecords?: boolean | undefined;
}

/**
 * Turns validation records into `alicloud.dns.AlidnsRecord` arguments for `zone`: computes the
 * host record of each record name in the zone (exact labels), drops duplicates (names that share a
 * record, such as an apex and its wildcard, or names under one registrable domain), and rejects
 * names outside the zone.
 *
 * The record names come from the order's outputs, which read CAS's `RecordDomain` by the one rule
 * in `provider/order/record-name.ts` (a full name as given, a dotted value relative to the
 * registrable domain, a bare label on the ordered name); this function only places them in `zone`.
 *
 * `records` is a list, or the order's `allValidationRecords` as resolved (keyed by ordered name).
 * The third argument is the TTL, or {@link AlidnsRecordOptions}.
 */
export function alidnsRecordArgs(
  records: readonly DnsRecordInput[] | Readonly<Record<string, DnsRecordInput>>,
  zone: string,
  options: number | AlidnsRecordOptions = {},
): AlidnsRecordArgs[] {
  const { ttl = 600, publishRecords = true } = typeof options === "number" ? { ttl: options } : options;
  const list: readonly DnsRecordInput[] = Array.isArray(records)
    ? records
    : Object.entries(records).map(([domain, r]) => ({ domain, ...r }));
  const z = normalizeDomain(zone);
  const out: AlidnsRecordArgs[] = [];
  for (const r of uniqueRecords(list.map((r) => ({ ...r, fqdn: normalizeDomain(r.fqdn) })))) {
    const rr = hostRecord(r.fqdn, z);
    if (rr === null)
      throw new Error(`${r.fqdn} is not in zone ${z}; pass the zone that holds ${r.domain ?? r.fqdn}`);
    out.push({
      domainName: z,
      rr,
      type: r.type,
      value: r.value,
      ttl,
    });
  }
  return publishRecords ? out : [];
}

import { hostRecord } from "../provider/order/record-name";
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

/**
 * Turns validation records into `alicloud.dns.AlidnsRecord` arguments for `zone`: computes the
 * host record of each record name in the zone (exact labels), drops duplicates (an apex and its
 * wildcard share `_dnsauth.<apex>`), and rejects names outside the zone.
 *
 * The record names come from the order's outputs, which read CAS's `RecordDomain` with the same
 * rule as this function's host record (`provider/order/record-name.ts`), whichever of its three
 * forms CAS returns (`_dnsauth`, `_dnsauth.www`, `_dnsauth.www.example.com`).
 *
 * `records` is a list, or the order's `allValidationRecords` as resolved (keyed by ordered name).
 */
export function alidnsRecordArgs(
  records: readonly DnsRecordInput[] | Readonly<Record<string, DnsRecordInput>>,
  zone: string,
  ttl = 600,
): AlidnsRecordArgs[] {
  const list: readonly DnsRecordInput[] = Array.isArray(records)
    ? records
    : Object.entries(records).map(([domain, r]) => ({ domain, ...r }));
  const z = normalizeDomain(zone);
  const seen = new Set<string>();
  const out: AlidnsRecordArgs[] = [];
  for (const r of list) {
    const fqdn = normalizeDomain(r.fqdn);
    const rr = hostRecord(fqdn, z);
    if (rr === null)
      throw new Error(`${fqdn} is not in zone ${z}; pass the zone that holds ${r.domain ?? fqdn}`);
    const key = `${fqdn}|${r.type}|${r.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      domainName: z,
      rr,
      type: r.type,
      value: r.value,
      ttl,
    });
  }
  return out;
}

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
 * host record of names below the zone apex, drops duplicates (an apex and its wildcard share
 * `_dnsauth.<apex>`), and rejects names outside the zone.
 *
 * Open question (see the README): CAS returns `RecordDomain` as a host record (`_dnsauth`); the
 * provider reads it relative to the ordered name. If CAS ever returns it relative to the zone
 * instead, only names below the apex would differ.
 */
export function alidnsRecordArgs(
  records: readonly DnsRecordInput[],
  zone: string,
  ttl = 600,
): AlidnsRecordArgs[] {
  const z = zone.toLowerCase().replace(/\.$/, "");
  const seen = new Set<string>();
  const out: AlidnsRecordArgs[] = [];
  for (const r of records) {
    const fqdn = r.fqdn.toLowerCase().replace(/\.$/, "");
    if (fqdn !== z && !fqdn.endsWith(`.${z}`))
      throw new Error(`${fqdn} is not in zone ${z}; pass the zone that holds ${r.domain ?? fqdn}`);
    const key = `${fqdn}|${r.type}|${r.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      domainName: z,
      rr: fqdn === z ? "@" : fqdn.slice(0, -z.length - 1),
      type: r.type,
      value: r.value,
      ttl,
    });
  }
  return out;
}

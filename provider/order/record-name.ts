/**
 * The one rule that turns CAS's `RecordDomain` into the DNS record to publish. Both the order's
 * outputs and `alidnsRecordArgs` (sdk/dns.ts) use it, so the two can never disagree.
 *
 * The SDK documents `RecordDomain` as "the DNS record that you need to manage", example
 * `_dnsauth`; which form CAS returns for a name below the zone apex is not documented. Three
 * forms are understood, for ordered name `www.example.com`:
 * - relative to the ordered name: `_dnsauth`;
 * - relative to the zone (Alibaba DNS's host record): `_dnsauth.www`;
 * - a full name: `_dnsauth.www.example.com`.
 * All three mean `_dnsauth.www.example.com`: the record label (the first label) placed directly
 * on the ordered name (wildcard prefix removed). An apex and its wildcard share one record.
 */

import { normalizeDomain as clean } from "../pki/csr";

/** The longest DNS name (RFC 1035 §2.3.4: 255 octets on the wire, 253 characters written). */
export const MAX_NAME_LENGTH = 253;

/** The ordered name a record is published on: `*.example.com` → `example.com`. */
export function recordBase(orderedName: string): string {
  return clean(orderedName).replace(/^\*\./, "");
}

/** The fully qualified record name (no trailing dot) that proves `orderedName`, whichever form `recordDomain` has. */
export function validationRecordFqdn(orderedName: string, recordDomain: string): string {
  const label = clean(recordDomain).split(".")[0]!;
  return `${label}.${recordBase(orderedName)}`;
}

/** The zone of a name when none is given: its last two labels (set `dnsZone` for names under a public suffix such as co.uk). */
export function guessZone(name: string): string {
  return recordBase(name).split(".").slice(-2).join(".");
}

/**
 * Host record of `fqdn` relative to `zone` (`@` at the apex): what `alicloud.dns.AlidnsRecord.rr`
 * takes with `domainName` = zone. Exact labels: `anexample.com` is not in zone `example.com`.
 * Returns `null` when the name is outside the zone.
 */
export function hostRecord(fqdn: string, zone: string): string | null {
  const f = clean(fqdn);
  const z = clean(zone);
  if (f === z) return "@";
  return f.endsWith(`.${z}`) ? f.slice(0, -z.length - 1) : null;
}

/** Host record of `fqdn` relative to `zone` (`@` at the apex; the name itself when outside the zone). */
export function relativeTo(fqdn: string, zone: string): string {
  return hostRecord(fqdn, zone) ?? fqdn;
}

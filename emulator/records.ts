/**
 * How the emulator states the DNS record (or FILE host) an order must prove, and which records it
 * then waits for in `dns` mode.
 *
 * What public sources show: the CAS console FAQ says the host record CAS gives is a full name
 * ("云盾证书服务提供的主机记录是全域名的"), so `fqdn` is the default; DigiCert, the CA behind the DV
 * products, checks the parent of a `www.` name (for `www.example.com` it looks at `example.com`),
 * and the FAQ says the same for FILE validation: `wwwParent` answers that way. The SDK's example of
 * `RecordDomain` is a bare `_dnsauth` (`name`), and Alibaba DNS writes host records relative to the
 * zone (`zone`): both stay selectable.
 *
 * The emulator's model of one order: CAS answers one `RecordDomain` for the order's first name; the
 * record it names proves every name of the order in that name's zone; a name in another zone needs
 * `_dnsauth.<name>` with the same value (no source shows such an order: a guess).
 */

import { getDomain } from "tldts";

/** The validation label CAS asks for (SDK example of `RecordDomain`). */
export const DNS_LABEL = "_dnsauth";

/**
 * Form of `RecordDomain`:
 * - `fqdn` (default, per the console FAQ): the full name (`_dnsauth.www.example.com`);
 * - `zone`: a host record relative to the zone (`_dnsauth.www` for `www.example.com` in
 *   `example.com`, `_dnsauth` at the apex);
 * - `name`: relative to the ordered name (`_dnsauth` for every name; the SDK's example).
 */
export type RecordDomainStyle = "name" | "zone" | "fqdn";

/** Accepted spellings: the three styles, plus `label` (the old name of `name`). */
export function parseRecordDomainStyle(value: unknown): RecordDomainStyle {
  if (value === "label" || value === "name") return "name";
  if (value === "zone" || value === "fqdn") return value;
  throw new Error(
    `recordDomainStyle takes "name", "zone" or "fqdn" (or "label" = "name"), got ${JSON.stringify(value)}`,
  );
}

const ZONE_RE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** Lower-cases and checks zone names; throws naming the bad entry. */
export function parseZones(value: unknown): string[] {
  if (!Array.isArray(value))
    throw new Error(`zones takes a list of DNS zone names, got ${JSON.stringify(value)}`);
  return value.map((z) => {
    const zone = typeof z === "string" ? z.trim().toLowerCase().replace(/\.$/, "") : "";
    if (!ZONE_RE.test(zone))
      throw new Error(`zones: ${JSON.stringify(z)} is not a DNS zone name such as example.co.uk`);
    return zone;
  });
}

/**
 * The zone a name belongs to: the longest configured zone that equals the name or ends it at a label
 * boundary; otherwise (a guess) its registrable domain by the Public Suffix List's ICANN section
 * (`www.example.co.uk` → `example.co.uk`), or the name itself when it has none.
 */
export function zoneOf(name: string, zones: readonly string[]): string {
  let best: string | undefined;
  for (const z of zones)
    if ((name === z || name.endsWith(`.${z}`)) && (!best || z.length > best.length)) best = z;
  return best ?? getDomain(name, { allowPrivateDomains: false }) ?? name;
}

/** How the emulator answers: the form of `RecordDomain`, its zones, and whether `www.` names are validated on their parent. */
export interface RecordRules {
  style: RecordDomainStyle;
  zones: readonly string[];
  /** For `www.<domain>`, CAS names `<domain>` (DNS `RecordDomain` and FILE `Domain`). */
  wwwParent: boolean;
}

/**
 * The name CAS validates for one ordered name: the wildcard's base name, or with `wwwParent` the
 * parent of a `www.` name (`www.example.com` → `example.com`; `www.com` stays).
 */
export function validatedName(domain: string, wwwParent: boolean): string {
  const name = domain.replace(/^\*\./, "");
  const parent = name.slice("www.".length);
  return wwwParent && name.startsWith("www.") && parent.includes(".") ? parent : name;
}

/** `RecordDomain` for one ordered name, in the configured form. */
export function recordDomain(domain: string, rules: RecordRules): string {
  const name = validatedName(domain, rules.wwwParent);
  if (rules.style === "fqdn") return `${DNS_LABEL}.${name}`;
  if (rules.style === "name") return DNS_LABEL;
  const zone = zoneOf(name, rules.zones);
  const relative = name === zone ? "" : name.slice(0, -(zone.length + 1));
  return relative ? `${DNS_LABEL}.${relative}` : DNS_LABEL;
}

/**
 * The record names an order waits for: the one CAS names (for the first name) proves every name in
 * the first name's zone; each name in another zone needs its own `_dnsauth.<name>`. A wildcard and
 * its base name share one.
 */
export function expectedRecordNames(domains: readonly string[], rules: RecordRules): string[] {
  const first = domains[0];
  if (first === undefined) return [];
  const base = (d: string) => d.replace(/^\*\./, "");
  const mainZone = zoneOf(base(first), rules.zones);
  const main = `${DNS_LABEL}.${validatedName(first, rules.wwwParent)}`;
  const names = domains.map((d) =>
    zoneOf(base(d), rules.zones) === mainZone ? main : `${DNS_LABEL}.${base(d)}`,
  );
  return [...new Set(names)];
}

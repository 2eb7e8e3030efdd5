/**
 * How the emulator states the DNS record an order must publish. The SDK documents `RecordDomain` only
 * as "the DNS record that you need to manage" (example `_dnsauth`); the Chinese reference calls it the
 * host record (主机记录), which Alibaba DNS writes relative to the zone. Which form CAS returns for a
 * name below the apex is not documented, so all three readings are configurable.
 */

/** The validation label CAS asks for (SDK example of `RecordDomain`). */
export const DNS_LABEL = "_dnsauth";

/**
 * UNCONFIRMED form of `RecordDomain`:
 * - `name`: relative to the ordered name (`_dnsauth` for `www.example.com`);
 * - `zone`: a host record relative to the zone (`_dnsauth.www` for `www.example.com` in `example.com`,
 *   `_dnsauth` at the apex);
 * - `fqdn`: the full name (`_dnsauth.www.example.com`).
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
 * boundary; otherwise (a guess) its last two labels.
 */
export function zoneOf(name: string, zones: readonly string[]): string {
  let best: string | undefined;
  for (const z of zones)
    if ((name === z || name.endsWith(`.${z}`)) && (!best || z.length > best.length)) best = z;
  return best ?? name.split(".").slice(-2).join(".");
}

/** `RecordDomain` for one ordered name (a wildcard shares its base name's record). */
export function recordDomain(domain: string, style: RecordDomainStyle, zones: readonly string[]): string {
  const name = domain.replace(/^\*\./, "");
  if (style === "fqdn") return `${DNS_LABEL}.${name}`;
  if (style === "name") return DNS_LABEL;
  const zone = zoneOf(name, zones);
  const relative = name === zone ? "" : name.slice(0, -(zone.length + 1));
  return relative ? `${DNS_LABEL}.${relative}` : DNS_LABEL;
}

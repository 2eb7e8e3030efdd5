/**
 * The one rule that turns CAS's `RecordDomain` into the DNS records to publish. The order's outputs
 * (`dnsRecordsFor`), the SDK's per-name outputs and `ManagedCertificate` (which declares its record
 * resources before CAS answers) and `alidnsRecordArgs` (sdk/dns.ts) all use it, so they can never
 * disagree.
 *
 * Two things are kept apart:
 * - the **base** an answer is read against: the registrable domain of the ordered name (the Public
 *   Suffix List's ICANN section, through `tldts`): `example.com` for `www.example.com`,
 *   `example.co.uk` for `www.example.co.uk`;
 * - the **zone** the record is published in: `dnsZone` when the user gives it, else the base.
 *
 * What the evidence says about `RecordDomain`: the CAS console FAQ says the host record CAS gives is
 * a full name ("云盾证书服务提供的主机记录是全域名的"; strip the root domain if your DNS tool wants a
 * relative one), and public programs strip the zone suffix from it; DigiCert checks the parent of a
 * `www.` name (`_dnsauth.example.com` for `www.example.com`). So, for an order of `www.example.com`:
 * - a value that ends with the base is a full name, published exactly as given
 *   (`_dnsauth.www.example.com`, or `_dnsauth.example.com` when CAS names the parent);
 * - a dotted value that does not is relative to the base (`_dnsauth.www` → `_dnsauth.www.example.com`);
 * - a bare label (`_dnsauth`, the SDK's example; no evidence shows CAS answering it) is prefixed to
 *   the ordered name (`_dnsauth.www.example.com`): a named guess.
 *
 * An order has one `RecordDomain` (CAS answers for one of its names): it answers for every name of
 * the order under the same base. Names of the order under another registrable domain get the same
 * value at `<label>.<name>` (`_dnsauth.www.example.org`): a named guess, as no source shows such an
 * order. A wildcard's record is its base name's (`*.example.com` → `example.com`).
 */

import type * as Tldts from "tldts";
import { normalizeDomain as clean } from "../pki/csr";

let tldts: typeof Tldts | undefined;
/**
 * tldts (the Public Suffix List, about 200 KB of data) loads at the first registrable-domain
 * question, not when the provider starts: a preview's first check needs none.
 */
function publicSuffixList(): typeof Tldts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (tldts ??= require("tldts") as typeof Tldts);
}

/** The longest DNS name (RFC 1035 §2.3.4: 255 octets on the wire, 253 characters written). */
export const MAX_NAME_LENGTH = 253;

/** The name without its wildcard label: `*.example.com` → `example.com`; other names as they are. */
export function withoutWildcard(name: string): string {
  return name.replace(/^\*\./, "");
}

/** The ordered name a record or file is about: `*.example.com` → `example.com`. */
export function recordBase(orderedName: string): string {
  return withoutWildcard(clean(orderedName));
}

/** A DNS validation record: its type, full name and value. */
export interface DnsRecordIdentity {
  type: string;
  fqdn: string;
  value: string;
}

/**
 * One entry per DNS record, the first of each kept, in order: entries with the same type, full
 * name and value are one record to publish (an apex and its wildcard, which CAS proves with one
 * record, or names under one registrable domain). Names are compared as given: pass them normalized.
 */
export function uniqueRecords<T extends DnsRecordIdentity>(records: readonly T[]): T[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = JSON.stringify([r.type, r.fqdn, r.value]);
    return !seen.has(key) && (seen.add(key), true);
  });
}

/**
 * One name per record base, the first of each kept, in order: an apex and its wildcard
 * (`example.com`, `*.example.com`) share one record, so only the first of them declares it. This is
 * what is known of a certificate instance's records before CAS answers (one `_dnsauth.<base>` each).
 */
export function uniqueRecordBases(orderedNames: readonly string[]): string[] {
  const seen = new Set<string>();
  return orderedNames.filter((n) => {
    const base = recordBase(n);
    return !seen.has(base) && (seen.add(base), true);
  });
}

/**
 * The registrable domain of a name by the Public Suffix List (ICANN section): `www.example.co.uk`
 * → `example.co.uk`. A name that is itself a public suffix, or has no registrable part, is its own.
 */
export function registrableDomain(name: string): string {
  const n = recordBase(name);
  return publicSuffixList().getDomain(n, { allowPrivateDomains: false }) ?? n;
}

/** Whether `name` ends in a public suffix of the Public Suffix List's ICANN section (a full name, not a relative one). */
export function endsInPublicSuffix(name: string): boolean {
  return publicSuffixList().parse(clean(name)).isIcann === true;
}

/**
 * The zone of a name when the user gives none: its registrable domain (kept under this name for
 * programs that imported it; it was "the last two labels" before the Public Suffix List was used).
 */
export function guessZone(name: string): string {
  return registrableDomain(name);
}

/** Whether `name` is `zone` or below it, by whole labels (`anexample.com` is not in `example.com`). */
function inZone(name: string, zone: string): boolean {
  const n = clean(name);
  const z = clean(zone);
  return n === z || n.endsWith(`.${z}`);
}

/**
 * How a record's name was found: the three forms of `RecordDomain` in the rule above, or (for a name
 * under another registrable domain than the one CAS answered for) the guess `<label>.<name>`.
 */
export type RecordDomainReading =
  "full" | "relative to the base" | "relative to the ordered name" | "another registrable domain";

/** Where one `RecordDomain` puts its record, read for one ordered name. */
export interface RecordDomainAnswer {
  /** The fully qualified record name, without trailing dot. */
  fqdn: string;
  /** The registrable domain the answer was read against. */
  base: string;
  reading: RecordDomainReading;
}

/**
 * Reads `recordDomain` as CAS's answer for `orderedName`: a full name when it ends with the name's
 * registrable domain, relative to that domain when dotted, else prefixed to the ordered name.
 */
export function readRecordDomain(orderedName: string, recordDomain: string): RecordDomainAnswer {
  const rd = clean(recordDomain);
  const base = registrableDomain(orderedName);
  if (inZone(rd, base)) return { fqdn: rd, base, reading: "full" };
  if (rd.includes(".")) return { fqdn: `${rd}.${base}`, base, reading: "relative to the base" };
  return { fqdn: `${rd}.${recordBase(orderedName)}`, base, reading: "relative to the ordered name" };
}

/** The fully qualified record name (no trailing dot) of `recordDomain` read for `orderedName` alone. */
export function validationRecordFqdn(orderedName: string, recordDomain: string): string {
  return readRecordDomain(orderedName, recordDomain).fqdn;
}

/**
 * The ordered name CAS's one `RecordDomain` answers for: the first whose registrable domain a full
 * value ends with; otherwise (relative or bare values) the first ordered name.
 */
function answeredName(orderedNames: readonly string[], recordDomain?: string): string | undefined {
  if (recordDomain !== undefined) {
    const rd = clean(recordDomain);
    const hit = orderedNames.find((n) => inZone(rd, registrableDomain(n)));
    if (hit !== undefined) return hit;
  }
  return orderedNames[0];
}

/**
 * Which ordered names share one record, in order: the names under the registrable domain of the
 * name CAS answered for (by default, the first) form one group; every other name gets its own
 * record, except that a wildcard and its base name share one. Without `recordDomain` this is what
 * is known before CAS answers (ManagedCertificate declares one DNS record per group at preview).
 */
export function recordGroups(orderedNames: readonly string[], recordDomain?: string): string[][] {
  const answered = answeredName(orderedNames, recordDomain);
  const answeredBase = answered === undefined ? undefined : registrableDomain(answered);
  const groups = new Map<string, string[]>();
  for (const name of orderedNames) {
    const key =
      registrableDomain(name) === answeredBase ? `base:${answeredBase}` : `name:${recordBase(name)}`;
    const group = groups.get(key);
    if (group) group.push(name);
    else groups.set(key, [name]);
  }
  return [...groups.values()];
}

/** One record to publish: its name, how `RecordDomain` was read, and the ordered names it proves. */
export interface RecordPlacement extends RecordDomainAnswer {
  names: string[];
}

/**
 * The records an order's one `RecordDomain` asks for: the answer read for the name CAS answered
 * for proves the names under its registrable domain; each name under another registrable domain
 * gets `<label>.<name>` (the label is the value's first label, `_dnsauth`; a named guess).
 */
export function placeRecords(orderedNames: readonly string[], recordDomain: string): RecordPlacement[] {
  const answered = answeredName(orderedNames, recordDomain);
  if (answered === undefined) return [];
  const main = readRecordDomain(answered, recordDomain);
  const label = clean(recordDomain).split(".")[0]!;
  return recordGroups(orderedNames, recordDomain).map((names) => {
    const first = names[0]!;
    if (registrableDomain(first) === main.base) return { ...main, names };
    return {
      fqdn: `${label}.${recordBase(first)}`,
      base: registrableDomain(first),
      reading: "another registrable domain",
      names,
    };
  });
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

/**
 * Where one `DomainValidationList` entry of a certificate instance puts its record: the same reading
 * as `RecordDomain`, with the entry's `RootDomain` as the base (Terraform publishes rr =
 * `ValidationKey` in zone = `RootDomain`): a key that ends with the root domain is a full name; any
 * other (`_dnsauth`, `_dnsauth.www`) is relative to the root domain; `@` is the root domain itself.
 */
export function readValidationKey(rootDomain: string, validationKey: string): RecordDomainAnswer {
  const base = clean(rootDomain);
  const key = clean(validationKey);
  if (key === "@" || key === base) return { fqdn: base, base, reading: "full" };
  if (inZone(key, base)) return { fqdn: key, base, reading: "full" };
  return { fqdn: `${key}.${base}`, base, reading: "relative to the base" };
}

import { promises as dns } from "node:dns";

/** One record the CA will look up. */
export interface ExpectedRecord {
  fqdn: string;
  type: string;
  value: string;
}

/** What one resolver said about one record. */
export interface PrecheckResult {
  fqdn: string;
  resolver: string;
  visible: boolean;
  /** Values of the record's type at its name other than the expected one (none when it has no such record). */
  otherValues: string[];
  detail: string;
}

const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(", ");

/**
 * What a lookup that answered means for the CA. A TXT at the record name with another value is
 * named: it is an old order's record or one another tool manages, and when the zone is in Alibaba
 * Cloud DNS of the order's account, CAS adds its own TXT there and deletes conflicting TXT records,
 * so a record a stack manages at that name can be removed or duplicated.
 */
function answeredDetail(r: ExpectedRecord, visible: boolean, others: readonly string[]): string {
  const type = r.type.toUpperCase();
  if (type === "CNAME")
    return visible
      ? "CNAME is visible"
      : `a CNAME at ${r.fqdn} points to ${others.join(", ") || "nothing"}, not to ${r.value}: point it at the expected target`;
  const several = others.length > 1;
  const sameAccount =
    "if the zone is in Alibaba Cloud DNS of the order's account, CAS adds its TXT itself and deletes conflicting TXT records there (publishRecords: false leaves that name to CAS)";
  if (visible)
    return others.length === 0
      ? `${r.type} is visible`
      : `${r.type} is visible, beside ${several ? "TXT records" : "a TXT"} at ${r.fqdn} with another value (${quoted(others)}): ${sameAccount}`;
  if (others.length === 0) return `no ${r.type} record yet`;
  return `${several ? "TXT records" : "a TXT"} at ${r.fqdn} ${several ? "have other values" : "has another value"} (${quoted(others)}), not the expected one: update or remove ${several ? "them" : "it"} (an old order's value, or a record another tool manages; ${sameAccount})`;
}

/**
 * Looks the expected validation records up before waiting, on the given resolvers (`host` or
 * `host:port`; the system's by default), and says for each whether the CA would see it yet. It
 * only reports: DNS propagation and the CA's own resolvers can differ from these.
 */
export async function precheckDns(
  records: readonly ExpectedRecord[],
  resolvers: readonly string[] | undefined,
): Promise<PrecheckResult[]> {
  const servers = resolvers?.length ? resolvers : [null];
  const results: PrecheckResult[] = [];
  for (const server of servers) {
    const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
    if (server) resolver.setServers([server]);
    const name = server ?? "system resolver";
    for (const r of records) {
      try {
        const found =
          r.type.toUpperCase() === "CNAME"
            ? (await resolver.resolveCname(r.fqdn)).map((v) => v.toLowerCase().replace(/\.$/, ""))
            : (await resolver.resolveTxt(r.fqdn)).map((chunks) => chunks.join(""));
        const want = r.type.toUpperCase() === "CNAME" ? r.value.toLowerCase().replace(/\.$/, "") : r.value;
        const visible = found.includes(want);
        const otherValues = [...new Set(found.filter((v) => v !== want))];
        results.push({
          fqdn: r.fqdn,
          resolver: name,
          visible,
          otherValues,
          detail: answeredDetail(r, visible, otherValues),
        });
      } catch (e) {
        const code = (e as { code?: string }).code ?? "error";
        const why =
          code === "ENOTFOUND"
            ? "no such name yet (NXDOMAIN)"
            : code === "ENODATA"
              ? `no ${r.type} record yet`
              : `lookup failed (${code})`;
        results.push({ fqdn: r.fqdn, resolver: name, visible: false, otherValues: [], detail: why });
      }
    }
  }
  return results;
}

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
  detail: string;
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
        results.push({
          fqdn: r.fqdn,
          resolver: name,
          visible,
          detail: visible
            ? `${r.type} is visible`
            : `${r.type} has other values (${found.join(", ") || "none"}), not the expected one`,
        });
      } catch (e) {
        const code = (e as { code?: string }).code ?? "error";
        const why =
          code === "ENOTFOUND"
            ? "no such name yet (NXDOMAIN)"
            : code === "ENODATA"
              ? `no ${r.type} record yet`
              : `lookup failed (${code})`;
        results.push({ fqdn: r.fqdn, resolver: name, visible: false, detail: why });
      }
    }
  }
  return results;
}

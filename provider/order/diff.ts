import { productSpec } from "../cas/products";
import { parseCsr } from "../pki/csr";
import { INPUT_DEFAULTS, UNKNOWN } from "./inputs";
import { renewalDue } from "./renewal";

/** Properties that need a new order when they change: CAS cannot change them on an existing one. */
export const REPLACE_PROPERTIES = [
  "csr",
  "domain",
  "domains",
  "productCode",
  "validateType",
  "companyName",
] as const;
/** Properties changed in place: used by this provider only, or (SENT_ONCE) kept for the next order. */
export const UPDATE_PROPERTIES = [
  "username",
  "phone",
  "email",
  "tags",
  "dnsZone",
  "adoptOrderId",
  "onDelete",
  "renewBeforeDays",
  "quotaCheck",
] as const;

/**
 * Inputs sent with the create request that no CAS action changes afterwards. A change is an
 * in-place update of state only, said so in the log: it takes effect with the next order.
 */
const SENT_ONCE = ["username", "phone", "email", "tags"] as const;

export interface OrderDiff {
  changes: boolean;
  replaces: string[];
  /** Why, one line per property, for the log. */
  reasons: string[];
}

/** A CSR's meaning: its key, subject (attribute order ignored) and names. */
async function csrMeaning(pem: string): Promise<string> {
  try {
    const c = await parseCsr(pem);
    return JSON.stringify([c.publicKeySha256, c.subject, c.names]);
  } catch {
    return pem.replace(/\s+/g, "");
  }
}

/**
 * The names an order by domain binds, as a sorted set: `domains` in any order, or `domain`.
 * Old state keeps the ordered names in its `domains` output, so `domain: "a"` and
 * `domains: ["a"]` are the same order. `null` for orders by CSR (the CSR comparison covers them).
 */
function boundNames(props: Record<string, unknown>): string[] | null | typeof UNKNOWN {
  if (props.csr !== undefined) return null;
  const { domain, domains } = props;
  if (domain === UNKNOWN || domains === UNKNOWN || (Array.isArray(domains) && domains.includes(UNKNOWN)))
    return UNKNOWN;
  const list = Array.isArray(domains) ? domains.map(String) : typeof domain === "string" ? [domain] : [];
  return [...new Set(list)].sort();
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Compares old outputs (which carry the normalized inputs) with new checked inputs by meaning:
 * a re-wrapped CSR or a differently cased domain is no change; a CSR with a new key is a
 * replacement. An issued certificate within `renewBeforeDays` of expiry is replaced
 * (create-before-delete) so a fresh order is placed before the old one goes.
 */
export async function diffOrder(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  now: number,
): Promise<OrderDiff> {
  const replaces: string[] = [];
  const reasons: string[] = [];
  let changes = false;
  const oldNames = boundNames(olds);
  const newNames = boundNames(news);
  if (oldNames !== null && newNames !== null) {
    const p = news.domains !== undefined ? "domains" : "domain";
    if (newNames === UNKNOWN) {
      replaces.push(p);
      reasons.push(`${p} is not known until apply; a new order may be needed`);
    } else if (!same(oldNames, newNames)) {
      replaces.push(p);
      const show = (names: unknown) =>
        JSON.stringify(p === "domain" && Array.isArray(names) && names.length === 1 ? names[0] : names);
      reasons.push(
        `${p}: ${show(oldNames)} → ${show(newNames)}; CAS cannot change this on an existing order`,
      );
    }
  }
  for (const p of REPLACE_PROPERTIES) {
    // Names of orders by domain are compared as a set above. With a CSR on either side the csr
    // comparison decides: check makes `domain` equal the CSR's CN and refuses `domains`, so adding
    // or dropping a redundant `domain` binds the same name.
    if (p === "domain" || p === "domains") continue;
    const o = olds[p];
    const n = news[p];
    if (n === UNKNOWN) {
      replaces.push(p);
      reasons.push(`${p} is not known until apply; a new order may be needed`);
      continue;
    }
    if (p === "csr" && typeof o === "string" && typeof n === "string") {
      if ((await csrMeaning(o)) !== (await csrMeaning(n))) {
        replaces.push(p);
        reasons.push("csr: the key, subject or names changed; a new order is needed");
      }
      continue;
    }
    if (!same(o, n)) {
      replaces.push(p);
      reasons.push(
        `${p}: ${JSON.stringify(o ?? null)} → ${JSON.stringify(n ?? null)}; CAS cannot change this on an existing order`,
      );
    }
  }
  const sentOnce: string[] = [];
  for (const p of UPDATE_PROPERTIES) {
    if (same(olds[p] === undefined && p in INPUT_DEFAULTS ? INPUT_DEFAULTS[p] : olds[p], news[p])) continue;
    changes = true;
    if ((SENT_ONCE as readonly string[]).includes(p)) sentOnce.push(p);
  }
  const renewBefore = typeof news.renewBeforeDays === "number" ? news.renewBeforeDays : null;
  const due = renewalDue(now, olds, renewBefore);
  if (due?.kind === "expired") {
    replaces.push("notAfter");
    reasons.push(
      `expired: the certificate expired ${Number.isFinite(due.notAfter) ? new Date(due.notAfter).toISOString() : ""}; ordering a replacement before the old order is removed`,
    );
  } else if (due) {
    if (!replaces.includes("renewBeforeDays")) replaces.push("renewBeforeDays");
    const code = typeof olds.productCode === "string" ? olds.productCode : INPUT_DEFAULTS.productCode;
    // CAS renews no free certificate (RenewCertificateOrderForPackageRequest is for paid plans).
    const free =
      code !== undefined && productSpec(code)?.free
        ? `; ${code} is a free certificate, which CAS does not renew, so its renewal is a new order from the plan`
        : "";
    reasons.push(
      `renewal due: certificate expires ${new Date(due.notAfter).toISOString()} (in ${due.daysLeft} days; renewBeforeDays ${due.renewBeforeDays})${free}; ordering a replacement before the old order is removed`,
    );
  }
  // A replacement sends them with its new order; without one, CAS keeps what this order was sent.
  for (const p of sentOnce)
    reasons.push(
      replaces.length > 0
        ? `${p} changed: sent with the replacement order`
        : `${p} changed: stored for the next order (a renewal or replacement sends it); CAS keeps what was sent with this order, since no API action changes it`,
    );
  return { changes: changes || replaces.length > 0, replaces, reasons };
}

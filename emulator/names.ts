import { invalid, missing } from "./errors";
import { MAX_DOMAINS, type Product } from "./products";
import { CsrRefused, readCsr, type CsrFacts } from "./pki";

const NAME_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Lower case, no trailing dot. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/** The names an order binds and the CSR it was placed with. */
export interface Binding {
  names: string[];
  csr: CsrFacts | null;
}

async function csrOf(text: string): Promise<CsrFacts> {
  try {
    const facts = await readCsr(text);
    if (!facts.commonName) throw new CsrRefused("the CN field is required: it names the bound domain");
    return facts;
  } catch (e) {
    if (e instanceof CsrRefused) throw invalid("Csr", e.message);
    throw e;
  }
}

/**
 * Which names an order binds, per the SDK remarks:
 * - `CreateCertificateRequest`: `Domain`, "only one domain name";
 * - `CreateCertificateWithCsrRequest`: the CSR's CN ("the CN field … specifies the domain name");
 * - `CreateCertificateForPackageRequest`: `Domain` as a comma-separated list (≤ 5, all single or all
 *   wildcard); with `Csr` as well, "the value of the CN field in the Csr parameter is used as the
 *   domain name that is bound"; with `Csr` alone, the CN only (SANs beyond it are not bound).
 */
export async function bindNames(
  action: string,
  p: Readonly<Record<string, string>>,
  product: Product,
  productCode: string,
): Promise<Binding> {
  let names: string[];
  let csr: CsrFacts | null = null;
  if (action === "CreateCertificateRequest") {
    if (!p.Domain) throw missing("Domain");
    if (p.Domain.includes(","))
      throw invalid("Domain", "CreateCertificateRequest binds only one domain name");
    names = [normalizeName(p.Domain)];
  } else if (action === "CreateCertificateWithCsrRequest") {
    if (!p.Csr) throw missing("Csr");
    csr = await csrOf(p.Csr);
    names = [csr.commonName!];
  } else {
    if (!p.Domain && !p.Csr) throw missing("Domain");
    if (p.Csr) {
      csr = await csrOf(p.Csr);
      names = [csr.commonName!];
    } else {
      names = [...new Set(p.Domain!.split(",").map(normalizeName))];
      if (names.length > MAX_DOMAINS) throw invalid("Domain", `at most ${MAX_DOMAINS} domain names`);
    }
  }
  for (const n of names)
    if (!NAME_RE.test(n)) throw invalid("Domain", `${n || "(empty)"} is not a domain name`);
  const wild = names.filter((n) => n.startsWith("*."));
  if (wild.length > 0 && wild.length < names.length)
    throw invalid("Domain", "only single domain names or only wildcard domain names, not both");
  if (product.wildcard !== null && wild.length > 0 !== product.wildcard)
    throw invalid(
      "Domain",
      `${productCode} is a ${product.wildcard ? "wildcard" : "single-domain"} specification`,
    );
  return { names, csr };
}

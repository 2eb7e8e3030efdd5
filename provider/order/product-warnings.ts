import { DEFAULT_PRODUCT_CODE, PRODUCTS, productSpec } from "../cas/products";
import { resolveEndpoint, siteOf } from "../cas/endpoints";
import type { ConfigLookup } from "../cas/credentials";

/**
 * What `check` says about a product code without refusing it: a code the SDK does not document
 * (real programs use some, such as `vtrus-dv-w-starter`) goes to CAS as given, and a code the SDK
 * marks "available only on the China site" is named when the endpoint is the international site's.
 * `endpoint` is `undefined` when it cannot be resolved (check still runs; the warning is skipped).
 */
export function productWarnings(productCode: string, endpoint: string | undefined): string[] {
  const spec = productSpec(productCode);
  if (!spec)
    return [
      `productCode ${JSON.stringify(productCode)} is not one of the documented product codes (${Object.keys(PRODUCTS).join(", ")}); ` +
        "it is sent as given through CreateCertificateForPackageRequest (the action that lists every code), its wildcard or single-name kind is not checked, " +
        "and CAS decides whether the plan exists and takes these names. Check the spelling against the plan in the CAS console",
    ];
  if (spec.chinaSiteOnly && endpoint !== undefined && siteOf(endpoint) === "international")
    return [
      `productCode ${productCode}${productCode === DEFAULT_PRODUCT_CODE ? " (the default)" : ""} is available only on the China site (the SDK's remark), ` +
        `but this provider talks to the international site's endpoint ${endpoint}; CAS there may refuse the order. ` +
        "Use a region of the China site (alicloud:region cn-hangzhou) or a product code your international account's plan holds",
    ];
  return [];
}

/** The endpoint the provider would use with this config, or `undefined` when it cannot be resolved (an invalid region). */
export function configuredEndpoint(config: ConfigLookup): string | undefined {
  try {
    return resolveEndpoint({ config, env: process.env });
  } catch {
    return undefined;
  }
}

/** Warnings already logged by this provider process: each is said once, not on every check. */
const said = new Set<string>();

/** The warnings of `productWarnings` not yet logged in this process (and marks them logged). */
export function newProductWarnings(productCode: string, endpoint: string | undefined): string[] {
  return productWarnings(productCode, endpoint).filter((w) => !said.has(w) && said.add(w));
}

/** Forgets which warnings were logged (a configured provider serves a new deployment). */
export function resetProductWarnings(): void {
  said.clear();
}

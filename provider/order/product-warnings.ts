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

/** The warnings of `productWarnings` said once per configuration, not on every check. */
export class ProductWarnings {
  private readonly said = new Set<string>();

  /** The warnings of {@link productWarnings} not yet said (and marks them said). */
  fresh(productCode: string, endpoint: string | undefined): string[] {
    return productWarnings(productCode, endpoint).filter((w) => !this.said.has(w) && this.said.add(w));
  }
}

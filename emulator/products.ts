/**
 * The emulator's own product table, written from the `ProductCode` remarks of the official SDK
 * (`@alicloud/cas20200407`): which codes each create action lists, and whether a code is a
 * single-name or wildcard specification. It deliberately shares nothing with the provider's table.
 */

/** The API version the emulator serves. */
export const API_VERSION = "2020-04-07";

/** What one product code (resource-plan specification) is. */
export interface Product {
  /**
   * "wildcard DV/OV certificate" in the remark; otherwise "single-domain"; `null` when the sources
   * disagree (either kind is taken).
   */
  wildcard: boolean | null;
  /** `CertType` of list items: the validation level the remark names. */
  level: "DV" | "OV";
  /** A free certificate: CAS does not renew it (the renewal docs: "not for free or test certificates"). */
  free?: true;
  /** Not in the SDK's lists; seen in real programs. Only `CreateCertificateForPackageRequest` takes it. */
  undocumented?: true;
}

/**
 * Every code `CreateCertificateForPackageRequest.ProductCode` lists, and `vtrus-dv-w-starter`, which
 * real programs order (a wildcard DV plan by its `-w-`; taken only by that action here: a guess). The
 * remark calls `cfca-ev-w-advanced` a "CFCA wildcard OV certificate" (its code says EV; the remark is
 * followed). `symantec-dv-1-starter` is a "DigiCert wildcard DV certificate" in the SDK remark but a
 * single-domain one in the 2021 docs (and its `-1-` says single): both kinds are taken.
 */
export const PRODUCTS: Readonly<Record<string, Product>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, Product>, {
    "digicert-free-1-free": { wildcard: false, level: "DV", free: true },
    "symantec-free-1-free": { wildcard: false, level: "DV", free: true },
    "symantec-dv-1-starter": { wildcard: null, level: "DV" },
    "symantec-ov-1-personal": { wildcard: false, level: "OV" },
    "symantec-ov-w-personal": { wildcard: true, level: "OV" },
    "geotrust-dv-1-starter": { wildcard: false, level: "DV" },
    "geotrust-dv-w-starter": { wildcard: true, level: "DV" },
    "geotrust-ov-1-personal": { wildcard: false, level: "OV" },
    "geotrust-ov-w-personal": { wildcard: true, level: "OV" },
    "globalsign-dv-1-personal": { wildcard: false, level: "DV" },
    "globalsign-dv-w-advanced": { wildcard: true, level: "DV" },
    "globalsign-ov-1-personal": { wildcard: false, level: "OV" },
    "globalsign-ov-w-advanced": { wildcard: true, level: "OV" },
    "cfca-ov-1-personal": { wildcard: false, level: "OV" },
    "cfca-ev-w-advanced": { wildcard: true, level: "OV" },
    "vtrus-dv-w-starter": { wildcard: true, level: "DV", undocumented: true },
  } satisfies Record<string, Product>),
);

/** The codes `CreateCertificateRequest` and `CreateCertificateWithCsrRequest` list: the seven DV ones. */
const DV_ACTION_CODES = new Set([
  "digicert-free-1-free",
  "symantec-free-1-free",
  "symantec-dv-1-starter",
  "geotrust-dv-1-starter",
  "geotrust-dv-w-starter",
  "globalsign-dv-1-personal",
  "globalsign-dv-w-advanced",
]);

/** "digicert-free-1-free (default)" in all three create actions. */
export const DEFAULT_PRODUCT_CODE = "digicert-free-1-free";

/** The product a create action accepts for `code`, or `undefined` when the action does not list it. */
export function productFor(action: string, code: string): Product | undefined {
  if (!Object.prototype.hasOwnProperty.call(PRODUCTS, code)) return undefined;
  if (action === "CreateCertificateForPackageRequest" || action === "RenewCertificateOrderForPackageRequest")
    return PRODUCTS[code];
  return DV_ACTION_CODES.has(code) ? PRODUCTS[code] : undefined;
}

/** Whether `code` is a product code the emulator knows at all (for plans). */
export function isProductCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRODUCTS, code);
}

/** Most names one `CreateCertificateForPackageRequest` binds ("a maximum of five domain names"). */
export const MAX_DOMAINS = 5;

/** The brand of a code, for `RootBrand`/`Issuer`-style fields. */
export function brandOf(code: string): string {
  const head = code.split("-")[0]!;
  return (
    {
      symantec: "DigiCert",
      digicert: "DigiCert",
      geotrust: "GeoTrust",
      globalsign: "GlobalSign",
      cfca: "CFCA",
      vtrus: "vTrus",
    }[head] ?? head
  );
}

/** What a product code (resource-plan spec) allows. */
export interface ProductSpec {
  /**
   * Wildcard names (`*.example.com`) only (`true`), single names only (`false`), or not known
   * (`null`: the docs disagree, so `check` leaves it to CAS).
   */
  wildcard: boolean | null;
  level: "DV" | "OV";
  /** The SDK remarks: "available only on the China site". */
  chinaSiteOnly?: true;
  /** A free certificate: CAS does not renew it (a renewal is a new order). */
  free?: true;
}

/**
 * The product codes the SDK documents (15 in `@alicloud/cas20200407` 3.0.0 and the 2024 metadata).
 * `symantec-dv-1-starter` is a wildcard DV plan per the current SDK text but a single-domain one
 * per the 2021 docs, so its kind is not enforced. OV codes are accepted only by
 * `CreateCertificateForPackageRequest`. Codes seen in real programs but not documented (such as
 * `vtrus-dv-w-starter`) are not listed: `check` warns about them and lets CAS decide.
 */
export const PRODUCTS: Readonly<Record<string, ProductSpec>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ProductSpec>, {
    "digicert-free-1-free": { wildcard: false, level: "DV", chinaSiteOnly: true, free: true },
    "symantec-free-1-free": { wildcard: false, level: "DV", chinaSiteOnly: true, free: true },
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
    "cfca-ov-1-personal": { wildcard: false, level: "OV", chinaSiteOnly: true },
    "cfca-ev-w-advanced": { wildcard: true, level: "OV", chinaSiteOnly: true },
  } satisfies Record<string, ProductSpec>),
);

/** The spec of a documented code; `undefined` for any other (never a property of `Object.prototype`). */
export function productSpec(code: string): ProductSpec | undefined {
  return Object.prototype.hasOwnProperty.call(PRODUCTS, code) ? PRODUCTS[code] : undefined;
}

/** The API's default product code (SDK 3.x). */
export const DEFAULT_PRODUCT_CODE = "digicert-free-1-free";

/** Most names one `CreateCertificateForPackageRequest` may carry. */
export const MAX_PACKAGE_DOMAINS = 5;

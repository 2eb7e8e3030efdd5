/** What a product code (resource-plan spec) allows. */
export interface ProductSpec {
  /** Wildcard names (`*.example.com`) only; otherwise single names only. */
  wildcard: boolean;
  level: "DV" | "OV";
}

/**
 * The documented product codes. `symantec-dv-1-starter` is a wildcard DV plan per the current SDK
 * text but a single-domain one per the 2021 docs (UNCONFIRMED; the SDK text is followed here).
 * OV codes are accepted only by `CreateCertificateForPackageRequest`.
 */
export const PRODUCTS: Readonly<Record<string, ProductSpec>> = {
  "digicert-free-1-free": { wildcard: false, level: "DV" },
  "symantec-free-1-free": { wildcard: false, level: "DV" },
  "symantec-dv-1-starter": { wildcard: true, level: "DV" },
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
};

/** The API's default product code (SDK 3.x). */
export const DEFAULT_PRODUCT_CODE = "digicert-free-1-free";

/** Most names one `CreateCertificateForPackageRequest` may carry. */
export const MAX_PACKAGE_DOMAINS = 5;

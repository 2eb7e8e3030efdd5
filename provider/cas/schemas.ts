import * as z from "zod";

/** A zod error on one line, `path: message; path: message` (`(root)` for the value itself). */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

/** A long on the wire (number or string); always a decimal string here, never a rounded number. */
export const longId = z
  .union([z.string().regex(/^\d+$/, "a decimal integer"), z.number().int().nonnegative()])
  .transform((v) => (typeof v === "number" ? v.toFixed(0) : v));

/** A count on the wire (number or numeric string). */
const count = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const optionalMs = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .nullish()
  .transform((v) => v ?? undefined);

/** An optional long id: a decimal string when present. */
const optionalLong = longId.nullish().transform((v) => v ?? undefined);
const optionalBool = z
  .boolean()
  .nullish()
  .transform((v) => v ?? undefined);
const optionalCount = count.nullish().transform((v) => v ?? undefined);
/**
 * An id the client can do without: a decimal string when the answer carries one (number or
 * string on the wire); absent, empty or anything else reads as absent, so a caller falls back to
 * what answers without it allow instead of failing the whole answer.
 */
const optionalHintId = z
  .unknown()
  .optional()
  .transform((v) => {
    const id = longId.safeParse(v);
    return id.success ? id.data : undefined;
  });

const base = { RequestId: z.string() };

/** Tag pairs, sent as `Tags.N.Key` / `Tags.N.Value`. */
export const tagList = z.array(z.object({ Key: z.string(), Value: z.string() })).optional();

// Their own module: the order life cycle needs them, not the response schemas.
export { ORDER_TYPES, type OrderType } from "./order-types";

export const describeCertificateStateResponse = z.object({
  ...base,
  // Tolerate states this client does not know yet; callers map them to "unknown".
  Type: z.string(),
  ValidateType: optionalText,
  RecordDomain: optionalText,
  RecordType: optionalText,
  RecordValue: optionalText,
  Domain: optionalText,
  Uri: optionalText,
  Content: optionalText,
  Certificate: optionalText,
  PrivateKey: optionalText,
  /**
   * The issued certificate's id (the `CertId` of `GetUserCertificateDetail`), in answers since
   * 2025-07 (PyPI SDK 3.9.4 types it as a string; the npm 3.0.0 models lack it).
   */
  CertId: optionalHintId,
});

export const orderIdResponse = z.object({ ...base, OrderId: longId });
export const emptyResponse = z.object(base);

export const describePackageStateResponse = z.object({
  ...base,
  TotalCount: count,
  UsedCount: count,
  IssuedCount: count,
  ProductCode: z.string(),
});

/**
 * One `ListUserCertificateOrder` item: every field the SDK documents (which ones are filled
 * depends on `OrderType`: `OrderId`/`Status` for CPACK/BUY, `CertificateId`/`SerialNo`/
 * `Fingerprint` for CERT/UPLOAD). Ids are decimal strings; times are epoch ms.
 */
const certificateOrderListItem = z.object({
  OrderId: optionalLong,
  CertificateId: optionalLong,
  AliyunOrderId: optionalLong,
  InstanceId: optionalText,
  PartnerOrderId: optionalText,
  ResourceGroupId: optionalText,
  ProductCode: optionalText,
  ProductName: optionalText,
  RootBrand: optionalText,
  Domain: optionalText,
  DomainType: optionalText,
  DomainCount: optionalCount,
  WildDomainCount: optionalCount,
  Status: optionalText,
  TrusteeStatus: optionalText,
  SourceType: optionalText,
  CertType: optionalText,
  Algorithm: optionalText,
  BuyDate: optionalMs,
  CertStartTime: optionalMs,
  CertEndTime: optionalMs,
  StartDate: optionalText,
  EndDate: optionalText,
  Expired: optionalBool,
  Upload: optionalBool,
  Name: optionalText,
  CommonName: optionalText,
  Sans: optionalText,
  Issuer: optionalText,
  SerialNo: optionalText,
  Fingerprint: optionalText,
  Sha2: optionalText,
  OrgName: optionalText,
  Country: optionalText,
  Province: optionalText,
  City: optionalText,
});

export const listUserCertificateOrderResponse = z.object({
  ...base,
  TotalCount: count,
  CurrentPage: count.optional(),
  ShowSize: count.optional(),
  CertificateOrderList: z
    .array(certificateOrderListItem)
    .nullish()
    .transform((v) => v ?? []),
});

/** One tag of `GetUserCertificateDetail.Tags` (PyPI SDK 3.9.4). */
const certificateTag = z.object({ TagKey: optionalText, TagValue: optionalText });

/** One certificate of `GetUserCertificateDetail.CertChain`. */
const certChainItem = z.object({
  CommonName: optionalText,
  IssuerCommonName: optionalText,
  NotBefore: optionalMs,
  NotAfter: optionalMs,
  RemainDay: optionalCount,
});

/**
 * `GetUserCertificateDetail`: every field either SDK documents (`CertSha2` and `Tags` are only in
 * the PyPI one). `CertIdentifier` (`{certId}-{region}`) is what ALB/NLB/WAF/GA/OSS take;
 * `Cert`/`Key` (and the SM2 `Sign*`/`Encrypt*` pairs) are absent when `CertFilter` is true.
 */
export const getUserCertificateDetailResponse = z.object({
  ...base,
  Id: longId,
  OrderId: optionalLong,
  CertIdentifier: optionalText,
  InstanceId: optionalText,
  ResourceGroupId: optionalText,
  Name: optionalText,
  Common: optionalText,
  Sans: optionalText,
  Issuer: optionalText,
  Algorithm: optionalText,
  SerialNo: optionalText,
  Fingerprint: optionalText,
  Sha2: optionalText,
  CertSha2: optionalText,
  StartDate: optionalText,
  EndDate: optionalText,
  NotBefore: optionalMs,
  NotAfter: optionalMs,
  Expired: optionalBool,
  BuyInAliyun: optionalBool,
  OrgName: optionalText,
  Country: optionalText,
  Province: optionalText,
  City: optionalText,
  Cert: optionalText,
  Key: optionalText,
  CertChain: z
    .array(certChainItem)
    .nullish()
    .transform((v) => v ?? undefined),
  SignCert: optionalText,
  SignPrivateKey: optionalText,
  EncryptCert: optionalText,
  EncryptPrivateKey: optionalText,
  Tags: z
    .array(certificateTag)
    .nullish()
    .transform((v) => v ?? undefined),
});

/** The JSON error body every RPC product returns. */
export const errorBody = z.object({
  Code: z.string(),
  Message: z.string().default(""),
  RequestId: optionalText,
  HostId: optionalText,
  Recommend: optionalText,
});

import { z } from "zod";

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

const base = { RequestId: z.string() };

/** Tag pairs, sent as `Tags.N.Key` / `Tags.N.Value`. */
export const tagList = z.array(z.object({ Key: z.string(), Value: z.string() })).optional();

/** Documented `DescribeCertificateState.Type` values (`unknow` is the API's own spelling). */
export const ORDER_TYPES = [
  "domain_verify",
  "process",
  "verify_fail",
  "certificate",
  "payed",
  "unknow",
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

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

export const certificateOrderListItem = z.object({
  OrderId: longId.optional(),
  CertificateId: longId.optional(),
  InstanceId: optionalText,
  ProductCode: optionalText,
  ProductName: optionalText,
  Domain: optionalText,
  Status: optionalText,
  SourceType: optionalText,
  CertType: optionalText,
  BuyDate: optionalMs,
  CertStartTime: optionalMs,
  CertEndTime: optionalMs,
  CommonName: optionalText,
  Sans: optionalText,
});

export const listUserCertificateOrderResponse = z.object({
  ...base,
  TotalCount: count,
  CurrentPage: count.optional(),
  ShowSize: count.optional(),
  CertificateOrderList: z.array(certificateOrderListItem).default([]),
});

export const getUserCertificateDetailResponse = z.object({
  ...base,
  Id: longId,
  OrderId: longId.optional(),
  Name: optionalText,
  Common: optionalText,
  Sans: optionalText,
  Issuer: optionalText,
  SerialNo: optionalText,
  Fingerprint: optionalText,
  Sha2: optionalText,
  StartDate: optionalText,
  EndDate: optionalText,
  NotBefore: optionalMs,
  NotAfter: optionalMs,
  Expired: z.boolean().optional(),
  Cert: optionalText,
  Key: optionalText,
});

/** The JSON error body every RPC product returns. */
export const errorBody = z.object({
  Code: z.string(),
  Message: z.string().default(""),
  RequestId: optionalText,
  HostId: optionalText,
  Recommend: optionalText,
});

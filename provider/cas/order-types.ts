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

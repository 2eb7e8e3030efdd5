/**
 * `pulumi-alicloud-cas/client`: a typed client for the Alibaba Cloud Certificate Management
 * Service (CAS) 2020-04-07 RPC API.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before undici (which this client loads) fails obscurely.
import "../../runtime/node-version";
export {
  CasClient,
  isoSeconds,
  type CasClientOptions,
  type CallOptions,
  type ClientEvent,
  type SignatureScheme,
} from "./client";
export {
  ACTIONS,
  API_VERSION,
  defaultQps,
  DEFAULT_UNDOCUMENTED_QPS,
  type ActionName,
  type RequestOf,
  type ResponseOf,
} from "./actions";
export {
  CasError,
  CasApiError,
  CasOutcomeUnknownError,
  CasPacedLocallyError,
  CasTransportError,
  CasResponseError,
  CasCredentialsError,
  CasCredentialSourceError,
  type CasApiErrorFields,
} from "./errors";
export {
  resolveCredentials,
  type Credentials,
  type CredentialSources,
  type ConfigLookup,
} from "./credentials";
export {
  resolveEndpoint,
  resolveRegion,
  CHINA_ENDPOINT,
  INTERNATIONAL_ENDPOINT,
  DEFAULT_REGION,
} from "./endpoints";
export { signRpcV1, rpcV1StringToSign } from "../../protocol/sign-rpc-v1";
export {
  signAcs3,
  acs3CanonicalRequest,
  acs3Authorization,
  parseAcs3Authorization,
  sha256Hex,
  type Acs3Request,
} from "../../protocol/sign-acs3";
export { percentEncode, canonicalQuery, flattenParams } from "../../protocol/percent-encode";
export { parseJsonLossless } from "../../protocol/lossless-json";
export { DEFAULT_RETRY_POLICY, backoffDelay, type RetryPolicy } from "./retry";
export {
  Deadline,
  DEFAULT_OPERATION_TIMEOUT_MS,
  currentDeadline,
  runWithDeadline,
  withOperationDeadline,
} from "./deadline";
export { AdaptiveLimiter, DEFAULT_ADAPTIVE_RATE, type AdaptiveRateOptions } from "./rate-limit";
export { MAX_RESPONSE_BYTES } from "./transport";
export { MAX_ECHOED_CHARS } from "./redact";
export { systemClock, type Clock } from "../../protocol/clock";
export { closeTransports } from "./transport";
export { PRODUCTS, DEFAULT_PRODUCT_CODE, MAX_PACKAGE_DOMAINS, type ProductSpec } from "./products";
export { ORDER_TYPES, type OrderType } from "./schemas";

/**
 * `pulumi-alicloud-cas/client`: a typed client for the Alibaba Cloud Certificate Management
 * Service (CAS) 2020-04-07 RPC API.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before undici (which this client loads) fails obscurely.
import "../../runtime/node-guard";
export {
  CasClient,
  type CasClientOptions,
  type CallOptions,
  type ClientEvent,
  type SignatureScheme,
} from "./client";
export { ClientRuntime, closeTransports } from "./client-runtime";
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
  type CasErrorOptions,
} from "./errors";
export type { FailureKind } from "./failure";
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
export { signRpcV1 } from "../../protocol/sign-rpc-v1";
export { signAcs3, type Acs3Request } from "../../protocol/sign-acs3";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
export { Deadline, DEFAULT_OPERATION_TIMEOUT_MS } from "./deadline";
export { systemClock, type Clock } from "../../runtime/clock";
export { PRODUCTS, DEFAULT_PRODUCT_CODE, MAX_PACKAGE_DOMAINS, type ProductSpec } from "./products";
export { ORDER_TYPES, type OrderType } from "./schemas";

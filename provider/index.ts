/**
 * `pulumi-alicloud-cas/provider`: the dynamic-provider implementations and their parts. The SDK's
 * serialized stubs load the providers by package name inside the Pulumi provider process (through
 * the package root and hosted.ts, without this module); nothing here is serialized.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-guard";
/** What the serialized stubs use through the package root (`o`, `v`, `i`); see hosted.ts. */
export {
  order,
  validation,
  instance,
  order as certificateOrderProvider,
  validation as certificateOrderValidationProvider,
  instance as instanceCertificateProvider,
  createProviders,
} from "./hosted";
export { INSTANCE_STATE } from "./instance/inputs";
export { CLAIM_TAG } from "./instance/claim";
export {
  checkOrderInputs,
  chooseAction,
  orderInputsSchema,
  UNKNOWN,
  type OrderInputs,
  type Failure,
} from "./order/inputs";
export { diffOrder, REPLACE_PROPERTIES, UPDATE_PROPERTIES, type OrderDiff } from "./order/diff";
export {
  dnsRecordsFor,
  describeRecords,
  recordFor,
  guessZone,
  relativeTo,
  STATUS_REASON,
  SCHEMA_VERSION,
  type OrderOutputs,
  type OrderStatus,
  type DnsValidationRecord,
  type FileValidation,
} from "./order/outputs";
export {
  validationRecordFqdn,
  hostRecord,
  recordBase,
  registrableDomain,
  readRecordDomain,
  placeRecords,
  recordGroups,
  type RecordDomainReading,
  type RecordPlacement,
} from "./order/record-name";
export { waitForIssuance, DEFAULT_WAIT, type WaitOptions } from "./order/waiter";
export { precheckDns, type ExpectedRecord, type PrecheckResult } from "./order/dns-precheck";
export { ORDER_STATE, type OrderState } from "./order/state";
export { VALIDATION_STATE } from "./order/validation-inputs";
export type { StoredState, Upgrader } from "./order/state-chain";
export { parseCsr, canonicalCsrPem, normalizeDomain, CsrError, type CsrInfo } from "./pki/csr";

/**
 * `pulumi-alicloud-cas/provider`: the dynamic-provider implementations. The SDK's resources load
 * this module by package name inside the Pulumi provider process; nothing here is serialized.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-version";
import { certificateOrderProvider } from "./order/order-provider";
import { certificateOrderValidationProvider } from "./order/validation-provider";
import { instanceCertificateProvider } from "./instance/instance-provider";
import { withOperationDeadline } from "./cas/deadline";
import { operationDeadline } from "./order/settings";

export { certificateOrderProvider, certificateOrderValidationProvider, instanceCertificateProvider };
/**
 * Used by the serialized stubs through the package root (`o`, `v`). Each order operation's API
 * calls share one deadline (`alicloud-cas:operationTimeoutSeconds`); the validation wait has its own.
 */
export const order = withOperationDeadline(certificateOrderProvider, operationDeadline);
export const validation = certificateOrderValidationProvider;
/** Used by InstanceCertificate's serialized stub through the package root (`i`). */
export const instance = instanceCertificateProvider;
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

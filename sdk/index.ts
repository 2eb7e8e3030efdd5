/**
 * `pulumi-alicloud-cas`: order TLS certificates from an Alibaba Cloud CAS resource plan.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-version";
export {
  CertificateOrder,
  type CertificateOrderArgs,
  type ValidationRecordOutputs,
} from "./certificate-order";
export {
  CertificateOrderValidation,
  type CertificateOrderValidationArgs,
} from "./certificate-order-validation";
export {
  ManagedCertificate,
  type ManagedCertificateArgs,
  type ValidationDnsRecordArgs,
  type ValidationDnsRecordFactory,
} from "./managed-certificate";
export { InstanceCertificate, type InstanceCertificateArgs } from "./instance-certificate";
export {
  alidnsRecordArgs,
  type AlidnsRecordArgs,
  type AlidnsRecordOptions,
  type DnsRecordInput,
} from "./dns";

// The serialized stubs (stubs.ts) reach the provider implementations through these two names.
// They are getters so that a Pulumi program never loads provider code; only the provider
// process does, on its first call.
/** @internal CertificateOrder's provider, for the serialized stub. */
export declare const o: typeof import("../provider/index.js").order;
/** @internal CertificateOrderValidation's provider, for the serialized stub. */
export declare const v: typeof import("../provider/index.js").validation;
/** @internal InstanceCertificate's provider, for the serialized stub. */
export declare const i: typeof import("../provider/index.js").instance;
/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */
Object.defineProperty(exports, "o", { enumerable: false, get: () => require("../provider/index.js").order });
Object.defineProperty(exports, "v", {
  enumerable: false,
  get: () => require("../provider/index.js").validation,
});
Object.defineProperty(exports, "i", {
  enumerable: false,
  get: () => require("../provider/index.js").instance,
});
/* eslint-enable @typescript-eslint/no-require-imports */

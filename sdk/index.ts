/**
 * `pulumi-alicloud-cas`: order TLS certificates from an Alibaba Cloud CAS resource plan.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-guard";
import type { dynamic } from "@pulumi/pulumi";
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
  type ManagedCertificateInstanceArgs,
  type ManagedCertificateOrderArgs,
  type ManagedCertificateWaitArgs,
  type ManagedInstanceArgs,
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

// The serialized stubs (stubs.ts) reach the provider implementations through these three names.
// They are getters so that a Pulumi program never loads provider code; only the provider
// process does, on its first call. They load provider/hosted.ts built into one file
// (scripts/bundle-provider.cjs) by the package's private import name `#provider-host`
// (package.json `imports`): the SDK imports no controller, and the provider's cold start is part of
// every resource operation.
/** What the stubs call: every method of a dynamic provider. */
type ResourceProvider = Required<dynamic.ResourceProvider>;
/** @internal CertificateOrder's provider, for the serialized stub. */
export declare const o: ResourceProvider;
/** @internal CertificateOrderValidation's provider, for the serialized stub. */
export declare const v: ResourceProvider;
/** @internal InstanceCertificate's provider, for the serialized stub. */
export declare const i: ResourceProvider;
/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */
Object.defineProperty(exports, "o", {
  enumerable: false,
  get: () => require("#provider-host").order,
});
Object.defineProperty(exports, "v", {
  enumerable: false,
  get: () => require("#provider-host").validation,
});
Object.defineProperty(exports, "i", {
  enumerable: false,
  get: () => require("#provider-host").instance,
});
/* eslint-enable @typescript-eslint/no-require-imports */

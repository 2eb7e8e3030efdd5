/**
 * `pulumi-alicloud-cas/emulator`: a local Alibaba Cloud CAS (2020-04-07) emulator for tests and
 * offline demos.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-guard";
export { startEmulator, EmulatorControl, type RunningEmulator } from "./server";
export type { EmulatorOptions } from "./options";
export type { RequestLogEntry } from "./request-log";
export type { FaultRule, FaultKind } from "./faults";
export type { LifecycleOptions, LifecycleInput } from "./timing";
export type { RecordDomainStyle } from "./records";
export type { Order, OrderState } from "./state";

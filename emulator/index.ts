/**
 * `pulumi-alicloud-cas/emulator`: a local Alibaba Cloud CAS (2020-04-07) emulator for tests and
 * offline demos.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-version";
export {
  startEmulator,
  EmulatorControl,
  type EmulatorOptions,
  type RunningEmulator,
  type RequestLogEntry,
} from "./server";
export type { FaultRule, FaultKind } from "./faults";
export type { LifecycleOptions, LifecycleInput } from "./lifecycle";
export type { RecordDomainStyle } from "./records";
export type { Order, OrderState } from "./state";

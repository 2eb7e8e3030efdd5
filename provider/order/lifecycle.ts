import { ORDER_TYPES, type OrderType } from "../cas/order-types";

/**
 * The order life cycle in one table: for each `DescribeCertificateState.Type` the SDK documents
 * (`DescribeCertificateStateResponseBody.type` remarks; cas-api.md §4.3 and §4.6), the resource
 * status, what it means, what destroy does, and whether the waiter keeps polling. Outputs, the
 * waiter, delete and the validation provider read it; nothing else names a CAS state.
 *
 * The emulator keeps its own state machine on purpose (a second reading of the same sources).
 */

/** The API calls that give an unissued order's quota back, in order (cas-api.md §4.6). */
type WithdrawCalls =
  readonly ["CancelOrderRequest", "DeleteCertificateRequest"] | readonly ["DeleteCertificateRequest"];

/**
 * What destroy does with an order in a state:
 * - `withdraw`: make `calls` (quota comes back), then log `done`;
 * - `keepOrRevoke`: keep the issued certificate valid, or revoke it with `onDelete: "revoke"`
 *   (`CancelCertificateForPackageRequest`, quota back only within 30 days of issuance);
 * - `refuse`: fail and keep the order in the stack, since it may still hold quota.
 */
type DeletePlan =
  { kind: "withdraw"; calls: WithdrawCalls; done: string } | { kind: "keepOrRevoke" } | { kind: "refuse" };

/**
 * What the waiter does on seeing a state: `poll` again, `done` (issued), or `stop` with an error
 * `code` because waiting cannot move the order on.
 */
type WaitStep =
  { kind: "poll" } | { kind: "done" } | { kind: "stop"; code: "ValidationFailed" | "PendingApplication" };

/** One row of the life-cycle table. */
interface PhaseRow {
  /** The resource's `status` output. */
  status: string;
  /** The waiter's log line for this state; without one, the line names the state. */
  label?: string;
  /** Why the order is stuck or failed and what to do (the `statusReason` output); `null` when nothing is to be done. */
  reason: string | null;
  /** The answer carries validation data (DNS record or file to publish). */
  awaitsValidation: boolean;
  /** The answer carries the certificate (and, for orders by domain, its key). */
  issued: boolean;
  onDelete: DeletePlan;
  wait: WaitStep;
}

/** What the provider knows about one API state. */
export interface OrderPhase extends Omit<PhaseRow, "status"> {
  /** The API's `Type`. */
  type: string;
  status: OrderStatus;
  label: string;
}

/**
 * The API's `Type` for a state it calls unknown (its own spelling); also the `type` a resource
 * writes to state before it has read its order (a partial create).
 */
export const UNKNOWN_TYPE = "unknow" satisfies OrderType;

const WITHDRAWN = "withdrawn and deleted before issuance; its quota is back in the plan";

/** Every documented state. A `satisfies` keeps it total over {@link ORDER_TYPES}. */
export const LIFECYCLE = {
  domain_verify: {
    status: "pending_validation",
    label: "waiting for domain validation (publish the DNS record or file)",
    reason: null,
    awaitsValidation: true,
    issued: false,
    onDelete: {
      kind: "withdraw",
      calls: ["CancelOrderRequest", "DeleteCertificateRequest"],
      done: WITHDRAWN,
    },
    wait: { kind: "poll" },
  },
  process: {
    status: "under_review",
    label: "validated; the CA is reviewing",
    reason: null,
    awaitsValidation: false,
    issued: false,
    onDelete: {
      kind: "withdraw",
      calls: ["CancelOrderRequest", "DeleteCertificateRequest"],
      done: WITHDRAWN,
    },
    wait: { kind: "poll" },
  },
  certificate: {
    status: "issued",
    label: "issued",
    reason: null,
    awaitsValidation: false,
    issued: true,
    onDelete: { kind: "keepOrRevoke" },
    wait: { kind: "done" },
  },
  verify_fail: {
    status: "failed",
    label: "the CA's review failed",
    reason:
      "the CA's review failed (verify_fail): the application information (names, contact, company profile or CSR) may be wrong. " +
      "Replace the order: fix the input and run pulumi up, or run `pulumi up --replace <urn>` (URNs: `pulumi stack --show-urns`); " +
      "deleting the failed order returns its quota.",
    awaitsValidation: false,
    issued: false,
    // The SDK remark: delete the failed order (DeleteCertificateRequest) to release its quota.
    onDelete: {
      kind: "withdraw",
      calls: ["DeleteCertificateRequest"],
      done: "failed order (verify_fail) deleted; its quota is back in the plan",
    },
    // Waiting does not move it on: it needs a new order.
    wait: { kind: "stop", code: "ValidationFailed" },
  },
  payed: {
    status: "pending_application",
    label: "pending application (not submitted to the CA)",
    reason:
      "the order is pending application (payed): it was withdrawn (CancelOrderRequest) or is a new renewal order, and no " +
      "API action submits it. Submit the application in the CAS console (SSL Certificates → the order → Apply), then run " +
      "pulumi up again; or delete the order, which returns its quota.",
    awaitsValidation: false,
    issued: false,
    // Paid from the plan but never submitted to the CA (or withdrawn by CancelOrderRequest earlier):
    // deleting it is what returns the quota.
    onDelete: {
      kind: "withdraw",
      calls: ["DeleteCertificateRequest"],
      done: "pending application (payed: never submitted to the CA) deleted; its quota is back in the plan",
    },
    // Waiting does not move it on: it needs a console step.
    wait: { kind: "stop", code: "PendingApplication" },
  },
  [UNKNOWN_TYPE]: {
    status: "unknown",
    reason: null,
    awaitsValidation: false,
    issued: false,
    // It may still hold quota: never dropped silently.
    onDelete: { kind: "refuse" },
    // The SDK gives no meaning; it may be transient, so the waiter keeps polling until its deadline.
    wait: { kind: "poll" },
  },
} as const satisfies { [T in OrderType]: PhaseRow };

/** The status an issued certificate reports once it is past notAfter (CAS keeps answering `certificate`). */
export const EXPIRED = "expired";

/** Normalized order status (the raw API `type` is kept beside it); {@link EXPIRED} is derived from notAfter, not a CAS state. */
export type OrderStatus = (typeof LIFECYCLE)[OrderType]["status"] | typeof EXPIRED;

/**
 * The row for an API `Type`. A state newer than this provider (not in the SDK's list) is treated as
 * `unknow`, with its own name in the waiter's line.
 */
export function phaseOf(type: string): OrderPhase {
  const known = (ORDER_TYPES as readonly string[]).includes(type);
  const row: Readonly<PhaseRow> & { status: OrderStatus } =
    LIFECYCLE[known ? (type as OrderType) : UNKNOWN_TYPE];
  return { ...row, type, label: row.label ?? `state ${type}` };
}

/** The status of an issued certificate still within its validity. */
export const ISSUED: OrderStatus = LIFECYCLE.certificate.status;

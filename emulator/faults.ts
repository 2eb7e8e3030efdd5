/** An API error the emulator answers with. */
export class ApiFault extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Kinds of injected failure. */
export type FaultKind =
  /** Answer after `latencyMs` (the request still succeeds). */
  | "latency"
  /**
   * Answer `ServiceUnavailable` 503 (or `code`/`status`) without processing; with `retryAfterMs`,
   * the answer carries `x-acs-retry-after`, which the official SDKs read as throttling whatever
   * the code.
   */
  | "error"
  /** Drop the connection before processing. */
  | "reset"
  /** Process the request (an order is committed), then drop the connection with no answer. */
  | "ambiguous"
  /** Answer `Throttling.User` without processing, with `x-acs-retry-after` (`retryAfterMs`, default 100). */
  | "throttle"
  /** `DeleteCertificateRequest` only: answer the documented `DeleteFail` (403) without deleting. */
  | "deleteFail"
  /** The three create actions only: answer the documented `CreateCertificateRequestFailed` (403) without placing an order. */
  | "createFailed";

/** Every fault kind, for the CLI and the control API. */
export const FAULT_KINDS = [
  "latency",
  "error",
  "reset",
  "ambiguous",
  "throttle",
  "deleteFail",
  "createFailed",
] as const satisfies readonly FaultKind[];

/** The documented CAS errors a fault kind answers with, and the actions it applies to (others pass untouched). */
export const DOCUMENTED_FAULTS: Readonly<
  Partial<Record<FaultKind, { code: string; status: number; actions: readonly string[] }>>
> = {
  deleteFail: { code: "DeleteFail", status: 403, actions: ["DeleteCertificateRequest"] },
  createFailed: {
    code: "CreateCertificateRequestFailed",
    status: 403,
    actions: [
      "CreateCertificateRequest",
      "CreateCertificateWithCsrRequest",
      "CreateCertificateForPackageRequest",
    ],
  },
};

/** Whether a rule of `kind` can apply to `action` (a documented error only to the actions that document it). */
export function faultApplies(kind: FaultKind, action: string): boolean {
  const documented = DOCUMENTED_FAULTS[kind];
  return !documented || documented.actions.includes(action);
}

export interface FaultRule {
  /** Action name, or `*` for every action. */
  action: string;
  kind: FaultKind;
  /** Probability per matching request, 0..1 (decided by the seeded generator). */
  rate: number;
  latencyMs?: number | undefined;
  code?: string | undefined;
  status?: number | undefined;
  /** Apply to at most this many requests, then stop. */
  limit?: number | undefined;
  /**
   * `error` and `throttle` faults: the `x-acs-retry-after` value in milliseconds (`0` is sent as
   * `0`, which the official SDKs read as no header). `error` sends none without it; `throttle`
   * sends {@link DEFAULT_THROTTLE_RETRY_AFTER_MS}.
   */
  retryAfterMs?: number | undefined;
}

/**
 * UNCONFIRMED: the `x-acs-retry-after` of an injected throttling answer. The emulator's own rate
 * limit sends the time until the key's next token instead.
 */
export const DEFAULT_THROTTLE_RETRY_AFTER_MS = 100;

/** A `Throttling.User` answer telling the caller when to come back (`x-acs-retry-after`, ms). */
export function throttlingFault(status: number, retryAfterMs: number): ApiFault {
  return new ApiFault("Throttling.User", status, MESSAGES["Throttling.User"]!, {
    "x-acs-retry-after": String(retryAfterMs),
  });
}

export const MESSAGES: Record<string, string> = {
  ServiceUnavailable: "The request has failed due to a temporary failure of the server.",
  InternalError: "The request processing has failed due to some unknown error, exception or failure.",
  "Throttling.User": "Request was denied due to user flow control.",
  // The 2021 API reference's error tables (message texts are the emulator's, from their meanings).
  DeleteFail: "Deleting the certificate order failed.",
  CreateCertificateRequestFailed: "Creating the certificate application failed.",
};

/** HTTP status of the codes the API reference documents, for `error` rules that give a code but no status. */
export const DOCUMENTED_STATUS: Record<string, number> = {
  InternalError: 500,
  DeleteFail: 403,
  CreateCertificateRequestFailed: 403,
  NotFoundPackage: 404,
  NotRemainCount: 404,
  NotFoundOrder: 404,
  OrderStateError: 403,
  Error: 500,
};

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
  /** Answer `ServiceUnavailable` 503 (or `code`/`status`) without processing. */
  | "error"
  /** Drop the connection before processing. */
  | "reset"
  /** Process the request (an order is committed), then drop the connection with no answer. */
  | "ambiguous"
  /** Answer `Throttling.User` without processing. */
  | "throttle";

export interface FaultRule {
  /** Action name, or `*` for every action. */
  action: string;
  kind: FaultKind;
  /** Probability per matching request, 0..1 (decided by the seeded generator). */
  rate: number;
  latencyMs?: number;
  code?: string;
  status?: number;
  /** Apply to at most this many requests, then stop. */
  limit?: number;
}

export const MESSAGES: Record<string, string> = {
  ServiceUnavailable: "The request has failed due to a temporary failure of the server.",
  InternalError: "The request processing has failed due to some unknown error, exception or failure.",
  "Throttling.User": "Request was denied due to user flow control.",
};

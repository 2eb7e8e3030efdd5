/**
 * What one failed attempt means for the call, decided in one place (as smithy-typescript's
 * `RetryErrorType`):
 * - `throttling`: refused for rate before it was processed (a `Throttling*` code, or any error
 *   answer with a positive `x-acs-retry-after`); repeated until the call's deadline, outside the
 *   attempt limit and the retry budget.
 * - `transient`: may succeed if repeated, and repeating cannot do anything twice.
 * - `outcome-unknown`: a create the service may have processed; an order may exist, so it is never
 *   repeated (the caller reconciles by listing orders).
 * - `never-sent`: the request provably never left this machine (connection refused, no route, a
 *   name that does not resolve, a connect timeout): nothing can exist, so even a create fails
 *   without looking for an order; repeated at most {@link NEVER_SENT_ATTEMPTS} times in all.
 * - `not-retryable`: a definite answer, an unreadable one, a TLS handshake this machine refused
 *   (nothing sent, and repeating cannot change the certificate), or the caller's own abort.
 */
export type FailureKind = "throttling" | "transient" | "outcome-unknown" | "never-sent" | "not-retryable";

/**
 * Why a request provably never left this machine:
 * - `tls`: the TLS handshake failed (the endpoint's certificate was not trusted: unknown or private
 *   CA, self-signed, expired, another host's name; or the endpoint does not speak TLS). The HTTP
 *   request is written only after a handshake succeeds.
 * - `connect`: no connection (refused, no route to the host or network, the name does not resolve,
 *   the connect timed out).
 * - `no-slot`: every connection to the endpoint stayed busy until the call's deadline.
 */
export type NotSentReason = "tls" | "connect" | "no-slot";

/**
 * How many attempts in all a call makes when each fails without sending (`connect`), the retry
 * policy's `maxAttempts` permitting: enough to ride out a restarting proxy or a DNS blip, few
 * enough that a wrong or stopped endpoint is reported within seconds. TLS failures get one attempt
 * (a certificate does not change between attempts); `no-slot` is bounded by the deadline alone.
 */
export const NEVER_SENT_ATTEMPTS = 3;

/** How one attempt failed, as far as the retry decision needs to know. */
export type AttemptOutcome =
  /**
   * CAS answered with an error body (or a non-2xx status without one); `retryAfter` is the raw
   * `x-acs-retry-after` header, if any.
   */
  | { type: "error-answer"; code: string; httpStatus: number; retryAfter?: string | string[] | undefined }
  /** A 2xx answer that could not be read (not JSON, not the documented shape), or an oversized answer. */
  | { type: "unreadable-answer" }
  /** No answer: a timeout or a network error after which the request may have reached the server. */
  | { type: "no-answer" }
  /** The request provably never left this machine. */
  | { type: "not-sent"; reason: NotSentReason }
  /** The caller aborted. */
  | { type: "aborted" };

/**
 * The server's `x-acs-retry-after` hint in milliseconds: a positive whole number. Zero, negative,
 * empty, fractional or unparsable values, and a header sent twice, are no hint at all (as the
 * official SDK core reads it since aliyun/darabonba-openapi#283, 2026-07).
 */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  if (typeof header !== "string" || !/^\s*\d+\s*$/.test(header)) return undefined;
  const ms = Number(header);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** Throttling codes (`Throttling`, `Throttling.User`, `Throttling.Api`, …): rejected before processing. */
function isThrottlingCode(code: string): boolean {
  return code.includes("Throttling");
}

/**
 * Codes that say the service failed this time and says nothing about whether it processed the
 * request: 5xx-style codes (whatever the HTTP status: InternalError/400 and ServiceUnavailable/403
 * happen) and any 5xx status. `SignatureNonceUsed`: every attempt signs with a fresh random nonce,
 * so the nonce can only have been seen if this very request arrived twice (a proxy or the network
 * repeated it); the first copy may have been processed. A read repeated with a new nonce is safe.
 */
function isTransientAnswer(code: string, httpStatus: number): boolean {
  return (
    code === "ServiceUnavailable" ||
    code === "InternalError" ||
    code === "SignatureNonceUsed" ||
    httpStatus >= 500
  );
}

/**
 * The one retry decision for a failed attempt of an action (`creates`: the action places an order).
 * Pure: the client calls it once per failed attempt and acts on the kind in one place.
 */
export function classifyFailure(outcome: AttemptOutcome, action: { creates: boolean }): FailureKind {
  switch (outcome.type) {
    case "error-answer":
      // Throttling proves the request was not processed: safe to repeat even for a create. A
      // positive x-acs-retry-after marks any error answer as throttling, whatever its code (the
      // official SDK core's reading, aliyun/darabonba-openapi#283): checked before the transient
      // rule, so a create answered ServiceUnavailable with the header is repeated, not unknown.
      if (parseRetryAfter(outcome.retryAfter) !== undefined || isThrottlingCode(outcome.code))
        return "throttling";
      // A transient answer to a create (SignatureNonceUsed included: a first copy may have placed
      // the order) leaves the order's existence unknown.
      if (isTransientAnswer(outcome.code, outcome.httpStatus))
        return action.creates ? "outcome-unknown" : "transient";
      return "not-retryable";
    case "unreadable-answer":
      // The service answered, so a create was processed: an order may exist, unreadable as the answer is.
      return action.creates ? "outcome-unknown" : "not-retryable";
    case "no-answer":
      return action.creates ? "outcome-unknown" : "transient";
    case "not-sent":
      // Nothing reached the service, so a create is as safe to repeat as a read; whether it is
      // worth repeating depends only on the reason.
      return outcome.reason === "tls"
        ? "not-retryable"
        : outcome.reason === "connect"
          ? "never-sent"
          : "transient";
    case "aborted":
      return "not-retryable";
  }
}

/** Whether a kind is the sort of failure that goes away when repeated (the errors' `retryable`). */
export function isRepeatable(kind: FailureKind): boolean {
  return kind !== "not-retryable";
}

/**
 * Every error this package throws extends {@link CasError} and carries a stable `code`, so callers
 * branch on codes, never on message text.
 */
export class CasError extends Error {
  /** A stable, documented identifier (e.g. `CredentialsNotFound`, or the API's `Code`). */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Fields of an error body returned by the CAS API. */
export interface CasApiErrorFields {
  code: string;
  message: string;
  httpStatus: number;
  requestId: string | null;
  hostId: string | null;
  recommend: string | null;
  action: string;
  retryable: boolean;
}

/** An error answer from the CAS API (`{Code, Message, RequestId, HostId, Recommend}`). */
export class CasApiError extends CasError {
  readonly httpStatus: number;
  readonly requestId: string | null;
  readonly hostId: string | null;
  readonly recommend: string | null;
  readonly action: string;
  readonly retryable: boolean;
  /** The API's own message, without the context this class adds. */
  readonly apiMessage: string;
  constructor(f: CasApiErrorFields) {
    super(
      f.code,
      `${f.action} failed: ${f.code}: ${f.message} (HTTP ${f.httpStatus}${f.requestId ? `, RequestId ${f.requestId}` : ""})`,
    );
    this.httpStatus = f.httpStatus;
    this.requestId = f.requestId;
    this.hostId = f.hostId;
    this.recommend = f.recommend;
    this.action = f.action;
    this.retryable = f.retryable;
    this.apiMessage = f.message;
  }
}

/**
 * A create-type request may have reached the service but no answer came back. The order may or
 * may not exist: reconcile (list orders) before ordering again.
 */
export class CasOutcomeUnknownError extends CasError {
  readonly action: string;
  constructor(action: string, cause: unknown) {
    super(
      "OutcomeUnknown",
      `${action}: the request may have reached CAS but no answer arrived (${describeCause(cause)}); ` +
        "an order may exist. It is not retried automatically, to avoid ordering twice.",
      { cause },
    );
    this.action = action;
  }
}

/** A network failure, timeout or abort, after retries (if any) were used up. */
export class CasTransportError extends CasError {
  readonly action: string;
  readonly retryable: boolean;
  constructor(
    code: "Timeout" | "NetworkError" | "Aborted",
    action: string,
    message: string,
    cause?: unknown,
  ) {
    super(code, `${action}: ${message}`, { cause });
    this.action = action;
    this.retryable = code !== "Aborted";
  }
}

/** An answer that is not what the API documents (bad JSON, missing fields). */
export class CasResponseError extends CasError {
  constructor(action: string, message: string) {
    super("InvalidResponse", `${action}: unexpected response: ${message}`);
  }
}

/** Credentials could not be found, or are incomplete. */
export class CasCredentialsError extends CasError {
  constructor(message: string) {
    super("CredentialsNotFound", message);
  }
}

/** One-line description of an error cause, for messages. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" && !cause.message.includes(code)
      ? `${code}: ${cause.message}`
      : cause.message;
  }
  return String(cause);
}

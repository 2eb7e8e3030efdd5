import type { FailureKind } from "./failure";

/** What an error is built with besides its code and message. */
export interface CasErrorOptions {
  cause?: unknown | undefined;
  /** What the failed call means for its caller (see {@link FailureKind}), when a call failed. */
  kind?: FailureKind | undefined;
}

/**
 * Every error this package throws extends {@link CasError} and carries a stable `code`, so callers
 * branch on codes, never on message text.
 */
export class CasError extends Error {
  /** A stable, documented identifier (e.g. `CredentialsNotFound`, or the API's `Code`). */
  readonly code: string;
  /**
   * For a failed API call, what the failure means (decided once by the client's retry strategy):
   * `outcome-unknown` says a create may have been processed. Absent for other errors.
   */
  readonly kind: FailureKind | undefined;
  constructor(code: string, message: string, options?: CasErrorOptions) {
    super(message, options && "cause" in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.kind = options?.kind;
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
  /** What to do, appended to the message (e.g. which credentials were used). */
  advice?: string | undefined;
  /** What the answer means for the call (see {@link FailureKind}). */
  kind?: FailureKind;
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
      `${f.action} failed: ${f.code}: ${f.message} (HTTP ${f.httpStatus}${f.requestId ? `, RequestId ${f.requestId}` : ""})${f.advice ?? ""}`,
      f.kind === undefined ? undefined : { kind: f.kind },
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
      { cause, kind: "outcome-unknown" },
    );
    this.action = action;
  }
}

/**
 * A call this process did not send because its own client-side pacing (the per-action rate shared
 * by every call on one endpoint and access key) had no slot before the call's deadline. Nothing
 * reached the service: safe to repeat, and no sign that the endpoint is wrong.
 */
export class CasPacedLocallyError extends CasError {
  readonly action: string;
  readonly retryable = true;
  constructor(action: string, message: string) {
    super("PacedLocally", message);
    this.action = action;
  }
}

/**
 * A network failure, timeout or abort, after retries (if any) were used up. `NetworkError` with
 * "nothing was sent" and `TlsHandshakeFailed` prove the request never left this machine.
 */
export class CasTransportError extends CasError {
  readonly action: string;
  readonly retryable: boolean;
  constructor(
    code: "Timeout" | "NetworkError" | "TlsHandshakeFailed" | "Aborted" | "DeadlineExceeded",
    action: string,
    message: string,
    cause?: unknown,
    kind?: FailureKind,
  ) {
    super(code, `${action}: ${message}`, { cause, kind });
    this.action = action;
    // A refused certificate stays refused until someone changes the endpoint or the trusted CAs.
    this.retryable = code !== "Aborted" && code !== "TlsHandshakeFailed";
  }
}

/**
 * Codes that mean the request's credentials were refused (the secret does not match the key,
 * the key does not exist or is disabled, the STS token is bad).
 */
export const CREDENTIAL_ERROR_CODES: ReadonlySet<string> = new Set([
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "InvalidAccessKeyId.NotFound",
  "InvalidAccessKeyId.Inactive",
  "InvalidAccessKeyId",
  "InvalidSecurityToken.Expired",
  "InvalidSecurityToken.Malformed",
  "InvalidSecurityToken.MismatchWithAccessKey",
]);

/**
 * What to check when credentials are refused: which credentials were used (source and key id,
 * never the secret) and the usual causes, the one the answer's `code` points at first: an unknown
 * or disabled key id is not a secret that does not match.
 */
export function credentialAdvice(accessKeyId: string, source: string, hasToken: boolean, code = ""): string {
  const id = accessKeyId.length > 8 ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}` : accessKeyId;
  const secret =
    "the secret does not belong to this access key (a copy error, a trailing space or newline, or a rotated key)";
  const precedence =
    "a source you did not mean took precedence (order: stack config alicloud:assumeRoleWithOidc, alicloud:accessKey/secretKey," +
    " alicloud:ecsRoleName, alicloud:credentialsUri, then ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, then ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY," +
    " then the ALIBABA_CLOUD_OIDC_* variables, then the Aliyun CLI profile, then ALIBABA_CLOUD_ECS_METADATA and ALIBABA_CLOUD_CREDENTIALS_URI;" +
    " alicloud:assumeRole then assumes its role with what was found)";
  const keyGone =
    "the access key id does not exist or is disabled: a typo, a key deleted or disabled in RAM, or a key of another account or site";
  const token = "an STS token that expired or belongs to other temporary keys";
  const causes = code.startsWith("InvalidAccessKeyId")
    ? [keyGone, precedence, token]
    : code.startsWith("InvalidSecurityToken")
      ? [token, precedence, secret]
      : [secret, precedence, `${token}, or the key was disabled or deleted in RAM`];
  return (
    ` Credentials in use: access key ${id}${hasToken ? " with an STS token" : ""} from ${source}.` +
    ` Usual causes: ${causes.map((c, i) => `(${i + 1}) ${c}`).join("; ")}.`
  );
}

/**
 * What to check when the endpoint answered an error without a CAS error body (a 404 page, a proxy's
 * refusal): the answer is not from the CAS API, so the endpoint (or something between) is wrong.
 */
export function notCasAdvice(origin: string): string {
  return (
    ` ${origin} answered without a CAS error body, so it is probably not the CAS API.` +
    " Check the endpoint: it comes from ALIBABA_CLOUD_ENDPOINT_CAS, else the cas entry of alicloud:endpoints, else alicloud:region" +
    " (https://cas.aliyuncs.com for most regions); for the local emulator, check that it is the one running on that port;" +
    " or a proxy (HTTPS_PROXY, HTTP_PROXY) answered instead."
  );
}

/** An answer that is not what the API documents (bad JSON, missing fields). */
export class CasResponseError extends CasError {
  constructor(action: string, message: string, kind?: FailureKind) {
    super("InvalidResponse", `${action}: unexpected response: ${message}`, { kind });
  }
}

/** Credentials could not be found, or are incomplete. */
export class CasCredentialsError extends CasError {
  constructor(message: string) {
    super("CredentialsNotFound", message);
  }
}

/**
 * A failure to obtain credentials from a role, OIDC, the ECS metadata service or a credentials URI
 * (code `CredentialSourceFailed`): the message names the setting, the answer and what to check.
 * Nothing was sent to CAS.
 */
export class CasCredentialSourceError extends CasError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CredentialSourceFailed", message, options);
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

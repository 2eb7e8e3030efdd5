import type { Clock } from "../../runtime/clock";
import type { ActionName, ResponseOf } from "./actions";
import { errorFields, parseAnswer } from "./answers";
import { connectError, seconds, tlsError, type EndpointRoute } from "./call-errors";
import type { ClientCredentials } from "./client-credentials";
import type { Deadline } from "./deadline";
import { CasApiError, CasResponseError, CasTransportError, describeCause } from "./errors";
import { isRepeatable, parseRetryAfter } from "./failure";
import type { AttemptResult } from "./retry-strategy";
import { signRequest, type SignatureScheme } from "./sign-request";
import {
  NotSentError,
  notSentReason,
  ResponseTooLargeError,
  type HttpResponse,
  type ProxySettings,
  type Transport,
} from "./transport";

/** Where and how a client sends its attempts. */
export interface AttemptTarget extends EndpointRoute {
  proxy: ProxySettings;
  scheme: SignatureScheme;
  userAgent: string;
  /** One attempt's limit, counted from when it has a connection. */
  attemptTimeoutMs: number;
  clock: Clock;
  transport: Transport;
}

/**
 * Signs and sends one attempt of `action` and reads its answer: the parsed response, or how the
 * attempt failed (for the retry strategy to classify) with the error to report it by. `answered`
 * runs on every 2xx answer.
 */
export async function sendAttempt<A extends ActionName>(
  target: AttemptTarget,
  action: A,
  wire: Record<string, string>,
  credentials: ClientCredentials,
  deadline: Deadline,
  signal: AbortSignal | undefined,
  answered: () => void,
): Promise<AttemptResult<ResponseOf<A>>> {
  let res: HttpResponse;
  try {
    res = await exchange(target, action, wire, credentials, deadline, signal);
  } catch (e) {
    return failedExchange(target, action, e, deadline, signal);
  }
  if (res.status >= 200 && res.status < 300) {
    answered();
    const parsed = parseAnswer(action, res, credentials);
    if (parsed.ok) return parsed;
    return {
      ok: false,
      outcome: { type: "unreadable-answer" },
      error: (kind) => new CasResponseError(action, parsed.unreadable, kind),
    };
  }
  const fields = errorFields(action, res, credentials, target.endpoint.origin);
  const retryAfter = res.headers["x-acs-retry-after"];
  return {
    ok: false,
    outcome: { type: "error-answer", code: fields.code, httpStatus: res.status, retryAfter },
    error: (kind) => new CasApiError({ ...fields, retryable: isRepeatable(kind), kind }),
    retryAfterMs: parseRetryAfter(retryAfter),
  };
}

/** One signed request and its answer, bounded by the deadline (waiting for a connection included). */
function exchange(
  target: AttemptTarget,
  action: string,
  wire: Record<string, string>,
  credentials: ClientCredentials,
  deadline: Deadline,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  // The attempt's own timer starts only once the request has a connection (see Transport.send).
  const remaining = deadline.remainingMs(target.clock.now());
  const bound = target.transport.timeout(Math.max(1, remaining));
  const request = signRequest(target.scheme, {
    action,
    wire,
    credentials: credentials.current!,
    endpoint: target.endpoint,
    userAgent: target.userAgent,
    now: target.clock.now(),
  });
  return target.transport.send(
    {
      ...request,
      method: "POST",
      signal: signal ? AbortSignal.any([signal, bound]) : bound,
      timeoutMs: Math.max(1, Math.min(target.attemptTimeoutMs, remaining)),
    },
    undefined,
    target.proxy,
  );
}

/** How an exchange that threw failed: aborted, too large, never sent (and why), or unanswered. */
function failedExchange<T>(
  target: AttemptTarget,
  action: string,
  e: unknown,
  deadline: Deadline,
  signal: AbortSignal | undefined,
): AttemptResult<T> {
  const origin = target.endpoint.origin;
  if (signal?.aborted)
    return {
      ok: false,
      outcome: { type: "aborted" },
      error: (kind) => new CasTransportError("Aborted", action, "aborted by the caller", e, kind),
    };
  if (e instanceof ResponseTooLargeError)
    return {
      ok: false,
      outcome: { type: "unreadable-answer" },
      error: (kind) => new CasResponseError(action, `${e.message} (from ${origin})`, kind),
    };
  if (e instanceof NotSentError)
    return {
      ok: false,
      outcome: { type: "not-sent", reason: "no-slot" },
      error: (kind) =>
        new CasTransportError(
          "Timeout",
          action,
          `${e.message} (${origin}) until the operation deadline of ${seconds(deadline.budgetMs)} (${deadline.source})`,
          e,
          kind,
        ),
    };
  const reason = notSentReason(e);
  if (reason === "tls")
    return {
      ok: false,
      outcome: { type: "not-sent", reason },
      error: (kind) => tlsError(target, action, e, kind),
    };
  if (reason === "connect")
    return {
      ok: false,
      outcome: { type: "not-sent", reason },
      error: (kind) => connectError(target, action, e, kind),
    };
  const name = (e as Partial<Error> | null | undefined)?.name;
  const timedOut = name === "TimeoutError" || name === "AbortError";
  return {
    ok: false,
    outcome: { type: "no-answer" },
    error: (kind) =>
      new CasTransportError(
        timedOut ? "Timeout" : "NetworkError",
        action,
        timedOut
          ? `no answer within ${target.attemptTimeoutMs} ms from ${origin}`
          : `cannot reach ${origin}: ${describeCause(e)}`,
        e,
        kind,
      ),
  };
}

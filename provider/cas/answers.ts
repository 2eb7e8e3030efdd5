import { parseJsonLossless } from "../../protocol/lossless-json";
import { ACTIONS, KEY_BEARING_ACTIONS, type ActionName, type ResponseOf } from "./actions";
import type { ClientCredentials } from "./client-credentials";
import { credentialAdvice, CREDENTIAL_ERROR_CODES, notCasAdvice, type CasApiErrorFields } from "./errors";
import { bound } from "./redact";
import { errorBody, formatIssues } from "./schemas";
import type { HttpResponse } from "./transport";

/** The parsed 2xx answer of `action` (longs as strings), or why it could not be read. */
export function parseAnswer<A extends ActionName>(
  action: A,
  res: HttpResponse,
  credentials: ClientCredentials,
): { ok: true; value: ResponseOf<A> } | { ok: false; unreadable: string } {
  let json: unknown;
  try {
    json = parseJsonLossless(res.text);
  } catch (e) {
    const why = `body is not JSON (${(e as Error).message}): ${excerpt(action, res, 200, credentials)}`;
    return { ok: false, unreadable: why };
  }
  const parsed = ACTIONS[action].response.safeParse(json);
  if (!parsed.success) return { ok: false, unreadable: credentials.scrub(formatIssues(parsed.error)) };
  return { ok: true, value: parsed.data as ResponseOf<A> };
}

/**
 * The start of a body for an error message: scrubbed, and for actions whose answers can carry a
 * private key only its length (a key cut short by the excerpt would escape the PEM filter).
 */
function excerpt(
  action: ActionName,
  res: HttpResponse,
  chars: number,
  credentials: ClientCredentials,
): string {
  if (KEY_BEARING_ACTIONS.has(action))
    return `(${res.text.length} characters not shown: ${action} answers can carry a private key)`;
  // Scrubbed whole, then cut: a cut first could keep the start of a secret the filters miss.
  return credentials.scrub(res.text, chars);
}

/**
 * The fields of an error answer (everything but `retryable` and `kind`, which the failure's kind
 * decides). Every field is server text and may echo the request (the STS token, a key): all are scrubbed.
 */
export function errorFields(
  action: ActionName,
  res: HttpResponse,
  credentials: ClientCredentials,
  origin: string,
): Omit<CasApiErrorFields, "retryable"> {
  let body: ReturnType<typeof errorBody.parse> | undefined;
  try {
    const parsed = errorBody.safeParse(parseJsonLossless(res.text));
    if (parsed.success) body = parsed.data;
  } catch {
    body = undefined;
  }
  const scrub = (text: string) => credentials.scrub(text);
  const code = bound(scrub(body?.Code ?? (res.status >= 500 ? "InternalError" : `HTTP${res.status}`)), 100);
  const c = credentials.identity;
  return {
    code,
    message:
      body?.Message !== undefined
        ? scrub(body.Message)
        : excerpt(action, res, 300, credentials) || "(empty body)",
    httpStatus: res.status,
    requestId: body?.RequestId ? bound(scrub(body.RequestId), 100) : null,
    hostId: body?.HostId ? bound(scrub(body.HostId), 200) : null,
    recommend: body?.Recommend ? scrub(body.Recommend) : null,
    action,
    advice: CREDENTIAL_ERROR_CODES.has(code)
      ? credentialAdvice(c.accessKeyId, c.source, c.temporary, code)
      : body === undefined && res.status < 500
        ? notCasAdvice(origin)
        : undefined,
  };
}

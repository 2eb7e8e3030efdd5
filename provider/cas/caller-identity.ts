import { createHash, randomUUID } from "node:crypto";
import * as z from "zod";
import type { Clock } from "../../runtime/clock";
import { parseJsonLossless } from "../../protocol/lossless-json";
import { canonicalQuery } from "../../protocol/percent-encode";
import { signRpcV1 } from "../../protocol/sign-rpc-v1";
import type { Credentials } from "./credential-types";
import {
  CasApiError,
  CasError,
  CasResponseError,
  CasTransportError,
  credentialAdvice,
  CREDENTIAL_ERROR_CODES,
  describeCause,
} from "./errors";
import { bound, redact } from "./redact";
import { notSentReason, type ProxySettings, type Transport } from "./transport";

/** The STS API version of `GetCallerIdentity`. */
const STS_API_VERSION = "2015-04-01";

/** STS's answer to `GetCallerIdentity`: who signed the request. */
export interface CallerIdentity {
  /** The Alibaba Cloud account the credentials belong to (what state records). */
  accountId: string;
  arn: string;
  /** `Account`, `RAMUser` or `AssumedRoleUser`. */
  identityType: string;
  principalId: string;
  /** Only for an account or a RAM user. */
  userId: string | null;
  /** Only for a role session. */
  roleId: string | null;
  requestId: string;
}

const answerSchema = z
  .object({
    RequestId: z.string(),
    AccountId: z.string().regex(/^\d+$/, "an account id (digits)"),
    Arn: z.string(),
    IdentityType: z.string(),
    PrincipalId: z.string(),
    UserId: z.string().optional(),
    RoleId: z.string().optional(),
  })
  .loose();

/** How a client reaches STS: the endpoint, where it came from, the proxy, and its clock. */
export interface StsRoute {
  endpoint: URL;
  source: string;
  proxy: ProxySettings;
  /** How requests leave (` through the proxy … (from …)`, or empty), for messages. */
  route: string;
  clock: Clock;
  userAgent: string;
  attemptTimeoutMs: number;
  /** The connections requests take. */
  transport: Transport;
}

/** Attempts of one `GetCallerIdentity` (network failures, 5xx and throttling are tried again). */
const ATTEMPTS = 3;

/**
 * The accounts credentials belong to, asked of STS (`GetCallerIdentity`, RPC style, HMAC-SHA1)
 * once for each endpoint and credential identity (the key, its secret and its STS token): a
 * rotated token is asked once more, the same credentials never again. A failure is not kept.
 */
export class CallerIdentities {
  private readonly asked = new Map<string, Promise<CallerIdentity>>();
  private readonly settled = new Map<string, CallerIdentity>();

  /** Who `credentials` belong to: known already, being asked, or asked now. */
  of(
    route: StsRoute,
    credentials: Credentials,
    deadlineAt: number,
    signal?: AbortSignal,
  ): Promise<CallerIdentity> {
    const key = identityKey(route.endpoint, credentials);
    const known = this.asked.get(key);
    if (known) return known;
    const asking = ask(route, credentials, deadlineAt, signal).then(
      (identity) => {
        this.settled.set(key, identity);
        return identity;
      },
      (e: unknown) => {
        this.asked.delete(key);
        throw e;
      },
    );
    this.asked.set(key, asking);
    return asking;
  }

  /** The account of `credentials` if STS has been asked already, else `undefined`. */
  known(endpoint: URL, credentials: Credentials): CallerIdentity | undefined {
    return this.settled.get(identityKey(endpoint, credentials));
  }
}

function identityKey(endpoint: URL, c: Credentials): string {
  // Hashed: the process keeps no copy of a secret or token beyond the credentials themselves.
  const secret = createHash("sha256")
    .update(`${c.accessKeySecret}\n${c.securityToken ?? ""}`)
    .digest("hex");
  return `${endpoint.origin}|${c.accessKeyId}|${secret}`;
}

async function ask(
  route: StsRoute,
  credentials: Credentials,
  deadlineAt: number,
  signal: AbortSignal | undefined,
): Promise<CallerIdentity> {
  let last: CasError | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) {
      const delay = 200 * 2 ** (attempt - 1);
      if (route.clock.now() + delay >= deadlineAt) break;
      await route.clock.sleep(delay, signal);
    }
    const remaining = deadlineAt - route.clock.now();
    if (remaining <= 0) break;
    const outcome = await once(route, credentials, remaining, signal);
    if (!(outcome instanceof CasError)) return outcome;
    last = outcome;
    const again =
      outcome instanceof CasTransportError
        ? outcome.retryable
        : outcome instanceof CasApiError &&
          (outcome.httpStatus >= 500 || outcome.code.startsWith("Throttling"));
    if (!again) throw outcome;
  }
  throw (
    last ??
    new CasTransportError(
      "DeadlineExceeded",
      "GetCallerIdentity",
      `not sent: the operation's deadline was spent before STS (${route.endpoint.origin}) could be asked which account the credentials belong to`,
    )
  );
}

/** One attempt: the identity, or the error it ended with (returned, so the caller decides). */
async function once(
  route: StsRoute,
  c: Credentials,
  remainingMs: number,
  signal: AbortSignal | undefined,
): Promise<CallerIdentity | CasError> {
  const common: Record<string, string> = {
    Action: "GetCallerIdentity",
    Version: STS_API_VERSION,
    Format: "JSON",
    AccessKeyId: c.accessKeyId,
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    SignatureNonce: randomUUID(),
    Timestamp: new Date(route.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  if (c.securityToken) common.SecurityToken = c.securityToken;
  common.Signature = signRpcV1("POST", common, c.accessKeySecret);
  const scrub = (text: string, max?: number) => redact(text, [c.accessKeySecret, c.securityToken], max);
  const where = `STS ${route.endpoint.origin}${route.route} (from ${route.source})`;
  const bounded = route.transport.timeout(Math.max(1, remainingMs));
  let res;
  try {
    res = await route.transport.send(
      {
        url: new URL(`/?${canonicalQuery(common)}`, route.endpoint),
        method: "POST",
        headers: {
          "user-agent": route.userAgent,
          accept: "application/json",
          host: route.endpoint.host,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "",
        signal: signal ? AbortSignal.any([signal, bounded]) : bounded,
        timeoutMs: Math.max(1, Math.min(route.attemptTimeoutMs, remainingMs)),
      },
      64 * 1024,
      route.proxy,
    );
  } catch (e) {
    const fix =
      "It tells which account the credentials belong to: check that it is reachable, or point ALIBABA_CLOUD_ENDPOINT_STS " +
      "(or the sts entry of alicloud:endpoints) at an STS endpoint that is";
    const reason = notSentReason(e);
    if (reason === "tls")
      return new CasTransportError(
        "TlsHandshakeFailed",
        "GetCallerIdentity",
        `the TLS handshake with ${where} failed (${describeCause(e)}); nothing was sent. ` +
          "If a private CA issued its certificate, give Node that CA (export NODE_EXTRA_CA_CERTS=/path/to/ca.pem). " +
          fix,
        e,
      );
    const name = (e as Partial<Error> | null | undefined)?.name;
    const timedOut = name === "TimeoutError" || name === "AbortError";
    return new CasTransportError(
      timedOut ? "Timeout" : "NetworkError",
      "GetCallerIdentity",
      reason === "connect"
        ? `cannot connect to ${where} (${describeCause(e)}); nothing was sent. ${fix}`
        : `no answer from ${where}${timedOut ? ` within ${Math.round(Math.min(route.attemptTimeoutMs, remainingMs))} ms` : ""} (${describeCause(e)}). ${fix}`,
      e,
    );
  }
  let body: unknown;
  try {
    body = parseJsonLossless(res.text);
  } catch {
    body = undefined;
  }
  if (res.status >= 200 && res.status < 300) {
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success)
      return new CasResponseError(
        "GetCallerIdentity",
        `${where} answered ${scrub(res.text, 200) || "(empty body)"}, which is not a GetCallerIdentity answer (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}); check that the endpoint is STS`,
      );
    const a = parsed.data;
    return {
      accountId: a.AccountId,
      arn: a.Arn,
      identityType: a.IdentityType,
      principalId: a.PrincipalId,
      userId: a.UserId ?? null,
      roleId: a.RoleId ?? null,
      requestId: a.RequestId,
    };
  }
  const fields = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const code = bound(scrub(typeof fields.Code === "string" ? fields.Code : `HTTP${res.status}`), 100);
  return new CasApiError({
    code,
    message:
      typeof fields.Message === "string"
        ? scrub(fields.Message)
        : `${scrub(res.text, 200) || "(empty body)"} (from ${where}; is it STS?)`,
    httpStatus: res.status,
    requestId: typeof fields.RequestId === "string" ? bound(scrub(fields.RequestId), 100) : null,
    hostId: typeof fields.HostId === "string" ? bound(scrub(fields.HostId), 200) : null,
    recommend: typeof fields.Recommend === "string" ? scrub(fields.Recommend) : null,
    action: "GetCallerIdentity",
    retryable: res.status >= 500,
    advice: CREDENTIAL_ERROR_CODES.has(code)
      ? credentialAdvice(c.accessKeyId, c.source, Boolean(c.securityToken), code)
      : undefined,
  });
}

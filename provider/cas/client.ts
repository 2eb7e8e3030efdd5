import { randomBytes, randomUUID } from "node:crypto";
import {
  ACTIONS,
  API_VERSION,
  defaultQps,
  type ActionName,
  type RequestOf,
  type ResponseOf,
} from "./actions";
import { systemClock, type Clock } from "../../protocol/clock";
import { resolveCredentials, type ConfigLookup, type Credentials } from "./credentials";
import { resolveEndpoint } from "./endpoints";
import {
  CasApiError,
  CasError,
  CasOutcomeUnknownError,
  CasResponseError,
  CasTransportError,
  describeCause,
} from "./errors";
import { parseJsonLossless } from "../../protocol/lossless-json";
import { canonicalQuery, flattenParams } from "../../protocol/percent-encode";
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryableCode,
  isThrottlingCode,
  RetryBudget,
  type RetryPolicy,
} from "./retry";
import { sharedBucket } from "./rate-limit";
import { errorBody } from "./schemas";
import { acs3Authorization, sha256Hex } from "../../protocol/sign-acs3";
import { signRpcV1 } from "../../protocol/sign-rpc-v1";
import { send, provablyNotSent, type HttpResponse } from "./transport";

/** Which signature the client puts on the wire. */
export type SignatureScheme = "acs3" | "rpc-v1";

/** What the client reports while it works (retries, waits); never contains secrets. */
export type ClientEvent =
  | { kind: "retry"; action: string; attempt: number; delayMs: number; reason: string }
  | { kind: "throttled-locally"; action: string; delayMs: number };

export interface CasClientOptions {
  /** `https://cas.aliyuncs.com` by default; `http://127.0.0.1:PORT` for the emulator. */
  endpoint?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** Already-resolved credentials (skips resolution). */
  credentials?: Credentials;
  /** Pulumi stack config as `configure` sees it (`alicloud:*` keys). */
  config?: ConfigLookup;
  /** Environment to read; `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** `acs3` (ACS3-HMAC-SHA256, form body; default) or `rpc-v1` (HMAC-SHA1, as Terraform sends). */
  signatureScheme?: SignatureScheme;
  /** One attempt's limit (default 10 s). */
  attemptTimeoutMs?: number;
  /** Limit for a whole call including retries and waits (default 120 s). */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Per-action requests per second; `false` turns client-side limiting off. */
  rateLimits?: Partial<Record<ActionName, number>> | false;
  clock?: Clock;
  onEvent?: (event: ClientEvent) => void;
  userAgent?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

const USER_AGENT = `pulumi-alicloud-cas (${process.platform}; ${process.arch}) Node.js/${process.version}`;

/**
 * A typed client for the CAS 2020-04-07 RPC API: signs, sends over a keep-alive pool, parses
 * every answer with a schema (longs as strings), retries what is safe to retry, and rate-limits
 * per action across every client in the process.
 */
export class CasClient {
  readonly endpoint: URL;
  private readonly credentials: Credentials;
  private readonly scheme: SignatureScheme;
  private readonly policy: RetryPolicy;
  private readonly budget: RetryBudget;
  private readonly clock: Clock;
  private readonly attemptTimeoutMs: number;
  private readonly deadlineMs: number;
  private readonly rateLimits: CasClientOptions["rateLimits"];
  private readonly onEvent: (event: ClientEvent) => void;
  private readonly userAgent: string;

  constructor(options: CasClientOptions = {}) {
    this.endpoint = new URL(
      resolveEndpoint({ explicit: options.endpoint, config: options.config, env: options.env }),
    );
    this.credentials =
      options.credentials ??
      resolveCredentials({
        explicit: {
          accessKeyId: options.accessKeyId,
          accessKeySecret: options.accessKeySecret,
          securityToken: options.securityToken,
        },
        config: options.config,
        env: options.env,
      });
    this.scheme = options.signatureScheme ?? "acs3";
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.budget = new RetryBudget(this.policy);
    this.clock = options.clock ?? systemClock;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.deadlineMs = options.deadlineMs ?? 120_000;
    this.rateLimits = options.rateLimits;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.userAgent = options.userAgent ? `${USER_AGENT} ${options.userAgent}` : USER_AGENT;
  }

  /** The access key id in use (not secret), and where it came from. */
  get identity(): { accessKeyId: string; source: string } {
    return { accessKeyId: this.credentials.accessKeyId, source: this.credentials.source };
  }

  /** Calls one action with its API-named parameters and returns the parsed response. */
  async call<A extends ActionName>(
    action: A,
    params: RequestOf<A>,
    options: CallOptions = {},
  ): Promise<ResponseOf<A>> {
    const spec = ACTIONS[action];
    const checked = spec.request.safeParse(params);
    if (!checked.success)
      throw new CasError(
        "InvalidRequest",
        `${action}: invalid parameters: ${checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    const wire = flattenParams(checked.data as Record<string, unknown>);
    const deadline = this.clock.now() + this.deadlineMs;

    for (let attempt = 0; ; attempt++) {
      await this.throttleLocally(action, options.signal);
      let failure: { error: CasError; retryable: boolean; retryAfterMs?: number };
      try {
        const res = await this.attempt(action, wire, options.signal, deadline);
        if (res.status >= 200 && res.status < 300) {
          this.budget.refund();
          return this.parseSuccess(action, res);
        }
        const apiError = this.parseError(action, res);
        if (spec.creates && apiError.httpStatus >= 500 && !isThrottlingCode(apiError.code))
          throw new CasOutcomeUnknownError(action, apiError);
        const retryAfter = Number(res.headers["x-acs-retry-after"]);
        failure = {
          error: apiError,
          retryable: apiError.retryable,
          retryAfterMs: Number.isFinite(retryAfter) ? retryAfter : undefined,
        };
      } catch (e) {
        if (e instanceof CasError) throw e;
        if (options.signal?.aborted)
          throw new CasTransportError("Aborted", action, "aborted by the caller", e);
        const notSent = provablyNotSent(e);
        if (spec.creates && !notSent) throw new CasOutcomeUnknownError(action, e);
        const timedOut = (e as Error)?.name === "TimeoutError" || (e as Error)?.name === "AbortError";
        failure = {
          error: new CasTransportError(
            timedOut ? "Timeout" : "NetworkError",
            action,
            timedOut
              ? `no answer within ${this.attemptTimeoutMs} ms from ${this.endpoint.origin}`
              : `cannot reach ${this.endpoint.origin}: ${describeCause(e)}`,
            e,
          ),
          retryable: true,
        };
      }
      const delay = backoffDelay(this.policy, attempt, this.clock.random(), failure.retryAfterMs);
      const lastAttempt = attempt + 1 >= this.policy.maxAttempts;
      if (!failure.retryable || lastAttempt || this.clock.now() + delay >= deadline) throw failure.error;
      if (!this.budget.trySpend())
        throw new CasError(
          failure.error.code,
          `${failure.error.message} (retry budget exhausted: too many failures in a row)`,
          { cause: failure.error },
        );
      this.onEvent({
        kind: "retry",
        action,
        attempt: attempt + 1,
        delayMs: delay,
        reason: failure.error.code,
      });
      await this.clock.sleep(delay, options.signal);
    }
  }

  private async throttleLocally(action: ActionName, signal?: AbortSignal): Promise<void> {
    if (this.rateLimits === false) return;
    const qps = this.rateLimits?.[action] ?? defaultQps(action);
    const bucket = sharedBucket(
      `${this.endpoint.origin}|${this.credentials.accessKeyId}|${action}`,
      qps,
      this.clock,
    );
    const wait = bucket.reserve();
    if (wait > 0) {
      this.onEvent({ kind: "throttled-locally", action, delayMs: wait });
      await this.clock.sleep(wait, signal);
    }
  }

  private async attempt(
    action: string,
    wire: Record<string, string>,
    signal: AbortSignal | undefined,
    deadline: number,
  ): Promise<HttpResponse> {
    const budgetMs = Math.max(1, Math.min(this.attemptTimeoutMs, deadline - this.clock.now()));
    const timeout = AbortSignal.timeout(budgetMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const request = this.scheme === "acs3" ? this.signAcs3(action, wire) : this.signRpcV1(action, wire);
    return send({ ...request, method: "POST", signal: combined });
  }

  private baseHeaders(): Record<string, string> {
    return { "user-agent": this.userAgent, accept: "application/json", host: this.endpoint.host };
  }

  private signAcs3(action: string, wire: Record<string, string>) {
    const body = canonicalQuery(wire);
    const headers: Record<string, string> = {
      ...this.baseHeaders(),
      "content-type": "application/x-www-form-urlencoded",
      "x-acs-action": action,
      "x-acs-version": API_VERSION,
      "x-acs-date": isoSeconds(this.clock.now()),
      "x-acs-signature-nonce": randomBytes(16).toString("hex"),
      "x-acs-content-sha256": sha256Hex(body),
    };
    if (this.credentials.securityToken) headers["x-acs-security-token"] = this.credentials.securityToken;
    const signedHeaders = Object.keys(headers).filter(
      (h) => h === "host" || h === "content-type" || h.startsWith("x-acs-"),
    );
    headers.authorization = acs3Authorization(
      { method: "POST", query: {}, headers, signedHeaders, payloadHash: headers["x-acs-content-sha256"]! },
      this.credentials.accessKeyId,
      this.credentials.accessKeySecret,
    );
    return { url: new URL("/", this.endpoint), headers, body };
  }

  private signRpcV1(action: string, wire: Record<string, string>) {
    const common: Record<string, string> = {
      Action: action,
      Version: API_VERSION,
      Format: "JSON",
      AccessKeyId: this.credentials.accessKeyId,
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: randomUUID(),
      Timestamp: isoSeconds(this.clock.now()),
    };
    if (this.credentials.securityToken) common.SecurityToken = this.credentials.securityToken;
    common.Signature = signRpcV1("POST", { ...common, ...wire }, this.credentials.accessKeySecret);
    const url = new URL(`/?${canonicalQuery(common)}`, this.endpoint);
    return {
      url,
      headers: { ...this.baseHeaders(), "content-type": "application/x-www-form-urlencoded" },
      body: canonicalQuery(wire),
    };
  }

  private parseSuccess<A extends ActionName>(action: A, res: HttpResponse): ResponseOf<A> {
    let json: unknown;
    try {
      json = parseJsonLossless(res.text);
    } catch (e) {
      throw new CasResponseError(
        action,
        `body is not JSON (${(e as Error).message}): ${res.text.slice(0, 200)}`,
      );
    }
    const parsed = ACTIONS[action].response.safeParse(json);
    if (!parsed.success)
      throw new CasResponseError(
        action,
        parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      );
    return parsed.data as ResponseOf<A>;
  }

  private parseError(action: string, res: HttpResponse): CasApiError {
    let body: ReturnType<typeof errorBody.parse> | undefined;
    try {
      const parsed = errorBody.safeParse(parseJsonLossless(res.text));
      if (parsed.success) body = parsed.data;
    } catch {
      body = undefined;
    }
    const code = body?.Code ?? (res.status >= 500 ? "InternalError" : `HTTP${res.status}`);
    return new CasApiError({
      code,
      message: body?.Message ?? res.text.slice(0, 300),
      httpStatus: res.status,
      requestId: body?.RequestId ?? null,
      hostId: body?.HostId ?? null,
      recommend: body?.Recommend ?? null,
      action,
      retryable: isRetryableCode(code, res.status),
    });
  }
}

/** `YYYY-MM-DDTHH:mm:ssZ`, the timestamp form both schemes use. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

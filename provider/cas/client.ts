import { randomBytes, randomUUID } from "node:crypto";
import {
  ACTIONS,
  API_VERSION,
  defaultQps,
  KEY_BEARING_ACTIONS,
  type ActionName,
  type RequestOf,
  type ResponseOf,
} from "./actions";
import { systemClock, type Clock } from "../../protocol/clock";
import {
  credentialChain,
  fixedCredentials,
  type ConfigLookup,
  type CredentialProvider,
  type Credentials,
} from "./credentials";
import { callerIdentity, knownCallerIdentity, type CallerIdentity, type StsRoute } from "./caller-identity";
import { currentDeadline, Deadline, DEFAULT_OPERATION_TIMEOUT_MS } from "./deadline";
import {
  allowInsecureEndpointSetting,
  checkEndpointTransport,
  checkProxiedTransport,
  isLoopbackHost,
  resolveEndpointSource,
  resolveStsEndpointSource,
} from "./endpoints";
import { StsClient } from "./sts-client";
import {
  credentialAdvice,
  notCasAdvice,
  CREDENTIAL_ERROR_CODES,
  CasApiError,
  CasError,
  type CasApiErrorFields,
  CasOutcomeUnknownError,
  CasCredentialSourceError,
  CasPacedLocallyError,
  CasResponseError,
  CasTransportError,
  describeCause,
} from "./errors";
import { parseJsonLossless } from "../../protocol/lossless-json";
import { canonicalQuery, flattenParams } from "../../protocol/percent-encode";
import {
  classifyFailure,
  isRepeatable,
  NEVER_SENT_ATTEMPTS,
  parseRetryAfter,
  type AttemptOutcome,
  type FailureKind,
} from "./failure";
import { backoffDelay, DEFAULT_RETRY_POLICY, RetryBudget, type RetryPolicy } from "./retry";
import { sharedLimiter, type AdaptiveLimiter } from "./rate-limit";
import { bound, redact } from "./redact";
import { errorBody, formatIssues } from "./schemas";
import { acs3Authorization, sha256Hex } from "../../protocol/sign-acs3";
import { signRpcV1 } from "../../protocol/sign-rpc-v1";
import {
  NotSentError,
  notSentReason,
  proxyRefusal,
  send,
  ResponseTooLargeError,
  type HttpResponse,
  type ProxySettings,
} from "./transport";

/**
 * What the client puts on the wire: `acs3` is the official SDK's shape (ACS3-HMAC-SHA256, POST,
 * business parameters in the query, empty body); `acs3-form` signs the same way with the
 * parameters in a form body; `rpc-v1` is HMAC-SHA1 with common parameters in the query and
 * business parameters in a form body, as Terraform and the Pulumi alicloud provider send.
 */
export type SignatureScheme = "acs3" | "acs3-form" | "rpc-v1";

/** What the client reports while it works (retries, waits); never contains secrets. */
export type ClientEvent =
  | { kind: "retry"; action: string; attempt: number; delayMs: number; reason: string }
  | { kind: "throttled-locally"; action: string; delayMs: number };

export interface CasClientOptions {
  /** `https://cas.aliyuncs.com` by default; `http://127.0.0.1:PORT` for the emulator. */
  endpoint?: string;
  /**
   * Pace by account: every set of credentials is matched to its account (one `GetCallerIdentity`
   * per process and credentials) before its first request, so a rotated token or another key of
   * the same account shares the account's budget. Default `false`: by account once the account of
   * the credentials is known in this process, else by access key.
   */
  accountPacing?: boolean;
  /**
   * Allows a plain `http://` endpoint on a host other than this machine (loopback is always
   * allowed). Default: stack config `alicloud-cas:allowInsecureEndpoint`, else `false`.
   */
  allowInsecureEndpoint?: boolean;
  /**
   * The proxy for every request (`http://host:port`, credentials allowed), or `direct` for none.
   * Default: stack config `alicloud-cas:proxy`, else `HTTPS_PROXY` / `HTTP_PROXY` (and the
   * lowercase spellings) from `env`; `NO_PROXY` applies either way.
   */
  proxy?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** Already-resolved credentials (skips resolution). */
  credentials?: Credentials;
  /** Path of the Aliyun CLI config; default `~/.aliyun/config.json`. */
  profileFile?: string;
  /**
   * STS: role and OIDC sessions come from it, and it tells which account the credentials belong
   * to (`GetCallerIdentity`). Default: `ALIBABA_CLOUD_STS_ENDPOINT`, `ALIBABA_CLOUD_ENDPOINT_STS`,
   * `ALICLOUD_STS_ENDPOINT`, the `sts` entry of `alicloud:endpoints`, the CAS endpoint's origin
   * when it is on this machine (the emulator), else `https://sts.aliyuncs.com` (see
   * {@link resolveStsEndpointSource}).
   */
  stsEndpoint?: string;
  /** The ECS metadata service (ECS RAM role); default `alicloud-cas:ecsMetadataEndpoint`, else `http://100.100.100.200`. */
  ecsMetadataEndpoint?: string;
  /** Pulumi stack config as `configure` sees it (`alicloud:*` keys). */
  config?: ConfigLookup;
  /** Environment to read; `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Wire shape and signature; `acs3` (the official SDK's) by default. */
  signatureScheme?: SignatureScheme;
  /** One attempt's limit (default 10 s). */
  attemptTimeoutMs?: number;
  /**
   * Limit for a call (retries and waits included) made outside a provider operation; inside one,
   * the operation's {@link Deadline} applies (default 90 s).
   */
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
  /** This call's deadline; by default the current operation's ({@link currentDeadline}), else `deadlineMs` from now. */
  deadline?: Deadline;
  /**
   * The account (id) this call acts for: each attempt's credentials are matched to their account
   * (STS `GetCallerIdentity`, once per credentials) and credentials of another account (a profile
   * switched while the operation ran) are refused before anything is sent (`AccountChanged`).
   */
  account?: string;
}

/** A failed attempt: what it means for the call, the error to report, and the server's retry hint. */
interface AttemptFailure {
  kind: FailureKind;
  error: CasError;
  retryAfterMs?: number;
}

/**
 * Time a call needs left after its local wait to be worth sending (one round trip to a distant
 * region): a slot later than this before the deadline is not taken.
 */
const MIN_SEND_MS = 250;

const USER_AGENT = `pulumi-alicloud-cas (${process.platform}; ${process.arch}) Node.js/${process.version}`;

/**
 * A typed client for the CAS 2020-04-07 RPC API: signs, sends over a keep-alive pool, parses
 * every answer with a schema (longs as strings), retries what is safe to retry, and rate-limits
 * per action across every client in the process.
 */
export class CasClient {
  readonly endpoint: URL;
  /** Where the endpoint came from (`environment ALIBABA_CLOUD_ENDPOINT_CAS`, …), for messages. */
  readonly endpointSource: string;
  private readonly credentialProvider: CredentialProvider;
  /** The credentials of the latest attempt (taken per attempt from the provider); none before the first for sessions. */
  private credentials: Credentials | undefined;
  /** Earlier credentials of this client, so answers to requests they signed are scrubbed of them too. */
  private readonly earlierSecrets: string[] = [];
  private readonly proxy: ProxySettings;
  /** How requests leave (` through the proxy … (from …)`, or empty), for messages. */
  private readonly route: string;
  private readonly scheme: SignatureScheme;
  private readonly policy: RetryPolicy;
  private readonly budget: RetryBudget;
  private readonly clock: Clock;
  private readonly attemptTimeoutMs: number;
  private readonly deadlineMs: number;
  private readonly rateLimits: CasClientOptions["rateLimits"];
  private readonly onEvent: (event: ClientEvent) => void;
  private readonly userAgent: string;
  private readonly sts: StsRoute;
  /** Why the STS endpoint may not be asked (plain http:// to another host), thrown at the first ask. */
  private stsRefusal: unknown;
  private readonly accountPacing: boolean;

  constructor(options: CasClientOptions = {}) {
    const resolved = resolveEndpointSource({
      explicit: options.endpoint,
      config: options.config,
      env: options.env,
    });
    this.endpoint = new URL(resolved.endpoint);
    this.endpointSource = resolved.source;
    const allowInsecure = options.allowInsecureEndpoint ?? allowInsecureEndpointSetting(options.config);
    checkEndpointTransport(this.endpoint, this.endpointSource, allowInsecure);
    const env = options.env ?? process.env;
    const proxySetting: [string | undefined, string] =
      options.proxy !== undefined
        ? [options.proxy, "the client's proxy option"]
        : [options.config?.(PROXY_KEY), `stack config ${PROXY_KEY}`];
    ({ settings: this.proxy, route: this.route } = resolveProxy(proxySetting, env, this.endpoint.hostname));
    checkProxiedTransport(this.endpoint, this.proxy, proxySetting[1], allowInsecure);
    this.clock = options.clock ?? systemClock;
    // One STS route for role and OIDC sessions and for GetCallerIdentity.
    const sts = this.stsRoute(options, proxySetting, env, allowInsecure);
    this.stsRefusal = sts.refusal;
    this.credentialProvider = options.credentials
      ? fixedCredentials(options.credentials)
      : credentialChain({
          explicit: {
            accessKeyId: options.accessKeyId,
            accessKeySecret: options.accessKeySecret,
            securityToken: options.securityToken,
          },
          config: options.config,
          env: options.env,
          profileFile: options.profileFile,
          sts: new StsClient(
            { ...sts.route, ...(sts.refusal ? { refusal: sts.refusal } : {}) },
            () => this.clock.now(),
            options.attemptTimeoutMs ?? 10_000,
          ),
          ecsMetadataEndpoint: options.ecsMetadataEndpoint,
          now: () => this.clock.now(),
        });
    this.credentials = this.credentialProvider.peek?.();
    this.scheme = options.signatureScheme ?? "acs3";
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.budget = new RetryBudget(this.policy);
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.rateLimits = options.rateLimits;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.userAgent = options.userAgent ? `${USER_AGENT} ${options.userAgent}` : USER_AGENT;
    this.sts = {
      ...sts.route,
      clock: this.clock,
      userAgent: this.userAgent,
      attemptTimeoutMs: this.attemptTimeoutMs,
    };
    this.accountPacing = options.accountPacing ?? false;
  }

  /** The STS endpoint `GetCallerIdentity` goes to, and where it came from. */
  get stsEndpoint(): { origin: string; source: string } {
    return { origin: this.sts.endpoint.origin, source: this.sts.source };
  }

  /**
   * Which account the current credentials belong to (STS `GetCallerIdentity`; asked once per
   * process for each set of credentials): works alike for access keys, STS tokens and role sessions.
   */
  async callerIdentity(options: CallOptions = {}): Promise<CallerIdentity> {
    if (this.stsRefusal) throw this.stsRefusal;
    const credentials = await this.credentialProvider.current();
    this.useCredentials(credentials);
    const deadline =
      options.deadline ??
      currentDeadline() ??
      Deadline.after(this.clock.now(), this.deadlineMs, "the client's deadlineMs");
    return callerIdentity(this.sts, credentials, deadline.at, options.signal);
  }

  /**
   * The STS endpoint (plain http:// only on this machine, as for CAS) and the same proxy setting as
   * CAS requests. Checked when STS is first asked: a setting no request uses stops nothing, so a
   * refusal is returned, not thrown.
   */
  private stsRoute(
    options: CasClientOptions,
    proxySetting: [string | undefined, string],
    env: Readonly<Record<string, string | undefined>>,
    allowInsecure: boolean,
  ): {
    route: { endpoint: URL; source: string; proxy: ProxySettings; route: string };
    refusal?: unknown;
  } {
    const sts = resolveStsEndpointSource({
      explicit: options.stsEndpoint,
      config: options.config,
      env,
      cas: { endpoint: this.endpoint, source: this.endpointSource },
    });
    const endpoint = new URL(sts.endpoint);
    const { settings, route } = resolveProxy(proxySetting, env, endpoint.hostname);
    const found = { endpoint, source: sts.source, proxy: settings, route };
    try {
      checkEndpointTransport(endpoint, sts.source, allowInsecure, "STS");
      checkProxiedTransport(endpoint, settings, proxySetting[1], allowInsecure, "STS");
      return { route: found };
    } catch (e) {
      return { route: found, refusal: e };
    }
  }

  /** A fresh deadline for one provider operation, `deadlineMs` from now. */
  operationDeadline(): Deadline {
    return Deadline.after(this.clock.now(), this.deadlineMs);
  }

  /** The access key id in use (not secret), where it came from, and whether it is temporary (STS). */
  get identity(): { accessKeyId: string; source: string; temporary: boolean } {
    const c = this.credentials;
    if (!c)
      // A session not obtained yet: its keys are temporary, whatever they will be.
      return { accessKeyId: "", source: this.credentialProvider.source, temporary: true };
    return { accessKeyId: c.accessKeyId, source: c.source, temporary: Boolean(c.securityToken) };
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
      throw new CasError("InvalidRequest", `${action}: invalid parameters: ${formatIssues(checked.error)}`);
    const wire = flattenParams(checked.data as Record<string, unknown>);
    const deadline =
      options.deadline ??
      currentDeadline() ??
      Deadline.after(this.clock.now(), this.deadlineMs, "the client's deadlineMs");
    // Credentials first (a session is obtained or renewed here): nothing is sent if that fails.
    this.useCredentials(await this.credentialProvider.current());
    const limiter = await this.beforeSending(action, () => this.limiterFor(action, deadline, options.signal));
    let failures = 0;
    let throttles = 0;
    let neverSent = 0;
    let refreshed = false;

    let last: CasError | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.throttleLocally(action, limiter, deadline, options.signal);
      } catch (e) {
        // After failed attempts, the deadline ran out because of them: report the last one.
        if (e instanceof CasPacedLocallyError && last)
          throw this.deadlineError(action, deadline, attempt, last);
        throw e;
      }
      if (deadline.remainingMs(this.clock.now()) <= 0) throw this.deadlineError(action, deadline, attempt);
      // Per request: a profile file that changed, or a session due for renewal, gives new ones.
      this.useCredentials(await this.credentialProvider.current());
      if (options.account !== undefined)
        await this.beforeSending(action, () =>
          this.checkAccount(action, options.account!, deadline, options.signal),
        );
      const result = await this.tryOnce(action, wire, limiter, deadline, options.signal);
      if (result.ok) return result.value;
      const failure = result.failure;
      last = failure.error;

      // The one place that acts on the kind (see classifyFailure).
      let delay: number;
      switch (failure.kind) {
        case "not-retryable":
          // An expired STS token was refused before anything was processed (a create included):
          // sent again at once, once per call, when the source now gives other credentials (a
          // profile file with a fresh token).
          if (failure.error.code === "InvalidSecurityToken.Expired" && !refreshed) {
            refreshed = true;
            if (await this.refreshCredentials()) {
              this.onEvent({
                kind: "retry",
                action,
                attempt: attempt + 1,
                delayMs: 0,
                reason: `${failure.error.code} (credentials read again from ${this.identity.source})`,
              });
              continue;
            }
          }
          throw failure.error;
        case "outcome-unknown":
          throw new CasOutcomeUnknownError(action, failure.error);
        case "throttling": {
          // Retried until the deadline, outside the attempt limit and the retry budget.
          limiter?.onThrottled();
          if (!this.policy.retryThrottling) throw failure.error;
          const random = this.clock.random();
          const backoff = backoffDelay(
            { ...this.policy, maxDelay: this.policy.throttleMaxDelay },
            throttles++,
            random,
          );
          // The server's hint is honoured up to maxDelay (the cap of every other wait); the jitter
          // on top keeps processes that got the same hint from coming back in the same instant.
          delay =
            failure.retryAfterMs === undefined
              ? backoff
              : Math.max(
                  backoff,
                  Math.min(failure.retryAfterMs, this.policy.maxDelay) +
                    Math.floor(random * this.policy.baseDelay),
                );
          if (this.clock.now() + delay >= deadline.at)
            throw new CasError(
              failure.error.code,
              `${failure.error.message}; still throttled after ${attempt + 1} attempts within the operation deadline of ${seconds(deadline.budgetMs)} (${deadline.source}). ` +
                "Other stacks or tools on this account share its per-action limit: deploy fewer stacks at once, lower alicloud-cas:qps, or raise the deadline.",
              { cause: failure.error },
            );
          break;
        }
        case "never-sent": {
          // Nothing reached the service (a create included): repeated a few times in all, outside
          // the retry budget (which spares a struggling service), then reported with the fix.
          if (++neverSent >= Math.min(this.policy.maxAttempts, NEVER_SENT_ATTEMPTS)) throw failure.error;
          delay = backoffDelay(this.policy, failures++, this.clock.random());
          if (this.clock.now() + delay >= deadline.at) throw failure.error;
          break;
        }
        case "transient": {
          delay = backoffDelay(this.policy, failures++, this.clock.random(), failure.retryAfterMs);
          if (failures >= this.policy.maxAttempts) throw failure.error;
          if (this.clock.now() + delay >= deadline.at)
            throw this.deadlineError(action, deadline, attempt + 1, failure.error);
          if (!this.budget.trySpend())
            throw new CasError(
              failure.error.code,
              `${failure.error.message} (retry budget exhausted: too many failures in a row)`,
              { cause: failure.error },
            );
          break;
        }
      }
      this.onEvent({
        kind: "retry",
        action,
        attempt: attempt + 1,
        delayMs: delay,
        reason:
          failure.kind === "never-sent"
            ? `${failure.error.code} (nothing was sent: ${describeCause(failure.error.cause)}; the endpoint ${this.endpoint.origin} is from ${this.endpointSource})`
            : failure.error.code,
      });
      await this.clock.sleep(delay, options.signal);
    }
  }

  /**
   * Sends one attempt and reads its answer: the parsed response, or the failure with its kind,
   * classified here once ({@link classifyFailure}) for the caller to act on.
   */
  private async tryOnce<A extends ActionName>(
    action: A,
    wire: Record<string, string>,
    limiter: AdaptiveLimiter | undefined,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; value: ResponseOf<A> } | { ok: false; failure: AttemptFailure }> {
    const spec = ACTIONS[action];
    const failed = (outcome: AttemptOutcome, error: CasError, retryAfterMs?: number) => ({
      ok: false as const,
      failure: { kind: classifyFailure(outcome, spec), error, retryAfterMs },
    });
    let res: HttpResponse;
    try {
      res = await this.attempt(action, wire, signal, deadline);
    } catch (e) {
      if (signal?.aborted)
        return failed(
          { type: "aborted" },
          new CasTransportError("Aborted", action, "aborted by the caller", e),
        );
      if (e instanceof ResponseTooLargeError)
        return failed(
          { type: "unreadable-answer" },
          new CasResponseError(action, `${e.message} (from ${this.endpoint.origin})`),
        );
      if (e instanceof NotSentError)
        return failed(
          { type: "not-sent", reason: "no-slot" },
          new CasTransportError(
            "Timeout",
            action,
            `${e.message} (${this.endpoint.origin}) until the operation deadline of ${seconds(deadline.budgetMs)} (${deadline.source})`,
            e,
          ),
        );
      const reason = notSentReason(e);
      if (reason === "tls") return failed({ type: "not-sent", reason }, this.tlsError(action, e));
      if (reason === "connect")
        return failed(
          { type: "not-sent", reason },
          new CasTransportError(
            "NetworkError",
            action,
            (proxyRefusal(e) !== undefined
              ? `the proxy refused the tunnel to ${this.endpoint.origin} (HTTP ${proxyRefusal(e)})${this.route}; nothing was sent. ` +
                `Check the proxy's address, credentials (http://user:password@host:port) and whether it allows ${this.endpoint.host}.`
              : `cannot connect to ${this.endpoint.origin}${this.route} (${describeCause(e)}); nothing was sent. `) +
              ` The endpoint is from ${this.endpointSource}: ${this.endpointFix()}`,
            e,
          ),
        );
      const timedOut = (e as Error)?.name === "TimeoutError" || (e as Error)?.name === "AbortError";
      const error = new CasTransportError(
        timedOut ? "Timeout" : "NetworkError",
        action,
        timedOut
          ? `no answer within ${this.attemptTimeoutMs} ms from ${this.endpoint.origin}`
          : `cannot reach ${this.endpoint.origin}: ${describeCause(e)}`,
        e,
      );
      return failed({ type: "no-answer" }, error);
    }
    if (res.status >= 200 && res.status < 300) {
      this.budget.refund();
      limiter?.onSuccess();
      const parsed = this.parseSuccess(action, res);
      return parsed instanceof CasResponseError
        ? failed({ type: "unreadable-answer" }, parsed)
        : { ok: true, value: parsed };
    }
    const fields = this.errorFields(action, res);
    const retryAfter = res.headers["x-acs-retry-after"];
    const kind = classifyFailure(
      { type: "error-answer", code: fields.code, httpStatus: res.status, retryAfter },
      spec,
    );
    return {
      ok: false,
      failure: {
        kind,
        error: new CasApiError({ ...fields, retryable: isRepeatable(kind) }),
        retryAfterMs: parseRetryAfter(retryAfter),
      },
    };
  }

  /** A TLS handshake this machine refused: nothing was sent; what to fix, by the failure. */
  private tlsError(action: string, e: unknown): CasTransportError {
    const cause = describeCause(e);
    const notTls = cause.includes("WRONG_VERSION_NUMBER");
    return new CasTransportError(
      "TlsHandshakeFailed",
      action,
      `the TLS handshake with ${this.endpoint.origin}${this.route} failed (${cause}); nothing was sent, so no order can exist. ` +
        (notTls
          ? `The endpoint does not speak TLS: if it is a plain-HTTP server on this machine (the emulator without --tls), use http://; the endpoint is from ${this.endpointSource}.`
          : `This machine does not trust the endpoint's certificate. If a private CA issued it (a TLS-inspecting proxy, a private gateway, the emulator with --tls), ` +
            "give Node that CA: export NODE_EXTRA_CA_CERTS=/path/to/ca.pem before running pulumi. " +
            `If the certificate is expired or names another host, the endpoint is wrong: it is from ${this.endpointSource}.`),
      e,
    );
  }

  /** What to check when the endpoint cannot be reached, by where it came from. */
  private endpointFix(): string {
    const source = this.endpointSource;
    if (source.includes("ALIBABA_CLOUD_ENDPOINT_CAS"))
      return "check that it is running and reachable (a stopped emulator?), or unset ALIBABA_CLOUD_ENDPOINT_CAS to use Alibaba Cloud's endpoint.";
    if (source.includes("alicloud:endpoints"))
      return "check the cas entry of alicloud:endpoints (pulumi config get alicloud:endpoints), or remove it to use Alibaba Cloud's endpoint.";
    if (source.startsWith("region"))
      return "check this machine's network path to Alibaba Cloud (DNS, firewall; a proxy is taken from HTTPS_PROXY), and alicloud:region.";
    return "check the endpoint option.";
  }

  /** The error for a call that ran out of time, naming the endpoint and the setting. */
  private deadlineError(action: string, deadline: Deadline, attempts: number, last?: CasError): CasError {
    if (last && !(last instanceof CasTransportError)) return last;
    if (attempts === 0)
      // Nothing was sent: earlier calls of the same operation spent its time, not this endpoint.
      return new CasTransportError(
        "DeadlineExceeded",
        action,
        `not sent: the operation deadline of ${seconds(deadline.budgetMs)} (${deadline.source}) was already spent by earlier calls of this operation; raise ${deadline.source}.`,
      );
    return new CasTransportError(
      "DeadlineExceeded",
      action,
      `no answer from ${this.endpoint.origin} within the operation deadline of ${seconds(deadline.budgetMs)} ` +
        `(${attempts} attempt${attempts === 1 ? "" : "s"}${last ? `; last: ${last.message}` : ""}). ` +
        `Check that this endpoint (from ${this.endpointSource}) is the CAS API and reachable${this.route ? `${this.route}` : " (a proxy is taken from HTTPS_PROXY or alicloud-cas:proxy)"}, or raise ${deadline.source}.`,
      last,
    );
  }

  /**
   * Runs a step that comes before `action` is sent (asking STS which account the credentials belong
   * to): its failure says that nothing was sent, so a create is never reported as possibly placed.
   */
  private async beforeSending<T>(action: ActionName, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (e) {
      if (e instanceof CasError && (e.code === "AccountChanged" || e instanceof CasPacedLocallyError))
        throw e;
      throw new CasCredentialSourceError(
        `${action} was not sent: asking STS which account the credentials belong to failed (${(e as Error).message}); nothing was sent to CAS, so no order can exist from it`,
        { cause: e },
      );
    }
  }

  /** Refuses credentials of another account than `expected` (see {@link CallOptions.account}). */
  private async checkAccount(
    action: ActionName,
    expected: string,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const known = this.credentials && knownCallerIdentity(this.sts.endpoint, this.credentials);
    const { accountId } = known ?? (await this.callerIdentity({ deadline, signal }));
    if (accountId !== expected)
      throw new CasError(
        "AccountChanged",
        `${action} was not sent: the credentials now in use (${this.identity.source}) belong to account ${accountId}, and this operation acts for account ${expected}. ` +
          "The credentials changed while it ran (a profile switched, another key rotated in); run it again with the account's credentials",
      );
  }

  /**
   * The process-wide pace of `action` for the account the credentials belong to (see
   * {@link pacingKey}): with `accountPacing`, credentials not matched to an account yet are first.
   */
  private async limiterFor(
    action: ActionName,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<AdaptiveLimiter | undefined> {
    if (this.rateLimits === false) return undefined;
    // The caller set this call's credentials (call() takes them first).
    const account =
      (this.credentials && knownCallerIdentity(this.sts.endpoint, this.credentials)?.accountId) ??
      (this.accountPacing ? (await this.callerIdentity({ deadline, signal })).accountId : undefined);
    const qps = this.rateLimits?.[action] ?? defaultQps(action);
    return sharedLimiter(
      pacingKey(this.endpoint.origin, account, this.identity.accessKeyId, action),
      qps,
      this.clock,
    );
  }

  /**
   * Waits for this call's slot in the process-wide pace of `action`. A slot that would come at or
   * after the deadline is not taken (and one that moves there while waiting, because the rate
   * fell, is given back): the call fails at once with {@link CasPacedLocallyError}, and the callers
   * after it do not inherit its wait.
   */
  private async throttleLocally(
    action: ActionName,
    limiter: AdaptiveLimiter | undefined,
    deadline: Deadline,
    signal?: AbortSignal,
  ): Promise<void> {
    if (!limiter) return;
    // A free slot is always taken (if no time is left, the deadline says so, not the pacing).
    const ticket =
      limiter.nextWait() <= 0
        ? limiter.reserveTicket()
        : limiter.tryReserve(deadline.remainingMs(this.clock.now()) - MIN_SEND_MS);
    if (!ticket) throw this.pacedError(action, limiter, limiter.nextWait(), deadline);
    let wait = limiter.waitFor(ticket);
    if (wait <= 0) return;
    this.onEvent({ kind: "throttled-locally", action, delayMs: wait });
    try {
      // In slices: the rate may rise meanwhile (others finished), and the wait with it shrinks.
      while (wait > 0) {
        if (wait >= deadline.remainingMs(this.clock.now()) - MIN_SEND_MS)
          throw this.pacedError(action, limiter, wait, deadline);
        await this.clock.sleep(Math.min(wait, 1000), signal);
        wait = limiter.waitFor(ticket);
      }
    } catch (e) {
      limiter.cancel(ticket);
      throw e;
    }
  }

  private pacedError(action: ActionName, limiter: AdaptiveLimiter, waitMs: number, deadline: Deadline) {
    return new CasPacedLocallyError(
      action,
      `${action}: not sent: this process paces ${action} to ${Math.round(limiter.rate * 100) / 100} request(s)/s ` +
        `for ${this.endpoint.origin} and this account, and the calls queued before this one take every slot ` +
        `for the next ${seconds(waitMs)}, past the operation deadline of ${seconds(deadline.budgetMs)} (${deadline.source}). ` +
        "This is the client's own pacing, not an endpoint or network problem: run fewer operations at once " +
        `(pulumi up --parallel N), or raise ${deadline.source}.`,
    );
  }

  private async attempt(
    action: string,
    wire: Record<string, string>,
    signal: AbortSignal | undefined,
    deadline: Deadline,
  ): Promise<HttpResponse> {
    // The deadline bounds the whole attempt, the wait for a free connection included; the
    // attempt's own timer starts only once the request has a connection (see send).
    const remaining = deadline.remainingMs(this.clock.now());
    const bound = AbortSignal.timeout(Math.max(1, remaining));
    const request =
      this.scheme === "rpc-v1" ? this.signRpcV1(action, wire) : this.signAcs3(action, wire, this.scheme);
    return send(
      {
        ...request,
        method: "POST",
        signal: signal ? AbortSignal.any([signal, bound]) : bound,
        timeoutMs: Math.max(1, Math.min(this.attemptTimeoutMs, remaining)),
      },
      undefined,
      this.proxy,
    );
  }

  private baseHeaders(): Record<string, string> {
    return { "user-agent": this.userAgent, accept: "application/json", host: this.endpoint.host };
  }

  private signAcs3(action: string, wire: Record<string, string>, shape: "acs3" | "acs3-form") {
    const creds = this.credentials!;
    // The SDK's shape: parameters in the (signed) query, empty body; or all of them in a form body.
    const inQuery = shape === "acs3";
    const body = inQuery ? "" : canonicalQuery(wire);
    const headers: Record<string, string> = {
      ...this.baseHeaders(),
      ...(inQuery ? {} : { "content-type": "application/x-www-form-urlencoded" }),
      "x-acs-action": action,
      "x-acs-version": API_VERSION,
      "x-acs-date": isoSeconds(this.clock.now()),
      "x-acs-signature-nonce": randomBytes(16).toString("hex"),
      "x-acs-content-sha256": sha256Hex(body),
    };
    if (creds.securityToken) {
      // As openapi-core sends STS requests: the key id and the token, both signed.
      headers["x-acs-accesskey-id"] = creds.accessKeyId;
      headers["x-acs-security-token"] = creds.securityToken;
    }
    const signedHeaders = Object.keys(headers).filter(
      (h) => h === "host" || h === "content-type" || h.startsWith("x-acs-"),
    );
    const query = inQuery ? wire : {};
    headers.authorization = acs3Authorization(
      { method: "POST", query, headers, signedHeaders, payloadHash: headers["x-acs-content-sha256"]! },
      creds.accessKeyId,
      creds.accessKeySecret,
    );
    const search = inQuery && Object.keys(wire).length > 0 ? `?${canonicalQuery(wire)}` : "";
    return { url: new URL(`/${search}`, this.endpoint), headers, body: inQuery ? undefined : body };
  }

  private signRpcV1(action: string, wire: Record<string, string>) {
    const creds = this.credentials!;
    const common: Record<string, string> = {
      Action: action,
      Version: API_VERSION,
      Format: "JSON",
      AccessKeyId: creds.accessKeyId,
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: randomUUID(),
      Timestamp: isoSeconds(this.clock.now()),
    };
    if (creds.securityToken) common.SecurityToken = creds.securityToken;
    common.Signature = signRpcV1("POST", { ...common, ...wire }, creds.accessKeySecret);
    const url = new URL(`/?${canonicalQuery(common)}`, this.endpoint);
    return {
      url,
      headers: { ...this.baseHeaders(), "content-type": "application/x-www-form-urlencoded" },
      body: canonicalQuery(wire),
    };
  }

  /** Server text with this client's credentials (current and earlier) removed and its length bounded. */
  private scrub(text: string, max?: number): string {
    const c = this.credentials;
    return redact(text, [c?.accessKeySecret, c?.securityToken, ...this.earlierSecrets], max);
  }

  private useCredentials(next: Credentials): void {
    const c = this.credentials;
    if (next === c) return;
    for (const secret of [c?.accessKeySecret, c?.securityToken])
      if (secret && !this.earlierSecrets.includes(secret)) this.earlierSecrets.push(secret);
    // A bounded memory: a process rotating tokens for days keeps the latest ones.
    this.earlierSecrets.splice(0, Math.max(0, this.earlierSecrets.length - 16));
    this.credentials = next;
  }

  /** After an expired-token answer: reads the sources again; whether they now give other credentials. */
  private async refreshCredentials(): Promise<boolean> {
    try {
      if (!(await this.credentialProvider.refresh())) return false;
      this.useCredentials(await this.credentialProvider.current());
    } catch {
      // The source cannot give new credentials now: the expired-token answer is reported as is.
      return false;
    }
    return true;
  }

  /** The parsed answer, or why a 2xx answer could not be read. */
  private parseSuccess<A extends ActionName>(action: A, res: HttpResponse): ResponseOf<A> | CasResponseError {
    const spec = ACTIONS[action];
    let json: unknown;
    try {
      json = parseJsonLossless(res.text);
    } catch (e) {
      return new CasResponseError(
        action,
        `body is not JSON (${(e as Error).message}): ${this.excerpt(action, res, 200)}`,
      );
    }
    const parsed = spec.response.safeParse(json);
    if (!parsed.success) return new CasResponseError(action, this.scrub(formatIssues(parsed.error)));
    return parsed.data as ResponseOf<A>;
  }

  /**
   * The start of a body for an error message: scrubbed, and for actions whose answers can carry a
   * private key only its length (a key cut short by the excerpt would escape the PEM filter).
   */
  private excerpt(action: ActionName, res: HttpResponse, chars: number): string {
    if (KEY_BEARING_ACTIONS.has(action))
      return `(${res.text.length} characters not shown: ${action} answers can carry a private key)`;
    // Scrubbed whole, then cut: a cut first could keep the start of a secret the filters miss.
    return this.scrub(res.text, chars);
  }

  /** The fields of an error answer (everything but `retryable`, which the failure's kind decides). */
  private errorFields(action: ActionName, res: HttpResponse): Omit<CasApiErrorFields, "retryable"> {
    let body: ReturnType<typeof errorBody.parse> | undefined;
    try {
      const parsed = errorBody.safeParse(parseJsonLossless(res.text));
      if (parsed.success) body = parsed.data;
    } catch {
      body = undefined;
    }
    // Every field is server text and may echo the request (the STS token, a key): all are scrubbed.
    const code = bound(
      this.scrub(body?.Code ?? (res.status >= 500 ? "InternalError" : `HTTP${res.status}`)),
      100,
    );
    const c = this.identity;
    return {
      code,
      message:
        body?.Message !== undefined
          ? this.scrub(body.Message)
          : this.excerpt(action, res, 300) || "(empty body)",
      httpStatus: res.status,
      requestId: body?.RequestId ? bound(this.scrub(body.RequestId), 100) : null,
      hostId: body?.HostId ? bound(this.scrub(body.HostId), 200) : null,
      recommend: body?.Recommend ? this.scrub(body.Recommend) : null,
      action,
      advice: CREDENTIAL_ERROR_CODES.has(code)
        ? credentialAdvice(c.accessKeyId, c.source, c.temporary, code)
        : body === undefined && res.status < 500
          ? notCasAdvice(this.endpoint.origin)
          : undefined,
    };
  }
}

/**
 * The key of the process-wide pace of one action: the endpoint and the account (an account's
 * limits are shared by all its keys and STS tokens, so a rotated token does not start a fresh
 * budget), or the access key while the account is not known.
 */
export function pacingKey(
  origin: string,
  accountId: string | undefined,
  accessKeyId: string,
  action: string,
): string {
  return `${origin}|${accountId === undefined ? `key:${accessKeyId}` : `account:${accountId}`}|${action}`;
}

/** The stack config key of the proxy setting. */
export const PROXY_KEY = "alicloud-cas:proxy";

/** A proxy URL without its credentials, for messages. */
export function withoutCredentials(uri: string): string {
  let u: URL | undefined;
  try {
    u = new URL(uri);
  } catch {
    u = undefined;
  }
  if (u && u.host !== "") {
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, "");
  }
  // No authority (`user:password@host:port` parses with `user:` as its scheme and the rest as a
  // path): whatever precedes the last `@` may be credentials, so only the host part is shown.
  const at = uri.lastIndexOf("@");
  if (at >= 0) return `…@${uri.slice(at + 1)}`;
  return u ? uri : "(a proxy URL that does not parse)";
}

/**
 * The proxy settings from the explicit setting (`alicloud-cas:proxy` or the option; `direct` for
 * none) or the environment's `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (either case; not for a loopback
 * endpoint), and how requests
 * leave, for messages. A setting that is not an http(s) URL is refused, naming it.
 */
export function resolveProxy(
  [explicit, source]: [string | undefined, string],
  env: Readonly<Record<string, string | undefined>>,
  endpointHost: string,
): { settings: ProxySettings; route: string } {
  const pick = (...names: string[]) => {
    for (const n of names) if (env[n] !== undefined && env[n] !== "") return [n, env[n]!] as const;
    return undefined;
  };
  const noProxy = pick("no_proxy", "NO_PROXY");
  const unless = noProxy ? `, except hosts ${noProxy[0]} lists` : "";
  const check = (uri: string, from: string) => {
    let u: URL | undefined;
    try {
      u = new URL(uri);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== "http:" && u.protocol !== "https:"))
      throw new CasError(
        "InvalidConfig",
        `${from}: ${JSON.stringify(withoutCredentials(uri))} is not a proxy URL; set it to http://host:port (or https://; ` +
          `credentials as http://user:password@host:port)${from.includes(PROXY_KEY) ? ", or direct for no proxy" : ""}`,
      );
  };
  if (explicit !== undefined && explicit.trim() !== "") {
    if (explicit.trim() === "direct") return { settings: {}, route: "" };
    check(explicit.trim(), source);
    return {
      settings: { proxy: explicit.trim(), noProxy: noProxy?.[1] },
      route: ` through the proxy ${withoutCredentials(explicit.trim())} (from ${source}${unless})`,
    };
  }
  // An endpoint on this machine (the emulator) is never reached through the environment's proxy,
  // whose loopback is another machine's; the explicit setting above still applies to it.
  if (isLoopbackHost(endpointHost)) return { settings: {}, route: "" };
  const https = pick("https_proxy", "HTTPS_PROXY");
  const http = pick("http_proxy", "HTTP_PROXY");
  if (!https && !http) return { settings: {}, route: "" };
  for (const p of [https, http]) if (p) check(p[1], `environment ${p[0]}`);
  const shown = [https, http]
    .filter((p) => p !== undefined)
    .map((p) => `${p[0]}=${withoutCredentials(p[1])}`)
    .join(", ");
  return {
    settings: { httpsProxy: https?.[1], httpProxy: http?.[1], noProxy: noProxy?.[1] },
    route: ` through the environment's proxy (${shown}${unless})`,
  };
}

/** `12 s`, `90 s`, `1.5 s`. */
function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** `YYYY-MM-DDTHH:mm:ssZ`, the timestamp form both schemes use. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

import { actingAccount } from "./acting-account";
import { flattenParams } from "../../protocol/percent-encode";
import { ACTIONS, type ActionName, type RequestOf, type ResponseOf } from "./actions";
import { sendAttempt, type AttemptTarget } from "./attempt";
import type { CallerIdentity, StsRoute } from "./caller-identity";
import { deadlineError } from "./call-errors";
import { resolveClientConfig, type CasClientOptions, type ClientConfig } from "./client-config";
import { ClientCredentials } from "./client-credentials";
import { currentDeadline, Deadline } from "./deadline";
import { CasCredentialSourceError, CasError, CasPacedLocallyError, describeCause } from "./errors";
import { Pacing } from "./pacing";
import type { AdaptiveLimiter } from "./rate-limit";
import { DEFAULT_DECIDERS, RetryStrategy, type CallSteps } from "./retry-strategy";
import { formatIssues } from "./schemas";

export type { CasClientOptions } from "./client-config";
export type { ClientEvent } from "./retry-strategy";
export type { SignatureScheme } from "./sign-request";

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** This call's deadline; by default the current operation's ({@link currentDeadline}), else `deadlineMs` from now. */
  deadline?: Deadline | undefined;
  /**
   * The account (id) this call acts for: each attempt's credentials are matched to their account
   * (STS `GetCallerIdentity`, once per credentials) and credentials of another account (a profile
   * switched while the operation ran) are refused before anything is sent (`AccountChanged`). By
   * default, the account the running provider operation acts for ({@link actingAccount}).
   */
  account?: string | undefined;
}

/**
 * A typed client for the CAS 2020-04-07 RPC API. `call` runs one pipeline of small parts: the
 * request checked against its schema, credentials taken, local pacing ({@link Pacing}), each
 * attempt signed for the configured wire shape and sent over the runtime's keep-alive pool
 * ({@link sendAttempt}), answers parsed with a schema (longs as strings) and scrubbed of secrets,
 * and one {@link RetryStrategy} that decides on each failure's kind and hands it to the caller.
 */
export class CasClient {
  readonly endpoint: URL;
  /** Where the endpoint came from (`environment ALIBABA_CLOUD_ENDPOINT_CAS`, …), for messages. */
  readonly endpointSource: string;
  private readonly config: ClientConfig;
  private readonly credentials: ClientCredentials;
  private readonly target: AttemptTarget;
  private readonly retry: RetryStrategy;
  private readonly pacing: Pacing;

  constructor(options: CasClientOptions = {}) {
    const config = resolveClientConfig(options);
    this.config = config;
    this.endpoint = config.endpoint;
    this.endpointSource = config.endpointSource;
    this.credentials = new ClientCredentials(config.credentials);
    this.target = { ...config, transport: config.runtime.transport };
    this.retry = new RetryStrategy(config.policy, config.clock, config.onEvent, {
      ...DEFAULT_DECIDERS,
      // An expired STS token was refused before anything was processed (a create included): sent
      // again at once, once per call, when the source now gives other credentials (a profile file
      // with a fresh token).
      repair: async (failure) =>
        failure.error.code === "InvalidSecurityToken.Expired" && (await this.credentials.refresh())
          ? `${failure.error.code} (credentials read again from ${this.identity.source})`
          : undefined,
    });
    const { runtime, rateLimits, clock, onEvent } = config;
    this.pacing = new Pacing(runtime.limiters, rateLimits, this.endpoint.origin, clock, onEvent);
  }

  /** The access key id in use (not secret), where it came from, and whether it is temporary (STS). */
  get identity(): { accessKeyId: string; source: string; temporary: boolean } {
    return this.credentials.identity;
  }

  /**
   * Which account the current credentials belong to (STS `GetCallerIdentity`; asked once per
   * runtime for each set of credentials): works alike for access keys, STS tokens and role sessions.
   */
  async callerIdentity(options: CallOptions = {}): Promise<CallerIdentity> {
    if (this.config.stsRefusal) throw this.config.stsRefusal;
    const credentials = await this.credentials.take();
    const deadline = this.deadlineOf(options);
    return this.config.runtime.identities.of(this.sts, credentials, deadline.at, options.signal);
  }

  /** Calls one action with its API-named parameters and returns the parsed response. */
  async call<A extends ActionName>(
    action: A,
    params: RequestOf<A>,
    options: CallOptions = {},
  ): Promise<ResponseOf<A>> {
    const checked = ACTIONS[action].request.safeParse(params);
    if (!checked.success)
      throw new CasError("InvalidRequest", `${action}: invalid parameters: ${formatIssues(checked.error)}`);
    const wire = flattenParams(checked.data);
    const deadline = this.deadlineOf(options);
    const { signal } = options;
    const account = options.account ?? actingAccount();
    // Credentials first (a session is obtained or renewed here): nothing is sent if that fails.
    await this.credentials.take();
    const limiter = await this.beforeSending(action, () => this.limiterFor(action, deadline, signal));
    const steps: CallSteps<ResponseOf<A>> = {
      action,
      creates: ACTIONS[action].creates,
      deadline,
      signal,
      pace: () => this.pacing.wait(action, limiter, deadline, signal),
      prepare: async () => {
        // Per request: a profile file that changed, or a session due for renewal, gives new ones.
        await this.credentials.take();
        if (account !== undefined)
          await this.beforeSending(action, () => this.checkAccount(action, account, deadline, signal));
      },
      attempt: () =>
        sendAttempt(this.target, action, wire, this.credentials, deadline, signal, () => {
          this.retry.answered();
          limiter?.onSuccess();
        }),
      throttled: () => limiter?.onThrottled(),
      deadlineError: (attempts, last) => deadlineError(this.config, action, deadline, attempts, last),
      describe: (failure) =>
        failure.kind === "never-sent"
          ? `${failure.error.code} (nothing was sent: ${describeCause(failure.error.cause)}; the endpoint ${this.endpoint.origin} is from ${this.endpointSource})`
          : failure.error.code,
    };
    return this.retry.run(steps);
  }

  private get sts(): StsRoute {
    return this.config.sts;
  }

  private deadlineOf(options: CallOptions): Deadline {
    return (
      options.deadline ??
      currentDeadline() ??
      Deadline.after(this.config.clock.now(), this.config.deadlineMs, "the client's deadlineMs")
    );
  }

  /** The account the credentials in use are known to belong to, without asking. */
  private knownAccount(): string | undefined {
    const c = this.credentials.current;
    return c && this.config.runtime.identities.known(this.sts.endpoint, c)?.accountId;
  }

  /** The shared pace of `action`: by account once known (with `accountPacing`, asked first), else by access key. */
  private limiterFor(
    action: ActionName,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<AdaptiveLimiter | undefined> {
    return this.pacing.limiterFor(
      action,
      () => this.identity.accessKeyId,
      async () =>
        this.knownAccount() ??
        (this.config.accountPacing ? (await this.callerIdentity({ deadline, signal })).accountId : undefined),
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
    const accountId = this.knownAccount() ?? (await this.callerIdentity({ deadline, signal })).accountId;
    if (accountId !== expected)
      throw new CasError(
        "AccountChanged",
        `${action} was not sent: the credentials now in use (${this.identity.source}) belong to account ${accountId}, and this operation acts for account ${expected}. ` +
          "The credentials changed while it ran (a profile switched, another key rotated in); run it again with the account's credentials",
      );
  }
}

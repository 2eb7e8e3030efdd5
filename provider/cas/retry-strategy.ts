import type { Clock } from "../../runtime/clock";
import type { Deadline } from "./deadline";
import { CasError, CasOutcomeUnknownError, CasPacedLocallyError } from "./errors";
import { classifyFailure, NEVER_SENT_ATTEMPTS, type AttemptOutcome, type FailureKind } from "./failure";
import { backoffDelay, RetryBudget, type RetryPolicy } from "./retry";
import { seconds } from "./call-errors";

/** What the client reports while it works (retries, waits); never contains secrets. */
export type ClientEvent =
  | { kind: "retry"; action: string; attempt: number; delayMs: number; reason: string }
  | { kind: "throttled-locally"; action: string; delayMs: number };

/**
 * One attempt's result: the value, or how the attempt failed and the error it is reported with,
 * built for the kind the strategy decides (an API error's `retryable` follows the kind).
 */
export type AttemptResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      outcome: AttemptOutcome;
      error: (kind: FailureKind) => CasError;
      retryAfterMs?: number | undefined;
    };

/** A failed attempt as the strategy acts on it: its kind, the error, and the server's retry hint. */
export interface AttemptFailure {
  kind: FailureKind;
  error: CasError;
  retryAfterMs?: number | undefined;
}

/** The steps of one call the strategy runs, in order, for each attempt. */
export interface CallSteps<T> {
  action: string;
  /** Whether the action places an order (see {@link classifyFailure}). */
  creates: boolean;
  deadline: Deadline;
  signal?: AbortSignal | undefined;
  /** Waits for the attempt's slot in the local pacing; throws `CasPacedLocallyError` when none comes in time. */
  pace(): Promise<void>;
  /** Readies the attempt (credentials, the account they belong to); throwing stops the call. */
  prepare(): Promise<void>;
  attempt(): Promise<AttemptResult<T>>;
  /** A throttling answer arrived (the pacing slows down). */
  throttled(): void;
  /** The error of a call whose deadline ran out after `attempts` attempts (`last`: the last failure). */
  deadlineError(attempts: number, last?: CasError): CasError;
  /** Why a retry happens, for its event. */
  describe(failure: AttemptFailure): string;
}

/**
 * The strategy's deciders, injected (as smithy's retry strategy takes them): what a failed attempt
 * means, how long to wait before the next one, and whether a refusal can be repaired at once.
 */
export interface RetryDeciders {
  classify(outcome: AttemptOutcome, action: { creates: boolean }): FailureKind;
  /** Full jitter over `baseDelay · 2^n`, the server's hint as a lower bound (see {@link backoffDelay}). */
  backoff(policy: RetryPolicy, n: number, random: number, retryAfterMs?: number): number;
  /**
   * After a definite refusal, once per call: a reason to send again at once (an expired STS token
   * and credentials that now read differently), or `undefined` to report it.
   */
  repair(failure: AttemptFailure): Promise<string | undefined>;
}

/** The deciders of a client that cannot repair a refusal. */
export const DEFAULT_DECIDERS: RetryDeciders = {
  classify: classifyFailure,
  backoff: backoffDelay,
  repair: () => Promise.resolve(undefined),
};

/**
 * The one retry strategy of a client: acts on each failed attempt's kind in one place, with a
 * retry budget shared by the client's calls. Throttling is repeated until the deadline (outside the
 * attempt limit and the budget); a possibly processed create is never repeated. Every error it
 * ends with carries the failure's kind (`CasError.kind`) to the caller.
 */
export class RetryStrategy {
  private readonly budget: RetryBudget;

  constructor(
    readonly policy: RetryPolicy,
    private readonly clock: Clock,
    private readonly onEvent: (event: ClientEvent) => void,
    private readonly deciders: RetryDeciders = DEFAULT_DECIDERS,
  ) {
    this.budget = new RetryBudget(policy);
  }

  /** A 2xx answer arrived: the budget earns a token back. */
  answered(): void {
    this.budget.refund();
  }

  async run<T>(steps: CallSteps<T>): Promise<T> {
    const { action, deadline } = steps;
    const counts = { failures: 0, throttles: 0, neverSent: 0, repaired: false };
    let last: CasError | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        await steps.pace();
      } catch (e) {
        // After failed attempts, the deadline ran out because of them: report the last one.
        if (e instanceof CasPacedLocallyError && last) throw steps.deadlineError(attempt, last);
        throw e;
      }
      if (deadline.remainingMs(this.clock.now()) <= 0) throw steps.deadlineError(attempt);
      await steps.prepare();
      const result = await steps.attempt();
      if (result.ok) return result.value;
      const kind = this.deciders.classify(result.outcome, steps);
      const failure: AttemptFailure = { kind, error: result.error(kind), retryAfterMs: result.retryAfterMs };
      last = failure.error;
      const delay = await this.delayAfter(failure, attempt, counts, steps);
      if (delay === undefined) continue;
      this.onEvent({
        kind: "retry",
        action,
        attempt: attempt + 1,
        delayMs: delay,
        reason: steps.describe(failure),
      });
      await this.clock.sleep(delay, steps.signal);
    }
  }

  /** The wait before the next attempt, `undefined` to send again at once; throws to end the call. */
  private async delayAfter<T>(
    failure: AttemptFailure,
    attempt: number,
    counts: { failures: number; throttles: number; neverSent: number; repaired: boolean },
    steps: CallSteps<T>,
  ): Promise<number | undefined> {
    const { policy, clock } = this;
    const { error } = failure;
    const { deadline } = steps;
    switch (failure.kind) {
      case "not-retryable": {
        if (counts.repaired) throw error;
        counts.repaired = true;
        const reason = await this.deciders.repair(failure);
        if (reason === undefined) throw error;
        this.onEvent({ kind: "retry", action: steps.action, attempt: attempt + 1, delayMs: 0, reason });
        return undefined;
      }
      case "outcome-unknown":
        throw new CasOutcomeUnknownError(steps.action, error);
      case "throttling": {
        steps.throttled();
        if (!policy.retryThrottling) throw error;
        const random = clock.random();
        const backoff = this.deciders.backoff(
          { ...policy, maxDelay: policy.throttleMaxDelay },
          counts.throttles++,
          random,
        );
        // The server's hint is honoured up to maxDelay (the cap of every other wait); the jitter
        // on top keeps processes that got the same hint from coming back in the same instant.
        const delay =
          failure.retryAfterMs === undefined
            ? backoff
            : Math.max(
                backoff,
                Math.min(failure.retryAfterMs, policy.maxDelay) + Math.floor(random * policy.baseDelay),
              );
        if (clock.now() + delay >= deadline.at)
          throw new CasError(
            error.code,
            `${error.message}; still throttled after ${attempt + 1} attempts within the operation deadline of ${seconds(deadline.budgetMs)} (${deadline.source}). ` +
              "Other stacks or tools on this account share its per-action limit: deploy fewer stacks at once, lower alicloud-cas:qps, or raise the deadline.",
            { cause: error, kind: "throttling" },
          );
        return delay;
      }
      case "never-sent": {
        // Nothing reached the service (a create included): repeated a few times in all, outside
        // the retry budget (which spares a struggling service), then reported with the fix.
        if (++counts.neverSent >= Math.min(policy.maxAttempts, NEVER_SENT_ATTEMPTS)) throw error;
        const delay = this.deciders.backoff(policy, counts.failures++, clock.random());
        if (clock.now() + delay >= deadline.at) throw error;
        return delay;
      }
      case "transient": {
        const delay = this.deciders.backoff(policy, counts.failures++, clock.random(), failure.retryAfterMs);
        if (counts.failures >= policy.maxAttempts) throw error;
        if (clock.now() + delay >= deadline.at) throw steps.deadlineError(attempt + 1, error);
        if (!this.budget.trySpend())
          throw new CasError(
            error.code,
            `${error.message} (retry budget exhausted: too many failures in a row)`,
            {
              cause: error,
              kind: "transient",
            },
          );
        return delay;
      }
    }
  }
}

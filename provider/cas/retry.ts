/** How failed attempts are retried. All durations in milliseconds. */
export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** Backoff base: attempt n (0-based) waits up to `baseDelay * 2^n`. */
  baseDelay: number;
  /** Upper bound of one wait. */
  maxDelay: number;
  /** Retry budget: tokens a client starts with; a retry costs `retryCost`, a success refunds 1. */
  budget: number;
  retryCost: number;
  /**
   * Upper bound of one wait after a throttling answer. Throttling is retried until the
   * operation's deadline (not counted in `maxAttempts` or the budget); the adaptive client rate
   * does the pacing, so these waits stay short and only de-synchronise processes.
   */
  throttleMaxDelay: number;
  /** `false`: a throttling answer is returned at once (for callers that pace themselves). */
  retryThrottling: boolean;
}

/**
 * Defaults: 5 attempts, full jitter over 200 ms · 2^n capped at 20 s, budget of 100 retries'
 * worth; throttling waits capped at 2 s.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelay: 200,
  maxDelay: 20_000,
  budget: 500,
  retryCost: 5,
  throttleMaxDelay: 2_000,
  retryThrottling: true,
};

/**
 * "Full jitter" exponential backoff: a uniform wait in [0, min(maxDelay, base · 2^attempt)).
 * A server hint (`x-acs-retry-after`, ms) is honoured as a lower bound.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelay, policy.baseDelay * 2 ** attempt);
  const jittered = Math.floor(random * ceiling);
  return retryAfterMs !== undefined ? Math.max(jittered, Math.min(retryAfterMs, policy.maxDelay)) : jittered;
}

/**
 * A shared allowance of retries, so a struggling service is not hammered by every call retrying
 * at once: each retry spends tokens, each success earns one back.
 */
export class RetryBudget {
  private tokens: number;
  constructor(private readonly policy: RetryPolicy) {
    this.tokens = policy.budget;
  }
  /** Takes the cost of one retry; `false` when the budget is spent. */
  trySpend(): boolean {
    if (this.tokens < this.policy.retryCost) return false;
    this.tokens -= this.policy.retryCost;
    return true;
  }
  /** A success earns one token back (up to the starting budget). */
  refund(): void {
    this.tokens = Math.min(this.policy.budget, this.tokens + 1);
  }
}

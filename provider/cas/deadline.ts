import { AsyncLocalStorage } from "node:async_hooks";

/** Default limit for the API calls of one provider operation: 90 s. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 90_000;

/**
 * The point in time by which every API call of one provider operation (one `check`, `create`,
 * `read`, `update` or `delete` of one resource) must be done, retries and waits included.
 * Throttling is retried until it; a black-holed endpoint fails at it. The validation wait has its
 * own `timeoutMinutes` and is not bound by it.
 */
export class Deadline {
  constructor(
    /** Epoch ms at which the operation's calls stop. */
    readonly at: number,
    /** The length the deadline was created with (ms), for messages. */
    readonly budgetMs: number,
    /** Where the figure comes from, for messages (e.g. the config key). */
    readonly source: string = "alicloud-cas:operationTimeoutSeconds",
  ) {}

  /** A deadline `budgetMs` after `now`. */
  static after(now: number, budgetMs: number, source?: string): Deadline {
    return new Deadline(now + budgetMs, budgetMs, source);
  }

  /** Milliseconds left at `now` (never negative). */
  remainingMs(now: number): number {
    return Math.max(0, this.at - now);
  }
}

const current = new AsyncLocalStorage<Deadline>();

/**
 * Runs `fn` with `deadline` as the deadline of every client call made inside it (through
 * promises and callbacks too) that does not pass its own.
 */
export function runWithDeadline<T>(deadline: Deadline, fn: () => Promise<T>): Promise<T> {
  return current.run(deadline, fn);
}

/** The deadline of the provider operation this code runs in, if any. */
export function currentDeadline(): Deadline | undefined {
  return current.getStore();
}

/**
 * Wraps every method of a provider object so that each call (one operation) runs under a fresh
 * deadline from `deadline()`.
 */
export function withOperationDeadline<P extends object>(provider: P, deadline: () => Deadline): P {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(provider)) {
    wrapped[name] =
      typeof value === "function"
        ? (...args: unknown[]) =>
            runWithDeadline(deadline(), () =>
              Promise.resolve((value as (...a: unknown[]) => unknown).apply(provider, args)),
            )
        : value;
  }
  return wrapped as P;
}

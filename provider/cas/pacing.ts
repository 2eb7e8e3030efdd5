import type { Clock } from "../../runtime/clock";
import { defaultQps, type ActionName } from "./actions";
import { pacedError } from "./call-errors";
import type { Deadline } from "./deadline";
import type { AdaptiveLimiter, Limiters } from "./rate-limit";
import type { ClientEvent } from "./retry-strategy";

/**
 * Time a call needs left after its local wait to be worth sending (one round trip to a distant
 * region): a slot later than this before the deadline is not taken.
 */
const MIN_SEND_MS = 250;

/**
 * The key of the shared pace of one action: the endpoint and the account (an account's limits are
 * shared by all its keys and STS tokens, so a rotated token does not start a fresh budget), or the
 * access key while the account is not known.
 */
export function pacingKey(
  origin: string,
  accountId: string | undefined,
  accessKeyId: string,
  action: string,
): string {
  return `${origin}|${accountId === undefined ? `key:${accessKeyId}` : `account:${accountId}`}|${action}`;
}

/** A client's local pacing: per action, per endpoint and account, shared through its runtime's limiters. */
export class Pacing {
  constructor(
    private readonly limiters: Limiters,
    /** Per-action requests per second; `false`: no local pacing. */
    private readonly rateLimits: Partial<Record<ActionName, number>> | false | undefined,
    private readonly origin: string,
    private readonly clock: Clock,
    private readonly onEvent: (event: ClientEvent) => void,
  ) {}

  /**
   * The shared pace of `action` for the account (if known, else the access key) on this endpoint,
   * or `undefined` when pacing is off; `account` is asked only when pacing is on.
   */
  async limiterFor(
    action: ActionName,
    accessKeyId: () => string,
    account: () => Promise<string | undefined>,
  ): Promise<AdaptiveLimiter | undefined> {
    if (this.rateLimits === false) return undefined;
    const accountId = await account();
    const qps = this.rateLimits?.[action] ?? defaultQps(action);
    return this.limiters.limiter(pacingKey(this.origin, accountId, accessKeyId(), action), qps, this.clock);
  }

  /**
   * Waits for this call's slot in the shared pace of `action`. A slot that would come at or after
   * the deadline is not taken (and one that moves there while waiting, because the rate fell, is
   * given back): the call fails at once with a `CasPacedLocallyError`, and the callers after it do
   * not inherit its wait.
   */
  async wait(
    action: ActionName,
    limiter: AdaptiveLimiter | undefined,
    deadline: Deadline,
    signal?: AbortSignal,
  ): Promise<void> {
    if (!limiter) return;
    const paced = (waitMs: number) => pacedError(this.origin, action, limiter.rate, waitMs, deadline);
    // A free slot is always taken (if no time is left, the deadline says so, not the pacing).
    const ticket =
      limiter.nextWait() <= 0
        ? limiter.reserveTicket()
        : limiter.tryReserve(deadline.remainingMs(this.clock.now()) - MIN_SEND_MS);
    if (!ticket) throw paced(limiter.nextWait());
    let wait = limiter.waitFor(ticket);
    if (wait <= 0) return;
    this.onEvent({ kind: "throttled-locally", action, delayMs: wait });
    try {
      // In slices: the rate may rise meanwhile (others finished), and the wait with it shrinks.
      while (wait > 0) {
        if (wait >= deadline.remainingMs(this.clock.now()) - MIN_SEND_MS) throw paced(wait);
        await this.clock.sleep(Math.min(wait, 1000), signal);
        wait = limiter.waitFor(ticket);
      }
    } catch (e) {
      limiter.cancel(ticket);
      throw e;
    }
  }
}

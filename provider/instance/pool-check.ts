// The preview's view of the account's pool of free test instances, in the shape of the plan quota
// check of orders (provider/order/quota.ts): the InstanceCertificates of this deployment that will
// take an inactive TEST instance (new ones, and replacements of ones taken from the pool) against
// GetInstanceSummary's InactiveCount. It warns; it never fails a preview (the create itself fails
// naming the fix when the pool is empty).
import type { Clock } from "../../runtime/clock";
import { CasCredentialsError } from "../cas/errors";
import { credentialProblem, LOOKUP_TTL_MS } from "../order/quota";

/** What the pool check reads from outside: the pool, the time, the log (tests pass fakes). */
export interface PoolSources {
  /** Inactive TEST instances of the account (`InactiveCount` of `GetInstanceSummary` with `InstanceType=TEST`). */
  inactive(): Promise<number>;
  clock: Pick<Clock, "now">;
  log(message: string): void;
}

/** A pool check with its own memory of the resources that will take an instance. */
export interface PoolCheck {
  /** Counts `taker` (one resource that will take an instance; the same key counts once) and warns when the pool is short. */
  (taker: string): Promise<void>;
  /** What the last check saw: inactive instances and takers; `undefined` when none read the pool. */
  seen(): { inactive: number; planned: number } | undefined;
  /** Forgets everything: a new configuration may be another account, endpoint or deployment. */
  reset(): void;
}

/** The warning for `planned` takers and `inactive` instances, naming the numbers and the fixes. */
export function poolShortReason(inactive: number, planned: number): string {
  return `the account has ${inactive} inactive TEST certificate instance(s) (GetInstanceSummary InactiveCount) and this deployment takes ${planned} (instanceType: "TEST"); get free test instances in the CAS console (20 a year per account), destroy an InstanceCertificate still pending to free one, or name a bought instance with instanceId`;
}

/**
 * The pool check: counts each resource that will take an instance once per configuration, reads
 * the pool at most once per {@link LOOKUP_TTL_MS}, and logs a warning each time the count grows
 * past what is inactive. A pool that cannot be read is reported once, as skipped.
 */
export function testPoolCheck(sources: PoolSources): PoolCheck {
  const planned = new Set<string>();
  let lookup: { at: number; inactive: Promise<number> } | undefined;
  let skipReported = false;
  let warnedAt = 0;
  let seen: { inactive: number; planned: number } | undefined;

  function inactive(): Promise<number> {
    if (lookup && sources.clock.now() - lookup.at < LOOKUP_TTL_MS) return lookup.inactive;
    const read = sources.inactive();
    const entry = { at: sources.clock.now(), inactive: read };
    lookup = entry;
    read.catch(() => {
      if (lookup === entry) lookup = undefined;
    });
    return read;
  }

  const check = async (taker: string): Promise<void> => {
    planned.add(taker);
    let left: number;
    try {
      left = await inactive();
    } catch (e) {
      if (!skipReported) {
        skipReported = true;
        const why =
          e instanceof CasCredentialsError
            ? `no credentials: ${e.message}`
            : `reading the pool (GetInstanceSummary) failed: ${(e as Error).message}`;
        sources.log(`TEST instance pool check skipped (${credentialProblem(e) ?? why})`);
      }
      return;
    }
    seen = { inactive: left, planned: planned.size };
    if (planned.size <= left || planned.size <= warnedAt) return;
    warnedAt = planned.size;
    sources.log(`warning: ${poolShortReason(left, planned.size)}`);
  };
  const reset = () => {
    planned.clear();
    lookup = undefined;
    skipReported = false;
    warnedAt = 0;
    seen = undefined;
  };
  return Object.assign(check, { seen: () => seen, reset });
}

import type { ResponseOf } from "../cas/actions";
import type { Clock } from "../../protocol/clock";
import { CasApiError, CasError } from "../cas/errors";
import { STATUS_REASON } from "./outputs";

export interface WaitOptions {
  timeoutMinutes: number;
  /** First poll interval; grows by half each poll up to `maxPollIntervalSeconds`. */
  pollIntervalSeconds: number;
  maxPollIntervalSeconds: number;
}

export const DEFAULT_WAIT: WaitOptions = {
  timeoutMinutes: 45,
  pollIntervalSeconds: 5,
  maxPollIntervalSeconds: 60,
};

type Describe = (orderId: string) => Promise<ResponseOf<"DescribeCertificateState">>;

const LABEL: Record<string, string> = {
  domain_verify: "waiting for domain validation (publish the DNS record or file)",
  process: "validated; the CA is reviewing",
  certificate: "issued",
  verify_fail: "the CA's review failed",
  payed: "pending application (not submitted to the CA)",
};

/**
 * Polls until the order is issued, printing one line per state change. Stops at once on
 * `verify_fail` (the CA's review failed: replace the order) and on `payed` (pending application:
 * submit it in the console), saying what to do. The deadline is its own (the Node host ignores
 * customTimeouts); when it passes the error says so, and the next `pulumi up` waits again on the
 * same order, because nothing about the order changed.
 */
export async function waitForIssuance(
  describe: Describe,
  orderId: string,
  opts: WaitOptions,
  clock: Clock,
  log: (line: string) => void,
): Promise<ResponseOf<"DescribeCertificateState">> {
  const started = clock.now();
  const deadline = started + opts.timeoutMinutes * 60_000;
  let interval = opts.pollIntervalSeconds * 1000;
  let last: string | undefined;
  for (;;) {
    let state: ResponseOf<"DescribeCertificateState">;
    try {
      state = await describe(orderId);
    } catch (e) {
      if (e instanceof CasApiError && e.code === "NotFoundOrder")
        throw new CasError(
          "OrderGone",
          `order ${orderId} does not exist in CAS any more (deleted or revoked); refresh the stack and order again`,
        );
      throw e;
    }
    if (state.Type !== last) {
      const waited = Math.round((clock.now() - started) / 1000);
      log(
        `order ${orderId}: ${LABEL[state.Type] ?? `state ${state.Type}`}${waited ? ` (after ${waited}s)` : ""}`,
      );
      last = state.Type;
    }
    if (state.Type === "certificate") return state;
    // Neither state moves on by waiting: verify_fail needs a new order, payed needs a console step.
    if (state.Type === "verify_fail")
      throw new CasError("ValidationFailed", `order ${orderId}: ${STATUS_REASON.verify_fail}`);
    if (state.Type === "payed")
      throw new CasError("PendingApplication", `order ${orderId}: ${STATUS_REASON.payed}`);
    const left = deadline - clock.now();
    if (left <= 0)
      throw new CasError(
        "WaitTimedOut",
        `order ${orderId} is still ${state.Type} after ${opts.timeoutMinutes} minute(s). Nothing was lost: run pulumi up again to keep waiting on the same order, or raise timeoutMinutes.`,
      );
    await clock.sleep(Math.min(interval, left));
    interval = Math.min(Math.round(interval * 1.5), opts.maxPollIntervalSeconds * 1000);
  }
}

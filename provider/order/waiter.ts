import type { ResponseOf } from "../cas/actions";
import type { Clock } from "../../runtime/clock";
import { CasApiError, CasError } from "../cas/errors";
import { phaseOf } from "./lifecycle";

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

/**
 * Polls until the order is issued, printing one line per state change; while the order awaits
 * validation, that line and the timeout error say what to publish (`toPublish`). Stops at once on the
 * states waiting cannot move on (the life-cycle table's `stop`: `verify_fail` needs a new order,
 * `payed` a console step), saying what to do. The deadline is its own (the Node host ignores
 * customTimeouts); when it passes the error says so, and the next `pulumi up` waits again on the
 * same order, because nothing about the order changed.
 */
export async function waitForIssuance(
  describe: Describe,
  orderId: string,
  opts: WaitOptions,
  clock: Clock,
  log: (line: string) => void,
  toPublish: (state: ResponseOf<"DescribeCertificateState">) => string | null = () => null,
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
    const phase = phaseOf(state.Type);
    // What is still unvalidated, on the first line and every state change: the record or file is
    // what a user without DNS automation must publish, and the only thing the wait is waiting for.
    const pending = phase.awaitsValidation ? toPublish(state) : null;
    if (state.Type !== last) {
      const waited = Math.round((clock.now() - started) / 1000);
      const label = pending ? `waiting for domain validation; publish ${pending}` : phase.label;
      log(`order ${orderId}: ${label}${waited ? ` (after ${waited}s)` : ""}`);
      last = state.Type;
    }
    if (phase.wait.kind === "done") return state;
    if (phase.wait.kind === "stop")
      throw new CasError(phase.wait.code, `order ${orderId}: ${phase.reason ?? phase.label}`);
    const left = deadline - clock.now();
    if (left <= 0)
      throw new CasError(
        "WaitTimedOut",
        `order ${orderId} is still ${phase.status === "unknown" ? `in CAS state ${state.Type}` : phase.status} after ${opts.timeoutMinutes} minute(s)${pending ? `; still to publish: ${pending}` : ""}. Nothing was lost: run pulumi up again to keep waiting on the same order, or raise timeoutMinutes.`,
      );
    await clock.sleep(Math.min(interval, left));
    interval = Math.min(Math.round(interval * 1.5), opts.maxPollIntervalSeconds * 1000);
  }
}

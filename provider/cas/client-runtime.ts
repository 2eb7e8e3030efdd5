import type { Clock } from "../../runtime/clock";
import { CallerIdentities } from "./caller-identity";
import { Limiters } from "./rate-limit";
import { closeProcessTransport, processTransport, Transport, type Timers } from "./transport";

/**
 * What clients share: keep-alive connections, the accounts credentials were found to belong to,
 * and the per-action pacing of each account. A composition root creates one and passes it to each
 * client it builds (`CasClientOptions.runtime`); two runtimes in one process share nothing. Clients
 * given none share {@link processClientRuntime}.
 */
export class ClientRuntime {
  readonly transport: Transport;
  readonly identities = new CallerIdentities();
  readonly limiters: Limiters;

  /**
   * @param options.clock the clock of the pacing; by default each limiter keeps the clock of the
   *   client that first asked for it.
   * @param options.timers the timers bounding attempts and deadlines; `AbortSignal.timeout` by default.
   */
  constructor(options: { clock?: Clock; timers?: Timers; transport?: Transport } = {}) {
    this.transport = options.transport ?? new Transport(options.timers);
    this.limiters = new Limiters(options.clock);
  }

  /** Closes every connection (a later request opens new ones). */
  close(): Promise<void> {
    return this.transport.close();
  }
}

// The one module-level instance: the default of clients built without a runtime, kept for callers
// that construct clients directly (the public client entry, tests, tools). Created on first use.
let processRuntime: ClientRuntime | undefined;

/** The runtime clients share when none is given; created on first use. */
export function processClientRuntime(): ClientRuntime {
  return (processRuntime ??= new ClientRuntime({ transport: processTransport() }));
}

/** Closes the connections of {@link processClientRuntime} (tests and short-lived tools call this before exiting). */
export function closeTransports(): Promise<void> {
  return closeProcessTransport();
}

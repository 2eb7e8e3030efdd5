import type { Deadline } from "./deadline";
import { CasError, CasPacedLocallyError, CasTransportError, describeCause } from "./errors";
import type { FailureKind } from "./failure";
import { proxyRefusal } from "./transport";

/** Where a client's requests go, for messages: the endpoint, where it came from, and how requests leave. */
export interface EndpointRoute {
  endpoint: URL;
  /** `environment ALIBABA_CLOUD_ENDPOINT_CAS`, …. */
  endpointSource: string;
  /** ` through the proxy … (from …)`, or empty. */
  route: string;
}

/** `12 s`, `90 s`, `1.5 s`. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** A TLS handshake this machine refused: nothing was sent; what to fix, by the failure. */
export function tlsError(
  at: EndpointRoute,
  action: string,
  e: unknown,
  kind: FailureKind,
): CasTransportError {
  const cause = describeCause(e);
  const notTls = cause.includes("WRONG_VERSION_NUMBER");
  return new CasTransportError(
    "TlsHandshakeFailed",
    action,
    `the TLS handshake with ${at.endpoint.origin}${at.route} failed (${cause}); nothing was sent, so no order can exist. ` +
      (notTls
        ? `The endpoint does not speak TLS: if it is a plain-HTTP server on this machine (the emulator without --tls), use http://; the endpoint is from ${at.endpointSource}.`
        : `This machine does not trust the endpoint's certificate. If a private CA issued it (a TLS-inspecting proxy, a private gateway, the emulator with --tls), ` +
          "give Node that CA: export NODE_EXTRA_CA_CERTS=/path/to/ca.pem before running pulumi. " +
          `If the certificate is expired or names another host, the endpoint is wrong: it is from ${at.endpointSource}.`),
    e,
    kind,
  );
}

/** No connection (refused, no route, a proxy that refused the tunnel): nothing was sent; what to check. */
export function connectError(
  at: EndpointRoute,
  action: string,
  e: unknown,
  kind: FailureKind,
): CasTransportError {
  const refused = proxyRefusal(e);
  return new CasTransportError(
    "NetworkError",
    action,
    (refused !== undefined
      ? `the proxy refused the tunnel to ${at.endpoint.origin} (HTTP ${refused})${at.route}; nothing was sent. ` +
        `Check the proxy's address, credentials (http://user:password@host:port) and whether it allows ${at.endpoint.host}.`
      : `cannot connect to ${at.endpoint.origin}${at.route} (${describeCause(e)}); nothing was sent.`) +
      ` The endpoint is from ${at.endpointSource}: ${endpointFix(at.endpointSource)}`,
    e,
    kind,
  );
}

/** What to check when the endpoint cannot be reached, by where it came from. */
function endpointFix(source: string): string {
  if (source.includes("ALIBABA_CLOUD_ENDPOINT_CAS"))
    return "check that it is running and reachable (a stopped emulator?), or unset ALIBABA_CLOUD_ENDPOINT_CAS to use Alibaba Cloud's endpoint.";
  if (source.includes("alicloud:endpoints"))
    return "check the cas entry of alicloud:endpoints (pulumi config get alicloud:endpoints), or remove it to use Alibaba Cloud's endpoint.";
  if (source.startsWith("region"))
    return "check this machine's network path to Alibaba Cloud (DNS, firewall; a proxy is taken from HTTPS_PROXY), and alicloud:region.";
  return "check the endpoint option.";
}

/**
 * The error for a call that ran out of time, naming the endpoint and the setting: after failed
 * attempts, the last one's (with its kind); with none, a call that was never sent.
 */
export function deadlineError(
  at: EndpointRoute,
  action: string,
  deadline: Deadline,
  attempts: number,
  last?: CasError,
): CasError {
  if (last && !(last instanceof CasTransportError)) return last;
  if (attempts === 0)
    // Nothing was sent: earlier calls of the same operation spent its time, not this endpoint.
    return new CasTransportError(
      "DeadlineExceeded",
      action,
      `not sent: the operation deadline of ${seconds(deadline.budgetMs)} (${deadline.source}) was already spent by earlier calls of this operation; raise ${deadline.source}.`,
      undefined,
      "never-sent",
    );
  return new CasTransportError(
    "DeadlineExceeded",
    action,
    `no answer from ${at.endpoint.origin} within the operation deadline of ${seconds(deadline.budgetMs)} ` +
      `(${attempts} attempt${attempts === 1 ? "" : "s"}${last ? `; last: ${last.message}` : ""}). ` +
      `Check that this endpoint (from ${at.endpointSource}) is the CAS API and reachable${at.route ? `${at.route}` : " (a proxy is taken from HTTPS_PROXY or alicloud-cas:proxy)"}, or raise ${deadline.source}.`,
    last,
    last?.kind,
  );
}

/** A call this process's own pacing would send only after its deadline. */
export function pacedError(
  origin: string,
  action: string,
  rate: number,
  waitMs: number,
  deadline: Deadline,
): CasPacedLocallyError {
  return new CasPacedLocallyError(
    action,
    `${action}: not sent: this process paces ${action} to ${Math.round(rate * 100) / 100} request(s)/s ` +
      `for ${origin} and this account, and the calls queued before this one take every slot ` +
      `for the next ${seconds(waitMs)}, past the operation deadline of ${seconds(deadline.budgetMs)} (${deadline.source}). ` +
      "This is the client's own pacing, not an endpoint or network problem: run fewer operations at once " +
      `(pulumi up --parallel N), or raise ${deadline.source}.`,
  );
}

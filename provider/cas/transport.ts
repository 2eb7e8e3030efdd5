import type { Dispatcher, EnvHttpProxyAgent, Pool } from "undici";
import type { NotSentReason } from "./failure";

/* eslint-disable @typescript-eslint/no-require-imports */
// undici's own index loads all of undici (fetch, WebSocket, EventSource, caches, mocks: about 100
// modules) before the first request; a provider process pays that in its first API call. Without a
// proxy the transport needs only the pool and its request (undici 8's index adds `request` to every
// dispatcher's prototype; here it is called on the dispatcher); a unit test checks that these are
// the same Pool and request undici's index exports. Behind a proxy, undici's index is loaded (its
// proxy agent tunnels with the `connect` the index adds to the prototype).
const UndiciPool = require("undici/lib/dispatcher/pool") as typeof Pool;
const proxyAgent = (): typeof EnvHttpProxyAgent =>
  (require("undici") as { EnvHttpProxyAgent: typeof EnvHttpProxyAgent }).EnvHttpProxyAgent;
const dispatcherRequest = require("undici/lib/api/api-request") as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;
/* eslint-enable @typescript-eslint/no-require-imports */

/** One HTTP exchange as the client sees it. */
export interface HttpRequest {
  url: URL;
  method: "GET" | "POST" | "PUT";
  headers: Record<string, string>;
  body?: string | undefined;
  /** Stops the request at any stage, waiting for a connection included (the caller, the deadline). */
  signal: AbortSignal;
  /**
   * Limit for one exchange, counted from when the request gets a connection to the end of its
   * answer: time spent waiting for a free connection is this process's queue, not the endpoint.
   */
  timeoutMs: number;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Connections per origin; at most this many requests are in flight to one origin at once. */
export const MAX_CONNECTIONS = 64;

/**
 * Which proxy requests take (undici's environment proxy agent). Every field is given explicitly,
 * so the environment a client was given is the one that counts, not this process's.
 */
export interface ProxySettings {
  /** The proxy for every request (`alicloud-cas:proxy`), instead of `httpProxy`/`httpsProxy`. */
  proxy?: string | undefined;
  /** `HTTP_PROXY` / `http_proxy`: for http:// endpoints, and https:// ones without `httpsProxy`. */
  httpProxy?: string | undefined;
  /** `HTTPS_PROXY` / `https_proxy`: for https:// endpoints. */
  httpsProxy?: string | undefined;
  /** `NO_PROXY` / `no_proxy`: hosts reached directly (comma-separated; `*` for all). */
  noProxy?: string | undefined;
}

/** Where the transport's timers come from: `AbortSignal.timeout` by default; tests inject their own. */
export interface Timers {
  /** A signal that aborts with a `TimeoutError` after `ms` milliseconds. */
  timeout(ms: number): AbortSignal;
}

/** The process's timers. */
const systemTimers: Timers = { timeout: (ms) => AbortSignal.timeout(ms) };

/** One origin's pool (or proxy agent) and its slots. */
interface PoolEntry {
  pool: Dispatcher;
  slots: Slots;
  viaAgent: boolean;
}

/**
 * Keep-alive pools, one per origin (and proxy settings), shared by every client given this
 * transport, with their slots: a request takes a slot before it is handed to the pool, so the pool
 * never queues and a request's timer starts only once it has a connection. Without a proxy a pool
 * is an undici `Pool`; with one, an `EnvHttpProxyAgent` (CONNECT tunnels for https://, `NO_PROXY`
 * honoured).
 */
export class Transport {
  private readonly pools = new Map<string, PoolEntry>();

  constructor(private readonly timers: Timers = systemTimers) {}

  /** A signal that aborts after `ms` on this transport's timers (an attempt's or a deadline's bound). */
  timeout(ms: number): AbortSignal {
    return this.timers.timeout(ms);
  }

  /**
   * Sends one request over the origin's pool, once a connection is free, and reads its answer. The
   * attempt's timer (`timeoutMs`) starts when the request gets its connection; `signal` applies
   * throughout.
   */
  async send(req: HttpRequest, maxBytes = MAX_RESPONSE_BYTES, proxy?: ProxySettings): Promise<HttpResponse> {
    let entry: PoolEntry;
    try {
      entry = this.poolFor(req.url.origin, proxy);
    } catch (e) {
      // undici refused the connection's settings (a proxy URL it cannot use): nothing was sent.
      throw new NotWrittenError(e, "the connection could not be set up");
    }
    const { pool, slots, viaAgent } = entry;
    const release = await slots.acquire(req.signal);
    try {
      return await exchange(
        pool,
        viaAgent,
        req,
        AbortSignal.any([req.signal, this.timers.timeout(req.timeoutMs)]),
        maxBytes,
      );
    } finally {
      release();
    }
  }

  /** Closes every pool; a later request opens a new one. */
  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.pool.close()));
  }

  private poolFor(origin: string, proxy: ProxySettings = {}): PoolEntry {
    const key = `${origin}|${proxy.proxy ?? ""}|${proxy.httpProxy ?? ""}|${proxy.httpsProxy ?? ""}|${proxy.noProxy ?? ""}`;
    let entry = this.pools.get(key);
    if (!entry) {
      const options = { connections: MAX_CONNECTIONS, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 };
      const httpProxy = proxy.proxy ?? proxy.httpProxy ?? "";
      const httpsProxy = proxy.proxy ?? proxy.httpsProxy ?? "";
      const viaAgent = httpProxy !== "" || httpsProxy !== "";
      entry = {
        pool: (viaAgent
          ? // "" rather than undefined: undici would read this process's environment for a missing one.
            new (proxyAgent())({ ...options, httpProxy, httpsProxy, noProxy: proxy.noProxy ?? "" })
          : new UndiciPool(origin, options)
        ).compose(markWriteStart),
        slots: new Slots(MAX_CONNECTIONS),
        viaAgent,
      };
      this.pools.set(key, entry);
    }
    return entry;
  }
}

/**
 * A request that failed before undici started writing it (the connection, its TLS handshake or a
 * proxy's tunnel was not ready): nothing of it left this machine, whatever the error. A server
 * that accepts TCP and never answers the TLS ClientHello, and a proxy that answers CONNECT with
 * garbage, end here.
 */
class NotWrittenError extends Error {
  readonly code = "ERR_NOT_WRITTEN";
  constructor(cause: unknown, what = "the TCP, TLS or proxy handshake did not finish") {
    super(`${what} (${describe(cause)})`, { cause });
    this.name = "NotWrittenError";
  }
}

const describe = (e: unknown): string =>
  e instanceof Error ? (e.name === "TimeoutError" ? "timed out" : e.message) : String(e);

/** Marks an error of a request undici had started writing (see {@link notSentReason}). */
const WRITTEN = Symbol("written");

export function markWritten(e: unknown): unknown {
  const marked =
    typeof e === "object" && e !== null && Object.isExtensible(e) ? e : new Error(String(e), { cause: e });
  Object.defineProperty(marked, WRITTEN, { value: true });
  return marked;
}

/**
 * The option that carries a request's write-start hook to {@link markWriteStart} (a symbol: undici
 * passes options it does not know through, and no header or URL can collide with it).
 */
const WRITE_START = Symbol("writeStart");

/**
 * Tells a request's hook when undici starts writing it: `onRequestStart` runs once the connection
 * (TCP, TLS, a proxy's tunnel) is ready, before the first byte is written. Only that method is
 * wrapped; every other read and write goes to undici's own handler.
 */
const markWriteStart: Dispatcher.DispatcherComposeInterceptor = (dispatch) =>
  function dispatchMarked(opts, handler) {
    const hook = (opts as { [WRITE_START]?: () => void })[WRITE_START];
    if (!hook) return dispatch(opts, handler);
    const marked = new Proxy(handler, {
      get(target, key, receiver) {
        if (key !== "onRequestStart") return Reflect.get(target, key, receiver) as unknown;
        return (...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onRequestStart"]>>) => {
          hook();
          return target.onRequestStart?.(...args);
        };
      },
    });
    return dispatch(opts, marked);
  };

/** A request that was never handed to a connection: its signal fired while it waited for a free one. */
export class NotSentError extends Error {
  readonly code = "ERR_NOT_SENT";
  constructor(cause: unknown) {
    super(`not sent: all ${MAX_CONNECTIONS} connections to the endpoint stayed busy`, { cause });
    this.name = "NotSentError";
  }
}

/** A counting semaphore served in arrival order; a waiter whose signal fires leaves the queue. */
class Slots {
  private readonly waiting: Array<() => void> = [];
  constructor(private free: number) {}

  /** Waits for a slot; resolves to its release function, or rejects with {@link NotSentError}. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw new NotSentError(signal.reason);
    if (this.free > 0) {
      this.free -= 1;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(granted), 1);
        reject(new NotSentError(signal.reason));
      };
      const granted = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      this.waiting.push(granted);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Handed straight to the next waiter, so a newcomer cannot take it first.
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}

/**
 * Largest answer body read (1 MiB). The largest real CAS answers are a `GetUserCertificateDetail`
 * with certificate, chain and key (~15 KB) and a 50-item `ListUserCertificateOrder` page
 * (~100 KB); anything beyond this is not a CAS answer and is not buffered.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** An answer whose body went past {@link MAX_RESPONSE_BYTES}; reading stopped there. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly limit: number,
  ) {
    super(`the answer (HTTP ${status}) is larger than ${limit} bytes; reading was stopped there`);
    this.name = "ResponseTooLargeError";
  }
}

async function exchange(
  pool: Dispatcher,
  viaAgent: boolean,
  req: HttpRequest,
  signal: AbortSignal,
  maxBytes: number,
): Promise<HttpResponse> {
  let writing = false;
  const res = await dispatcherRequest
    .call(pool, {
      // An agent serves many origins and needs the request's; a Pool has its own.
      ...(viaAgent ? { origin: req.url.origin } : {}),
      path: req.url.pathname + req.url.search,
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal,
      // The signal carries the real per-attempt timeout; these only stop undici's own 300 s defaults.
      headersTimeout: 0,
      bodyTimeout: 0,
      [WRITE_START]: () => (writing = true),
    } as Dispatcher.RequestOptions)
    .catch((e: unknown) => {
      // Failed after undici started writing: whatever its code says (a TLS error can follow a
      // written request), the request may have been processed.
      if (writing) throw markWritten(e);
      // Failed before its first byte: never sent, however undici names the failure. Failures
      // already read as never sent keep their own reason (a refused certificate says so).
      throw notSentReason(e) === undefined ? new NotWrittenError(e) : e;
    });
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw new ResponseTooLargeError(res.statusCode, maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.body.destroy();
      throw new ResponseTooLargeError(res.statusCode, maxBytes);
    }
    chunks.push(chunk);
  }
  return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") };
}

/** Connection failures: no connection was made, so nothing was written. */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * Certificate verification failures of a TLS handshake (OpenSSL's X509_V_ERR_* names as Node
 * reports them, and Node's own host-name check), and a peer that answered the handshake with
 * something other than TLS. The HTTP request is written only after the handshake succeeds.
 */
const TLS_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

/**
 * The server refused the handshake itself (its alert, or no protocol or cipher in common): a server
 * that did not finish the handshake has processed nothing. (Under TLS 1.3 a gateway requiring a
 * client certificate sends `certificate_required` after undici has written the request, and undici
 * reports only a closed socket: that one stays "may have been sent".) Alerts that can also end a
 * working connection (a bad record MAC, an internal error) are not here.
 */
const TLS_HANDSHAKE_REFUSED =
  /^ERR_SSL_(?:(?:SSLV3|TLSV1|TLSV13|SSL\/TLS)_ALERT_(?:PROTOCOL_VERSION|HANDSHAKE_FAILURE|CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|ACCESS_DENIED|INSUFFICIENT_SECURITY|NO_APPLICATION_PROTOCOL|UNRECOGNIZED_NAME|ILLEGAL_PARAMETER)|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE)$/;

/** A proxy that answered the CONNECT for the endpoint with another status than 200 (its status), as undici reports it. */
export function proxyRefusal(error: unknown): number | undefined {
  const m = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling/.exec(
    (error as Partial<Error> | null | undefined)?.message ?? "",
  );
  return m ? Number(m[1]) : undefined;
}

/**
 * Why a network error proves the request never left this machine (`tls`: the handshake failed;
 * `connect`: no connection; `no-slot`: no free connection before the deadline), or `undefined`
 * when it may have reached the server. Follows the causes undici and `fetch` wrap errors in.
 */
export function notSentReason(error: unknown): NotSentReason | undefined {
  // Written, at least in part: never "not sent", whatever code the failure carries.
  if (typeof error === "object" && error !== null && WRITTEN in error) return undefined;
  let e: unknown = error;
  if (proxyRefusal(error) !== undefined) return "connect";
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      if (TLS_CODES.has(code) || TLS_HANDSHAKE_REFUSED.test(code) || code === "UND_ERR_PRX_TLS") return "tls";
      if (code === "UND_ERR_PRX_CONN") return "connect";
      if (CONNECT_CODES.has(code)) return "connect";
      if (code === "ERR_NOT_SENT") return "no-slot";
    }
    e = (e as { cause?: unknown }).cause;
  }
  // Nothing more particular in its causes: failed before undici started writing it.
  return error instanceof NotWrittenError ? "connect" : undefined;
}

// The connections of clients and credential sessions built without a runtime (the public client
// entry, tools, tests): the one module-level transport, created on first use.
let processTransportOnce: Transport | undefined;

/** The transport shared by what is built without a `ClientRuntime`; created on first use. */
export function processTransport(): Transport {
  return (processTransportOnce ??= new Transport());
}

/** Closes the connections of {@link processTransport} (a later request opens new ones). */
export function closeProcessTransport(): Promise<void> {
  return processTransportOnce?.close() ?? Promise.resolve();
}

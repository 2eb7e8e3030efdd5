import { Pool } from "undici";

/** One HTTP exchange as the client sees it. */
export interface HttpRequest {
  url: URL;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One keep-alive pool per origin, shared by every client in the process. */
const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 64, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
    pools.set(origin, pool);
  }
  return pool;
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

/** Sends one request over the origin's pool. Timeouts and aborts come through `signal`. */
export async function send(req: HttpRequest, maxBytes = MAX_RESPONSE_BYTES): Promise<HttpResponse> {
  const res = await poolFor(req.url.origin).request({
    path: req.url.pathname + req.url.search,
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: req.signal,
    // The signal carries the real per-attempt timeout; these only stop undici's own 300 s defaults.
    headersTimeout: 0,
    bodyTimeout: 0,
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

/** Closes every pool (tests and short-lived tools call this before exiting). */
export async function closeTransports(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}

const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
]);

/**
 * Whether a network error proves the request never left this machine (connection refused, DNS
 * failure, connect timeout). Anything else may have reached the server.
 */
export function provablyNotSent(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

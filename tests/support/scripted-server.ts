import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Step = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback server on port 0 that answers each request with the next scripted step. */
export async function scriptedServer(
  steps: Step[],
): Promise<{ endpoint: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  let i = 0;
  const server = createServer((req, res) => {
    requests.push(String(req.headers["x-acs-action"] ?? "?"));
    req.resume();
    req.on("end", () => (steps[Math.min(i++, steps.length - 1)] ?? (() => res.end()))(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A JSON answer. */
export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };

/** Drops the connection without answering. */
export const reset: Step = (req) => req.socket.destroy();

/** Never answers (until the client gives up). */
export const hang: Step = () => undefined;

export const apiError = (
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  json(
    status,
    {
      RequestId: "REQ-1",
      HostId: "cas.aliyuncs.com",
      Code: code,
      Message: `${code} happened`,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${code}`,
      ...extra,
    },
    headers,
  );

/**
 * Timers for a `ClientRuntime` that fire only when the test says so: `fire(ms)` aborts every timer
 * created so far with a limit of at most `ms` (with the `TimeoutError` `AbortSignal.timeout` gives),
 * so a test moves an attempt's or a deadline's time on without waiting for it.
 */
export function manualTimers(options: { firesSoon?: (ms: number) => boolean } = {}) {
  const pending: Array<{ ms: number; controller: AbortController }> = [];
  const created: number[] = [];
  let onCreate: ((ms: number) => void) | undefined;
  const timeUp = (c: AbortController) =>
    c.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
  return {
    /** The limits of the timers created so far, in order. */
    created,
    timeout(ms: number): AbortSignal {
      const controller = new AbortController();
      pending.push({ ms, controller });
      created.push(ms);
      onCreate?.(ms);
      // `firesSoon`: a timer the test treats as already spent fires once its creator has moved on.
      if (options.firesSoon?.(ms)) setImmediate(() => timeUp(controller));
      return controller.signal;
    },
    /** Fires every timer created so far whose limit is at most `ms`; returns how many fired. */
    fire(ms: number): number {
      const due = pending.filter((t) => t.ms <= ms && !t.controller.signal.aborted);
      for (const t of due) timeUp(t.controller);
      return due.length;
    },
    /** Resolves once a timer matching `test` has been created (now or later). */
    whenCreated(test: (ms: number) => boolean): Promise<void> {
      if (created.some(test)) return Promise.resolve();
      return new Promise((resolve) => {
        const before = onCreate;
        onCreate = (ms) => {
          before?.(ms);
          if (test(ms)) resolve();
        };
      });
    },
  };
}

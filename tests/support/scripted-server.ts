import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
// The fake clocks live in ./clock; re-exported for the client tests that take them from here.
export { fakeClock, virtualClock } from "./clock";

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

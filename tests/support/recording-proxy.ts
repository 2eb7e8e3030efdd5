import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer as it went over the wire. */
export interface RecordedAnswer {
  /** From `x-acs-action` (the ACS3 shape the client sends by default). */
  action: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A loopback proxy on port 0 in front of `target` that passes every request through unchanged
 * (headers included, so signatures over `host` still verify) and records each answer's status,
 * headers and body text: what a server really sent, before any client parsed it.
 */
export async function recordingProxy(
  target: string,
): Promise<{ endpoint: string; answers: RecordedAnswer[]; close(): Promise<void> }> {
  const answers: RecordedAnswer[] = [];
  const to = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const upstream = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on("data", (c: Buffer) => body.push(c));
          answer.on("end", () => {
            const text = Buffer.concat(body).toString("utf8");
            answers.push({
              action: String(req.headers["x-acs-action"] ?? "?"),
              status: answer.statusCode ?? 0,
              headers: answer.headers,
              body: text,
            });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(text);
          });
        },
      );
      upstream.on("error", () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

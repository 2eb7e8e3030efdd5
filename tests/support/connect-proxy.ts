import { createServer, type IncomingMessage } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

/** A loopback HTTP proxy that serves CONNECT tunnels only, as corporate proxies do for https://. */
export interface ConnectProxy {
  /** `http://127.0.0.1:PORT` (with `user:password@` when it requires them). */
  url: string;
  /** The `host:port` of every tunnel asked for, accepted or not. */
  tunnels: string[];
  close(): Promise<void>;
}

/**
 * Starts the proxy. `resolve` maps names to addresses the way the proxy's own DNS would (the
 * client never resolves them: a name only the proxy knows proves the request went through it);
 * `credentials` makes it answer 407 to a CONNECT without them.
 */
export async function startConnectProxy(
  options: { resolve?: Record<string, string>; credentials?: { user: string; password: string } } = {},
): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end("CONNECT only\n"));
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    const target = req.url ?? "";
    tunnels.push(target);
    if (options.credentials) {
      const expected = `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString("base64")}`;
      if (req.headers["proxy-authorization"] !== expected) {
        client.end(
          "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n",
        );
        return;
      }
    }
    const at = target.lastIndexOf(":");
    const host = target.slice(0, at).replace(/^\[|\]$/g, "");
    const port = Number(target.slice(at + 1));
    const upstream = connect(port, options.resolve?.[host] ?? host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  const auth = options.credentials
    ? `${encodeURIComponent(options.credentials.user)}:${encodeURIComponent(options.credentials.password)}@`
    : "";
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

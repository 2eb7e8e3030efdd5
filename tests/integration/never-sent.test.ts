import assert from "node:assert/strict";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Pool } from "undici";
import { CasClient, type ClientEvent } from "../../provider/cas/client";
import { CasTransportError } from "../../provider/cas/errors";
import { classifyFailure, NEVER_SENT_ATTEMPTS } from "../../provider/cas/failure";
import { markWritten, notSentReason, Transport } from "../../provider/cas/transport";
import { generateTlsMaterial, type TlsMaterial } from "../../emulator/tls";
import { configureProvider, provider, resetProvider } from "../support/in-process-provider";
import { stsFor } from "../support/sts";
import { fakeClock } from "../support/clock";
import { json, scriptedServer } from "../support/scripted-server";

const contact = { Username: "u", Phone: "13800001111", Email: "a@example.com" };

/** An HTTPS server on loopback counting TCP connections and HTTP requests. */
async function tlsServer(
  cert: string,
  key: string,
  options: import("node:tls").TlsOptions = {},
): Promise<{
  endpoint: string;
  port: number;
  connections: () => number;
  requests: () => number;
  close(): Promise<void>;
}> {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: HttpsServer = createHttpsServer({ cert, key, ...options }, (_req, res) => {
    requests++;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  server.on("connection", (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** The error a real TLS client (node:tls, then undici's Pool) gets from `server`, trusting `ca`. */
async function handshakeErrors(port: number, ca: string | undefined): Promise<unknown[]> {
  const viaTls = await new Promise<unknown>((ok) => {
    // Done on this side, the server may still refuse the handshake (TLS 1.3 sends its alert after
    // the client's Finished): read on until it errs or closes.
    const s = tlsConnect({ host: "127.0.0.1", port, ca }, () => s.resume());
    s.on("error", ok);
    s.on("close", () => ok(undefined));
  });
  const pool = new Pool(`https://127.0.0.1:${port}`, { connect: ca ? { ca } : {} });
  const viaUndici = await pool.request({ path: "/", method: "POST" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await pool.close();
  return [viaTls, viaUndici];
}

describe("never-sent failures: a TLS handshake this machine refuses, a connection that cannot be made", function () {
  let trusted: TlsMaterial;
  before(async () => {
    trusted = await generateTlsMaterial();
  });

  // Each case: the certificate the server shows, what the client trusts, and the code Node reports.
  type Served = { cert: string; key: string; ca?: string; server?: import("node:tls").TlsOptions };
  const cases: Array<[string, () => Promise<Served>, string]> = [
    [
      "a private CA the client does not trust",
      async () => ({ cert: trusted.certificatePem, key: trusted.privateKeyPem }),
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    ],
    [
      "the chain with its untrusted root",
      async () => ({ cert: trusted.certificatePem + trusted.caPem, key: trusted.privateKeyPem }),
      "SELF_SIGNED_CERT_IN_CHAIN",
    ],
    [
      "a self-signed certificate",
      async () => {
        const m = await generateTlsMaterial({ selfSigned: true });
        return { cert: m.certificatePem, key: m.privateKeyPem };
      },
      "DEPTH_ZERO_SELF_SIGNED_CERT",
    ],
    [
      "an expired certificate from a trusted CA",
      async () => {
        const m = await generateTlsMaterial({
          notBefore: new Date(Date.now() - 10 * 86400_000),
          notAfter: new Date(Date.now() - 86400_000),
        });
        return { cert: m.certificatePem, key: m.privateKeyPem, ca: m.caPem };
      },
      "CERT_HAS_EXPIRED",
    ],
    [
      "a certificate for another host from a trusted CA",
      async () => {
        const m = await generateTlsMaterial({ hosts: ["cas.other.example"] });
        return { cert: m.certificatePem, key: m.privateKeyPem, ca: m.caPem };
      },
      "ERR_TLS_CERT_ALTNAME_INVALID",
    ],
    [
      "a trusted server that speaks only TLS 1.1",
      async () => ({
        cert: trusted.certificatePem,
        key: trusted.privateKeyPem,
        ca: trusted.caPem,
        server: { minVersion: "TLSv1", maxVersion: "TLSv1.1" },
      }),
      "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
    ],
    // Under TLS 1.3 the same gateway's alert comes after undici has written the request, and undici
    // reports only a closed socket (UND_ERR_SOCKET): that stays "may have been sent".
    [
      "a trusted gateway that requires a client certificate (TLS 1.2)",
      async () => ({
        cert: trusted.certificatePem,
        key: trusted.privateKeyPem,
        ca: trusted.caPem,
        server: { requestCert: true, rejectUnauthorized: true, ca: trusted.caPem, maxVersion: "TLSv1.2" },
      }),
      "ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE",
    ],
  ];
  for (const [name, make, code] of cases)
    it(`${name}: Node says ${code}, directly and through undici; both read as never sent (tls), not retried`, async () => {
      const { cert, key, ca, server } = await make();
      const srv = await tlsServer(cert, key, server);
      try {
        for (const e of await handshakeErrors(srv.port, ca)) {
          assert.ok(e instanceof Error, `expected a handshake error, got ${String(e)}`);
          const codes: string[] = [];
          for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause)
            codes.push(String((c as { code?: unknown }).code));
          assert.ok(codes.includes(code), `${codes.join(" <- ")}: expected ${code}`);
          assert.equal(notSentReason(e), "tls");
        }
        assert.equal(
          classifyFailure({ type: "not-sent", reason: "tls" }, { creates: true }),
          "not-retryable",
        );
        assert.equal(srv.requests(), 0);
      } finally {
        await srv.close();
      }
    });

  it("a network without a route (ENETUNREACH), also wrapped, reads as never sent; a reset does not", () => {
    // No route cannot be produced on loopback: the classification of the code itself.
    const unreachable = Object.assign(new Error("connect ENETUNREACH 10.255.255.1:443"), {
      code: "ENETUNREACH",
    });
    assert.equal(notSentReason(unreachable), "connect");
    assert.equal(notSentReason(new TypeError("fetch failed", { cause: unreachable })), "connect");
    assert.equal(classifyFailure({ type: "not-sent", reason: "connect" }, { creates: true }), "never-sent");
    assert.equal(notSentReason(Object.assign(new Error("reset"), { code: "ECONNRESET" })), undefined);
  });

  it("a failure after undici started writing the request is never 'not sent', whatever its code", () => {
    // Node can report a TLS code after a request was written (non-TLS bytes from the peer): the
    // transport marks such errors, and a marked error may have been processed.
    for (const code of ["ERR_SSL_WRONG_VERSION_NUMBER", "ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT"]) {
      const error = Object.assign(new Error(code), { code });
      assert.notEqual(notSentReason(error), undefined, code);
      assert.equal(notSentReason(markWritten(error)), undefined, code);
    }
    assert.equal(
      notSentReason(markWritten(Object.freeze(Object.assign(new Error("x"), { code: "ECONNREFUSED" })))),
      undefined,
    );
  });

  it("a create against an untrusted endpoint fails at once: nothing was sent, the fix named, no retry", async () => {
    const srv = await tlsServer(trusted.certificatePem, trusted.privateKeyPem);
    const events: ClientEvent[] = [];
    const c = new CasClient({
      accessKeyId: "ak",
      accessKeySecret: "sk",
      env: { ALIBABA_CLOUD_ENDPOINT_CAS: srv.endpoint },
      rateLimits: false,
      clock: fakeClock(),
      onEvent: (e) => events.push(e),
    });
    try {
      await assert.rejects(
        c.call("CreateCertificateRequest", { Domain: "a.example.com", ValidateType: "DNS", ...contact }),
        (e: unknown) => {
          assert.ok(e instanceof CasTransportError, String(e));
          assert.equal(e.code, "TlsHandshakeFailed");
          assert.equal(e.retryable, false);
          assert.match(e.message, /nothing was sent, so no order can exist/);
          assert.match(e.message, /NODE_EXTRA_CA_CERTS/);
          assert.match(e.message, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
          assert.match(e.message, /environment ALIBABA_CLOUD_ENDPOINT_CAS/);
          assert.doesNotMatch(e.message, /may have|adoptOrderId/);
          return true;
        },
      );
      assert.deepEqual(events, []);
      assert.equal(srv.connections(), 1);
      assert.equal(srv.requests(), 0);
    } finally {
      await srv.close();
    }
  });

  /** A TCP server that accepts and reads but never answers (`reply` answers the first bytes instead). */
  async function silentPeer(reply?: string) {
    let connections = 0;
    const sockets = new Set<Socket>();
    const server = createNetServer((s) => {
      connections++;
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
      if (reply !== undefined) s.once("data", () => s.end(reply));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    return {
      port: (server.address() as AddressInfo).port,
      connections: () => connections,
      close: () =>
        new Promise<void>((ok) => {
          for (const s of sockets) s.destroy();
          server.close(() => ok());
        }),
    };
  }

  it("a server that takes the connection but never answers the TLS handshake: nothing was sent, retried as never sent", async () => {
    const peer = await silentPeer();
    const endpoint = `https://127.0.0.1:${peer.port}`;
    const events: ClientEvent[] = [];
    const c = new CasClient({
      accessKeyId: "ak",
      accessKeySecret: "sk",
      env: { ALIBABA_CLOUD_ENDPOINT_CAS: endpoint },
      rateLimits: false,
      clock: fakeClock(),
      attemptTimeoutMs: 300,
      onEvent: (e) => events.push(e),
    });
    try {
      await assert.rejects(
        c.call("CreateCertificateRequest", { Domain: "a.example.com", ValidateType: "DNS", ...contact }),
        (e: unknown) => {
          assert.ok(e instanceof CasTransportError, String(e));
          assert.equal(e.code, "NetworkError");
          assert.ok(e.message.includes(`cannot connect to ${endpoint}`), e.message);
          assert.match(
            e.message,
            /the TCP, TLS or proxy handshake did not finish \(timed out\)\); nothing was sent\. The endpoint is from/,
          );
          assert.doesNotMatch(e.message, /may have|adoptOrderId/);
          return true;
        },
      );
      assert.equal(peer.connections(), NEVER_SENT_ATTEMPTS);
      assert.equal(events.length, NEVER_SENT_ATTEMPTS - 1);
    } finally {
      await peer.close();
    }
  });

  it("a proxy that answers CONNECT with something other than HTTP: nothing was sent", async () => {
    const proxy = await silentPeer("SSH-2.0-OpenSSH_9.2\r\n");
    const c = new CasClient({
      accessKeyId: "ak",
      accessKeySecret: "sk",
      endpoint: "https://cas.aliyuncs.com",
      env: {},
      proxy: `http://127.0.0.1:${proxy.port}`,
      rateLimits: false,
      clock: fakeClock(),
      attemptTimeoutMs: 2000,
      retry: { maxAttempts: 1 },
    });
    try {
      await assert.rejects(
        c.call("CreateCertificateRequest", { Domain: "a.example.com", ValidateType: "DNS", ...contact }),
        (e: unknown) => {
          assert.ok(e instanceof CasTransportError, String(e));
          assert.match(e.message, /nothing was sent/);
          assert.doesNotMatch(e.message, /may have|adoptOrderId/);
          return true;
        },
      );
      assert.equal(proxy.connections(), 1);
    } finally {
      await proxy.close();
    }
  });

  it("proxy settings undici refuses when it builds the connection read as never sent", async () => {
    const transport = new Transport();
    const e: unknown = await transport
      .send(
        {
          url: new URL("https://cas.aliyuncs.com/"),
          method: "POST",
          headers: {},
          body: "",
          signal: new AbortController().signal,
          timeoutMs: 1_000,
        },
        undefined,
        // Past the settings' own check (which refuses a path): as undici gets it.
        { proxy: "http://deploy:8080/s3cret@proxy.corp:3128" },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.match(String(e), /the connection could not be set up/);
    assert.equal(notSentReason(e), "connect");
    await transport.close();
  });

  it("a refused connection names the endpoint and where it came from, in the error and each retry line, and stops after the never-sent attempts", async () => {
    const srv = await scriptedServer([json(200, {})]);
    const endpoint = srv.endpoint;
    await srv.close();
    const events: ClientEvent[] = [];
    const clock = fakeClock();
    const c = new CasClient({
      accessKeyId: "ak",
      accessKeySecret: "sk",
      env: { ALIBABA_CLOUD_ENDPOINT_CAS: endpoint },
      rateLimits: false,
      clock,
      onEvent: (e) => events.push(e),
    });
    await assert.rejects(
      c.call("CreateCertificateRequest", { Domain: "a.example.com", ValidateType: "DNS", ...contact }),
      (e: unknown) => {
        assert.ok(e instanceof CasTransportError, String(e));
        assert.equal(e.code, "NetworkError");
        assert.ok(e.message.includes(`cannot connect to ${endpoint}`), e.message);
        assert.match(e.message, /ECONNREFUSED/);
        assert.match(e.message, /nothing was sent/);
        assert.match(
          e.message,
          /from environment ALIBABA_CLOUD_ENDPOINT_CAS: .*unset ALIBABA_CLOUD_ENDPOINT_CAS/,
        );
        return true;
      },
    );
    assert.equal(events.length, NEVER_SENT_ATTEMPTS - 1);
    for (const e of events) {
      assert.equal(e.kind, "retry");
      if (e.kind !== "retry") continue;
      assert.ok(e.reason.includes(endpoint), e.reason);
      assert.match(e.reason, /nothing was sent: .*ECONNREFUSED.*environment ALIBABA_CLOUD_ENDPOINT_CAS/);
    }
    // The stack config spelling names its own setting.
    const viaConfig = new CasClient({
      accessKeyId: "ak",
      accessKeySecret: "sk",
      env: {},
      config: (k) => (k === "alicloud:endpoints" ? JSON.stringify([{ cas: endpoint }]) : undefined),
      rateLimits: false,
      clock: fakeClock(),
      retry: { maxAttempts: 1 },
    });
    await assert.rejects(viaConfig.call("DescribePackageState", {}), /from stack config alicloud:endpoints/);
  });

  describe("through the provider", () => {
    afterEach(() => resetProvider());

    it("CertificateOrder create against an untrusted endpoint: no look-up, no adoption advice, the fix named", async () => {
      const srv = await tlsServer(trusted.certificatePem, trusted.privateKeyPem);
      const lines: string[] = [];
      const keys = { "alicloud:accessKey": "ak", "alicloud:secretKey": "sk" };
      // STS (which account the keys belong to) answers elsewhere: the create is what meets the TLS failure.
      const sts = await stsFor(keys);
      await configureProvider(
        {
          ...keys,
          "alicloud:endpoints": JSON.stringify([{ cas: srv.endpoint }, { sts: sts.endpoint }]),
        },
        (l) => lines.push(l),
      );
      try {
        // quotaCheck off: the create is the only call (and the process-wide quota memory, shared
        // with other test files in this worker, stays untouched).
        const checked = await provider.check(
          {},
          {
            domain: "never-sent.example.com",
            validateType: "DNS",
            quotaCheck: "off",
            ...{ username: "u", phone: "13800001111", email: "a@example.com" },
          },
        );
        assert.deepEqual(checked.failures, []);
        await assert.rejects(provider.create(checked.inputs), (e: unknown) => {
          const message = (e as Error).message;
          assert.match(message, /TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed/);
          assert.match(message, /nothing was sent/);
          assert.doesNotMatch(message, /may have been placed|adoptOrderId|ReconcileFailed/);
          return true;
        });
        assert.ok(!lines.some((l) => /looking for the order/.test(l)), lines.join("\n"));
        // One handshake, the create's: not repeated, and no look-up followed it.
        assert.equal(srv.connections(), 1);
        assert.equal(srv.requests(), 0);
      } finally {
        await srv.close();
        await sts.close();
      }
    });
  });
});

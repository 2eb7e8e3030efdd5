import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { connect as tlsConnect } from "node:tls";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CasClient } from "../../provider/cas/client";
import { resolveProxy } from "../../provider/cas/proxy-settings";
import { CasTransportError } from "../../provider/cas/errors";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { generateTlsMaterial } from "../../emulator/tls";
import { certificateOrderStub } from "../../sdk/stubs";
import { startConnectProxy, type ConnectProxy } from "../support/connect-proxy";
import { configureProvider, provider, resetProvider } from "../support/in-process-provider";
import { startProviderHost, type ProviderHost } from "../support/provider-host";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };
/** A name only the proxy resolves: an order placed through it proves the request took the tunnel. */
const NAME = "cas.emulator.test";

describe("through a CONNECT proxy to a TLS emulator whose certificate a private CA issued", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let proxy: ConnectProxy;
  let caFile: string;
  let endpoint: string;
  let host: ProviderHost | undefined;

  before(async () => {
    emu = await startEmulator({ tls: { hosts: [NAME] }, lifecycle: { validation: "manual" } });
    assert.match(emu.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(emu.tlsCaPem);
    caFile = join(mkdtempSync(join(tmpdir(), "cas-ca-")), "ca.pem");
    writeFileSync(caFile, emu.tlsCaPem);
    endpoint = `https://${NAME}:${new URL(emu.endpoint).port}`;
    proxy = await startConnectProxy({ resolve: { [NAME]: "127.0.0.1" } });
  });
  afterEach(async () => {
    host?.stop();
    host = undefined;
    await resetProvider();
  });
  after(async () => {
    await proxy?.close();
    await emu?.close();
  });

  const keys = () => ({ "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret });

  async function placeAndRead(h: ProviderHost, domain: string) {
    const checked = await h.check({ domain, ...contact });
    assert.deepEqual(checked.failures, []);
    const created = await h.create(checked.inputs);
    assert.equal(created.outs.status, "pending_validation");
    const read = await h.read(created.id, created.outs);
    assert.equal(read.id, created.id);
    return created.id;
  }

  it("HTTPS_PROXY and NODE_EXTRA_CA_CERTS: the provider host places and reads an order through the tunnel", async () => {
    host = await startProviderHost(certificateOrderStub, keys(), {
      ALIBABA_CLOUD_ENDPOINT_CAS: endpoint,
      // STS (GetCallerIdentity) is the emulator too, behind the same proxy and CA.
      ALIBABA_CLOUD_ENDPOINT_STS: endpoint,
      HTTPS_PROXY: proxy.url,
      NODE_EXTRA_CA_CERTS: caFile,
    });
    const before = proxy.tunnels.length;
    const id = await placeAndRead(host, "via-env-proxy.example.com");
    assert.ok(
      proxy.tunnels.slice(before).includes(`${NAME}:${new URL(endpoint).port}`),
      proxy.tunnels.join(","),
    );
    assert.ok((await emu.control.orders()).some((o) => o.orderId === id));
  });

  it("a role session: AssumeRole goes the same way as CAS calls (the proxy's tunnel, the private CA), and the order is placed with its keys", async () => {
    host = await startProviderHost(
      certificateOrderStub,
      {
        ...keys(),
        "alicloud:endpoints": JSON.stringify([{ cas: endpoint, sts: endpoint }]),
        "alicloud:assumeRole": JSON.stringify({ roleArn: "acs:ram::1234567890123456:role/pulumi-ci" }),
      },
      { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: caFile },
    );
    emu.control.clearRequests();
    const id = await placeAndRead(host, "via-proxy-role.example.com");
    // The endpoint's name resolves only at the proxy: an answered AssumeRole went through the tunnel.
    const log = emu.control.requests();
    assert.deepEqual(log[0] && [log[0].action, log[0].outcome, log[0].accessKeyId], [
      "AssumeRole",
      "OK",
      emu.accessKeyId,
    ]);
    const placed = log.find((r) => r.action === "CreateCertificateRequest");
    assert.match(String(placed?.accessKeyId), /^STS\./);
    assert.equal((await emu.control.orders()).find((o) => o.orderId === id)?.accessKeyId, emu.accessKeyId);
  });

  it("alicloud-cas:proxy (no proxy in the environment): the same, through the configured proxy", async () => {
    host = await startProviderHost(
      certificateOrderStub,
      {
        ...keys(),
        "alicloud-cas:proxy": proxy.url,
        "alicloud:endpoints": JSON.stringify([{ cas: endpoint }, { sts: endpoint }]),
      },
      { NODE_EXTRA_CA_CERTS: caFile, HTTPS_PROXY: "", https_proxy: "", HTTP_PROXY: "", http_proxy: "" },
    );
    const before = proxy.tunnels.length;
    await placeAndRead(host, "via-config-proxy.example.com");
    assert.ok(proxy.tunnels.length > before);
  });

  it("without the CA: create fails at once through the proxy, saying nothing was sent; CAS gets no request, no look-up is made", async () => {
    const lines: string[] = [];
    // This test process does not trust the emulator's CA (NODE_EXTRA_CA_CERTS is read at start).
    await configureProvider(
      {
        ...keys(),
        "alicloud-cas:proxy": proxy.url,
        "alicloud:endpoints": JSON.stringify([{ cas: endpoint }, { sts: endpoint }]),
      },
      (l) => lines.push(l),
    );
    const requestsBefore = emu.control.requests().length;
    const tunnelsBefore = proxy.tunnels.length;
    // quotaCheck off: the create is the only call (and the process-wide quota memory, shared with
    // other test files in this worker, stays untouched).
    const checked = await provider.check(
      {},
      { domain: "untrusted.example.com", quotaCheck: "off", ...contact },
    );
    await assert.rejects(provider.create(checked.inputs), (e: unknown) => {
      const message = (e as Error).message;
      // The first request of the create, STS's GetCallerIdentity (same origin, proxy and CA), is the one refused.
      assert.match(
        message,
        /GetCallerIdentity: the TLS handshake with STS https:\/\/cas\.emulator\.test:\d+ through the proxy http:\/\/127\.0\.0\.1:\d+ \(from stack config alicloud-cas:proxy\) \(from stack config alicloud:endpoints \(its sts entry\)\) failed/,
      );
      assert.match(message, /nothing was sent/);
      assert.match(message, /NODE_EXTRA_CA_CERTS/);
      assert.doesNotMatch(message, /may have been placed|adoptOrderId/);
      return true;
    });
    assert.equal(emu.control.requests().length, requestsBefore);
    assert.ok(!lines.some((l) => /looking for the order/.test(l)), lines.join("\n"));
    // One tunnel, STS's: not repeated, and no create or look-up followed it.
    assert.equal(proxy.tunnels.length - tunnelsBefore, 1, proxy.tunnels.slice(tunnelsBefore).join(","));
  });

  it("a proxy that wants credentials: 407 without them names the proxy (never its password); with them in the URL the call goes through", async () => {
    const guarded = await startConnectProxy({
      resolve: { [NAME]: "127.0.0.1" },
      credentials: { user: "ci", password: "s3cret-pw" },
    });
    try {
      const noCreds = guarded.url.replace(/\/\/[^@]*@/, "//");
      const c = new CasClient({
        endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        env: { HTTPS_PROXY: noCreds },
        rateLimits: false,
        retry: { maxAttempts: 1 },
      });
      await assert.rejects(c.call("DescribePackageState", {}), (e: unknown) => {
        assert.ok(e instanceof CasTransportError, String(e));
        assert.equal(e.code, "NetworkError");
        assert.match(
          e.message,
          /the proxy refused the tunnel to https:\/\/cas\.emulator\.test:\d+ \(HTTP 407\) through the environment's proxy \(HTTPS_PROXY=http:\/\/127\.0\.0\.1:\d+\); nothing was sent/,
        );
        return true;
      });
      // With credentials the tunnel opens; the TLS handshake then fails here (this process does
      // not trust the CA), and the message shows the proxy without its password.
      const withCreds = new CasClient({
        endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        env: { HTTPS_PROXY: guarded.url },
        rateLimits: false,
      });
      await assert.rejects(withCreds.call("DescribePackageState", {}), (e: unknown) => {
        assert.ok(e instanceof CasTransportError, String(e));
        assert.equal(e.code, "TlsHandshakeFailed");
        assert.doesNotMatch(e.message, /s3cret-pw/);
        return true;
      });
      assert.equal(guarded.tunnels.length, 2);
    } finally {
      await guarded.close();
    }
  });
});

describe("proxy settings", () => {
  it("the explicit setting wins over the environment; direct means none; NO_PROXY is passed on; loopback endpoints skip the environment's proxy", () => {
    const env = { HTTPS_PROXY: "http://env-proxy:3128", NO_PROXY: ".internal.example" };
    assert.deepEqual(
      resolveProxy(["http://cfg-proxy:8080", "stack config alicloud-cas:proxy"], env, "cas.aliyuncs.com"),
      {
        settings: { proxy: "http://cfg-proxy:8080", noProxy: ".internal.example" },
        route:
          " through the proxy http://cfg-proxy:8080 (from stack config alicloud-cas:proxy, except hosts NO_PROXY lists)",
      },
    );
    assert.deepEqual(resolveProxy(["direct", "stack config alicloud-cas:proxy"], env, "cas.aliyuncs.com"), {
      settings: {},
      route: "",
    });
    assert.deepEqual(
      resolveProxy([undefined, "stack config alicloud-cas:proxy"], env, "cas.aliyuncs.com").settings,
      {
        httpsProxy: "http://env-proxy:3128",
        httpProxy: undefined,
        noProxy: ".internal.example",
      },
    );
    assert.deepEqual(
      resolveProxy([undefined, "x"], { https_proxy: "http://lower:1" }, "cas.aliyuncs.com").settings
        .httpsProxy,
      "http://lower:1",
    );
    assert.deepEqual(resolveProxy([undefined, "x"], env, "127.0.0.1"), { settings: {}, route: "" });
    assert.throws(
      () => resolveProxy(["proxy.example:3128", "stack config alicloud-cas:proxy"], {}, "cas.aliyuncs.com"),
      /stack config alicloud-cas:proxy: .* is not a proxy URL; set it to http:\/\/host:port/,
    );
    assert.throws(
      () => resolveProxy([undefined, "x"], { HTTPS_PROXY: "ftp://user:pw@p:1" }, "cas.aliyuncs.com"),
      (e: Error) =>
        /environment HTTPS_PROXY: "ftp:\/\/p:1" is not a proxy URL/.test(e.message) &&
        !e.message.includes("pw"),
    );
  });
});

describe("cas-emulator --tls", function () {
  this.timeout(60_000);
  const CLI = join(__dirname, "..", "..", "emulator", "cli.js");
  const CLIENT = join(__dirname, "..", "..", "provider", "cas", "client.js");

  /** Starts the CLI detached with `args`; its export lines as a map. */
  async function detached(args: string[]): Promise<Record<string, string>> {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, "--detach", ...args], {
      timeout: 30_000,
    });
    return Object.fromEntries(
      stdout
        .trim()
        .split("\n")
        .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l)!)
        .map((m) => [m[1]!, m[2]!.replace(/^'|'$/g, "")]),
    );
  }

  /** DescribePackageState from a Node process started with `env` (NODE_EXTRA_CA_CERTS is read at start). */
  async function callFromProcess(env: Record<string, string>): Promise<string> {
    const script =
      `const { CasClient } = require(${JSON.stringify(CLIENT)});` +
      "new CasClient({ rateLimits: false, retry: { maxAttempts: 1 } }).call('DescribePackageState', {})" +
      ".then((r) => console.log('total', r.TotalCount), (e) => console.log('error', e.code)).finally(() => process.exit(0));";
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    return stdout.trim();
  }

  it("makes a private CA, prints export NODE_EXTRA_CA_CERTS for it, and a client trusting it is answered; one without it is not", async () => {
    const caOut = join(mkdtempSync(join(tmpdir(), "cas-tls-")), "ca.pem");
    const env = await detached(["--tls", "--tls-ca-out", caOut]);
    try {
      assert.equal(env.NODE_EXTRA_CA_CERTS, caOut);
      assert.match(env.ALIBABA_CLOUD_ENDPOINT_CAS!, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(
        env.ALIBABA_CLOUD_STS_ENDPOINT,
        env.ALIBABA_CLOUD_ENDPOINT_CAS,
        "STS answers on the same port",
      );
      const { NODE_EXTRA_CA_CERTS, CAS_EMULATOR_PID, ...rest } = env;
      void CAS_EMULATOR_PID;
      assert.equal(await callFromProcess({ ...rest, NODE_EXTRA_CA_CERTS: NODE_EXTRA_CA_CERTS }), "total 100");
      assert.equal(await callFromProcess(rest), "error TlsHandshakeFailed");
    } finally {
      process.kill(Number(env.CAS_EMULATOR_PID), "SIGTERM");
    }
  });

  it("--tls-cert and --tls-key serve the given certificate", async () => {
    const material = await generateTlsMaterial({ hosts: ["127.0.0.1"] });
    const dir = mkdtempSync(join(tmpdir(), "cas-tls-given-"));
    writeFileSync(join(dir, "cert.pem"), material.certificatePem);
    writeFileSync(join(dir, "key.pem"), material.privateKeyPem);
    writeFileSync(join(dir, "ca.pem"), material.caPem);
    const env = await detached(["--tls-cert", join(dir, "cert.pem"), "--tls-key", join(dir, "key.pem")]);
    try {
      assert.equal(env.NODE_EXTRA_CA_CERTS, undefined, "a given certificate's CA is the user's to trust");
      const { port } = new URL(env.ALIBABA_CLOUD_ENDPOINT_CAS!);
      const served = await new Promise<string>((ok, fail) => {
        const s = tlsConnect({ host: "127.0.0.1", port: Number(port), ca: material.caPem }, () => {
          ok(s.getPeerX509Certificate()!.fingerprint256);
          s.destroy();
        });
        s.on("error", fail);
      });
      assert.equal(served, new X509Certificate(material.certificatePem).fingerprint256);
    } finally {
      process.kill(Number(env.CAS_EMULATOR_PID), "SIGTERM");
    }
  });
});

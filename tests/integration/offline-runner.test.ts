import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { goOnThisMachine } from "../support/go";

const RUNNER = resolve(__dirname, "..", "..", "offline", "runner.js");

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// The offline runner's failure paths: each stops before anything is sent (no engine started, no
// request to any server or proxy) and exits non-zero, saying why and what to do.
describe("cas-offline: failing safe before anything is sent", function () {
  this.timeout(60_000);
  let trap: Server;
  let trapped: string[];
  let trapUrl: string;
  let dir: string;
  let fakeBin: string;
  let engineRan: string;

  before(async () => {
    // Any request that leaves the runner through a proxy (the real CAS's https included) lands here.
    trapped = [];
    trap = createServer((req, res) => {
      trapped.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    trap.on("connect", (req, socket) => {
      trapped.push(`CONNECT ${req.url}`);
      socket.destroy();
    });
    await new Promise<void>((r) => trap.listen(0, "127.0.0.1", r));
    trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    // A `pulumi` that only records that it was started: the engine must never start.
    fakeBin = mkdtempSync(join(tmpdir(), "cas-offline-bin-"));
    engineRan = join(fakeBin, "ran");
    writeFileSync(join(fakeBin, "pulumi"), `#!/bin/sh\necho "$@" >> '${engineRan}'\nexit 1\n`);
    chmodSync(join(fakeBin, "pulumi"), 0o755);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cas-offline-project-"));
    writeFileSync(join(dir, "program.js"), "module.exports = async () => ({ ok: true });\n");
  });
  after(() => new Promise<void>((r) => trap.close(() => r())));

  function runner(args: string[], env: Record<string, string | undefined> = {}) {
    const base: Record<string, string | undefined> = { ...process.env };
    for (const k of Object.keys(base))
      if (k.startsWith("ALIBABA_CLOUD_") || k.startsWith("ALICLOUD_")) delete base[k];
    const all: Record<string, string | undefined> = {
      ...base,
      HTTPS_PROXY: trapUrl,
      HTTP_PROXY: trapUrl,
      https_proxy: trapUrl,
      http_proxy: trapUrl,
      NO_PROXY: "",
      PULUMI_CAS_ENGINE_BIN: fakeBin,
      ...env,
    };
    const child = spawn(process.execPath, [RUNNER, ...args], {
      cwd: dir,
      env: Object.fromEntries<string | undefined>(Object.entries(all).filter(([, v]) => v !== undefined)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    return new Promise<{ code: number | null; out: string; err: string }>((ok) =>
      child.on("close", (code) => ok({ code, out, err })),
    );
  }

  function nothingSent(): void {
    assert.deepEqual(trapped, [], "no request left through the proxy");
    assert.equal(existsSync(engineRan), false, "the engine was never started");
    assert.equal(existsSync(join(dir, ".cas-offline", "state")), false, "no stack state was written");
  }

  it("when the emulator cannot start (its data directory is in use), stops before anything is sent, non-zero", async () => {
    // Another emulator holds the project's emulator data directory.
    mkdirSync(join(dir, ".cas-offline"), { recursive: true });
    let holder: RunningEmulator | undefined;
    try {
      holder = await startEmulator({ dataDir: join(dir, ".cas-offline", "emulator") });
      const r = await runner(["up", "--program", "program.js"]);
      assert.equal(r.code, 1, r.err);
      assert.match(
        r.err,
        /^cas-offline: the CAS emulator could not start \(emulator data directory .* is in use by process \d+; stop it or use another --data-dir\); nothing was run\./,
      );
      nothingSent();
      assert.deepEqual(
        holder.control.requests(),
        [],
        "the emulator holding the folder got no request either",
      );
    } finally {
      await holder?.close();
    }
  });

  it("refuses an endpoint that is not loopback, naming the flag and the setting", async () => {
    const r = await runner(["up", "--program", "program.js"], {
      ALIBABA_CLOUD_ENDPOINT_CAS: "https://cas.aliyuncs.com",
    });
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /the endpoint https:\/\/cas\.aliyuncs\.com is not on this machine \(loopback\)/);
    assert.match(
      r.err,
      /--allow-insecure-endpoint \(or set alicloud-cas:allowInsecureEndpoint true in the stack config\)/,
    );
    nothingSent();
  });

  it("stops when no emulator answers at the loopback endpoint it was given", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await runner(["preview", "--program", "program.js"], {
      ALIBABA_CLOUD_ENDPOINT_CAS: `http://127.0.0.1:${port}`,
    });
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      new RegExp(
        `no CAS emulator answers at http://127\\.0\\.0\\.1:${port} \\(from ALIBABA_CLOUD_ENDPOINT_CAS\\)`,
      ),
    );
    nothingSent();
  });

  it("without a Pulumi CLI anywhere and no Go to build one, it says where it looked and how to get one", async () => {
    const empty = mkdtempSync(join(tmpdir(), "cas-offline-home-"));
    const r = await runner(["up", "--program", "program.js"], {
      PULUMI_CAS_ENGINE_BIN: undefined,
      PATH: "/nonexistent",
      HOME: empty,
      XDG_CACHE_HOME: undefined,
      PULUMI_CAS_CACHE: undefined,
    });
    assert.equal(r.code, 1, r.err);
    assert.equal(
      r.err,
      `cas-offline: no Pulumi CLI found (looked at $PULUMI_CAS_ENGINE_BIN, PATH and ${empty}/.cache/pulumi-alicloud-cas/pulumi-v3.274.1/bin) ` +
        "and no Go toolchain on PATH to build one: install the Pulumi CLI (https://www.pulumi.com/docs/install/) and put it on PATH, " +
        `or install Go >= 1.25 (then pulumi v3.274.1 is built once from the Go module proxy into ${empty}/.cache/pulumi-alicloud-cas), ` +
        "and run `cas-offline up` again\n",
    );
    nothingSent();
  });

  it("with Go but no module proxy (GOPROXY=off) and an empty cache, the build stops at its first step saying why and what to do", async () => {
    const go = goOnThisMachine();
    const home = mkdtempSync(join(tmpdir(), "cas-offline-home-"));
    const cache = join(home, "cache");
    const r = await runner(["up", "--program", "program.js"], {
      PULUMI_CAS_ENGINE_BIN: undefined,
      // Go and Node only: no pulumi.
      PATH: [dirname(go), dirname(process.execPath)].join(delimiter),
      // Go's module cache and build cache start empty under this HOME too.
      HOME: home,
      GOPATH: undefined,
      GOMODCACHE: undefined,
      GOCACHE: undefined,
      GOFLAGS: undefined,
      GOPROXY: "off",
      PULUMI_CAS_CACHE: cache,
    });
    assert.equal(r.code, 1, r.err);
    const bin = join(cache, "pulumi-v3.274.1", "bin");
    // The progress lines, then go's own output, then why it stopped and the fix.
    assert.match(
      r.err,
      new RegExp(
        `^cas-offline: no Pulumi CLI found: building pulumi v3\\.274\\.1 from the Go module proxy into ${escape(bin)} \\(first run only; several minutes on 2 cores\\)\n`,
      ),
    );
    assert.match(r.err, /\ncas-offline: step 1\/3 \(fetching its modules\): go get\n/);
    assert.match(
      r.err,
      /\n {2}go: github\.com\/pulumi\/pulumi\/pkg\/v3@v3\.274\.1: module lookup disabled by GOPROXY=off\n/,
    );
    assert.match(
      r.err,
      new RegExp(
        `\ncas-offline: building pulumi v3\\.274\\.1 with ${escape(go)} failed at step 1/3 \\(fetching its modules\\): ` +
          "`go get github\\.com/pulumi/pulumi/pkg/v3@v3\\.274\\.1 github\\.com/pulumi/pulumi/sdk/v3@v3\\.274\\.1` exited with 1:\n" +
          " {4}go: github\\.com/pulumi/pulumi/pkg/v3@v3\\.274\\.1: module lookup disabled by GOPROXY=off\n",
      ),
    );
    assert.match(
      r.err,
      /\nGo's module proxy is GOPROXY=off\. Install the Pulumi CLI \(https:\/\/www\.pulumi\.com\/docs\/install\/\) and put it on PATH, or let Go reach a module proxy \(GOPROXY; Go >= 1\.25\), then run `cas-offline up` again\n$/,
    );
    assert.equal(existsSync(join(bin, "pulumi")), false, "no CLI was put in the cache");
    assert.doesNotMatch(r.err, /step 2\/3/);
    nothingSent();
  });

  it("a PULUMI_CAS_ENGINE_BIN without pulumi in it is named, not passed over", async () => {
    const r = await runner(["up", "--program", "program.js"], { PULUMI_CAS_ENGINE_BIN: dir });
    assert.equal(r.code, 1, r.err);
    assert.equal(
      r.err,
      `cas-offline: PULUMI_CAS_ENGINE_BIN is ${dir}, which holds no executable pulumi: point it at the directory of a Pulumi CLI, or unset it\n`,
    );
    nothingSent();
  });

  it("install-cli finds a CLI in the cache ($PULUMI_CAS_CACHE) and prints its directory, starting nothing", async () => {
    const cache = mkdtempSync(join(tmpdir(), "cas-offline-cache-"));
    const bin = join(cache, "pulumi-v3.274.1", "bin");
    mkdirSync(bin, { recursive: true });
    for (const f of ["pulumi", "pulumi-resource-pulumi-nodejs"]) {
      writeFileSync(join(bin, f), `#!/bin/sh\necho "$@" >> '${engineRan}'\nexit 1\n`);
      chmodSync(join(bin, f), 0o755);
    }
    const r = await runner(["install-cli"], {
      PULUMI_CAS_ENGINE_BIN: undefined,
      PATH: dirname(process.execPath),
      PULUMI_CAS_CACHE: cache,
    });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${bin}\n`);
    assert.equal(r.err, `cas-offline: using cached pulumi v3.274.1 from ${bin}\n`);
    nothingSent();
  });

  it("a usage error exits 2 with the usage; a missing program exits 1", async () => {
    const usage = await runner(["deploy", "--program", "program.js"]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /say one of preview, up, refresh, destroy, cancel/);
    const missing = await runner(["up", "--program", "nope.js"]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no program at .*nope\.js: pass a compiled program/);
    nothingSent();
  });
});

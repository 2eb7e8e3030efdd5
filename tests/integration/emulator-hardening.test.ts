import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { request } from "undici";
import { acs3Authorization, sha256Hex } from "../../protocol/sign-acs3";
import { signRpcV1 } from "../../protocol/sign-rpc-v1";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { officialClient } from "../support/official-sdk";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";

const CLI = resolve(__dirname, "..", "..", "..", "dist", "emulator", "cli.js");

async function control(
  emu: RunningEmulator,
  method: "GET" | "POST",
  path: string,
  opts: { body?: string; headers?: Record<string, string> } = {},
) {
  const res = await request(`${emu.endpoint}/_emulator/${path}`, {
    method,
    headers: { "content-type": "application/json", ...opts.headers },
    body: opts.body ?? null,
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

/** One ACS3 request with a chosen `x-acs-date`. */
async function acs3(emu: RunningEmulator, date: string) {
  const headers: Record<string, string> = {
    host: new URL(emu.endpoint).host,
    "x-acs-action": "DescribePackageState",
    "x-acs-version": "2020-04-07",
    "x-acs-date": date,
    "x-acs-signature-nonce": `n-${Math.random()}`,
    "x-acs-content-sha256": sha256Hex(""),
  };
  headers.authorization = acs3Authorization(
    { method: "POST", query: {}, headers, signedHeaders: Object.keys(headers), payloadHash: sha256Hex("") },
    emu.accessKeyId,
    emu.accessKeySecret,
  );
  const res = await request(`${emu.endpoint}/`, { method: "POST", headers });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe("emulator: hardening of the control API, state files and data directories", function () {
  this.timeout(60_000);
  let emu: RunningEmulator | undefined;
  let proc: EmulatorProcess | undefined;
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "cas-emu-"));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    await emu?.close();
    await proc?.stop();
    emu = proc = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("refuses cross-site requests: text/plain POSTs, foreign Origins and foreign Host names", async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    await api.call("CreateCertificateRequest", {
      Domain: "keep.example.com",
      ValidateType: "DNS",
      Username: "u",
      Phone: "1",
      Email: "a@example.com",
    });
    const plain = await control(emu, "POST", "reset", { headers: { "content-type": "text/plain" } });
    assert.equal(plain.status, 403);
    assert.match(String(plain.body.error), /content-type: application\/json/);
    const origin = await control(emu, "POST", "reset", { headers: { origin: "https://evil.example" } });
    assert.equal(origin.status, 403);
    assert.match(String(origin.body.error), /cross-origin/);
    const rebound = await control(emu, "GET", "orders", { headers: { host: "evil.example:8080" } });
    assert.equal(rebound.status, 403, "a DNS-rebinding name cannot read orders (and their keys)");
    assert.equal((await emu.control.orders()).length, 1, "nothing was reset");

    const local = await control(emu, "GET", "orders", {
      headers: { host: `localhost:${new URL(emu.endpoint).port}`, origin: emu.endpoint },
    });
    assert.equal(local.status, 200);
  });

  it("accepts configured host names, and requires the token when one is set (option, CLI flag, env)", async () => {
    emu = await startEmulator({ allowedHosts: ["cas-emulator.internal"], controlToken: "s3cret" });
    const host = { host: `cas-emulator.internal:${new URL(emu.endpoint).port}` };
    assert.equal((await control(emu, "GET", "info", { headers: host })).status, 403);
    assert.equal(
      (await control(emu, "GET", "info", { headers: { ...host, authorization: "Bearer wrong!" } })).status,
      403,
    );
    assert.equal(
      (await control(emu, "GET", "info", { headers: { ...host, authorization: "Bearer s3cret" } })).status,
      200,
    );
    await emu.close();
    emu = undefined;

    for (const [args, env] of [
      [["--control-token", "flag-token"], process.env],
      [[], { ...process.env, CAS_EMULATOR_CONTROL_TOKEN: "flag-token" }],
    ] as const) {
      const bare = await startEmulatorProcess([...args], { env });
      await assert.rejects(bare.control("GET", "info"), /needs Authorization: Bearer/);
      await bare.stop();
      proc = await startEmulatorProcess([...args], { env, controlToken: "flag-token" });
      assert.ok(((await proc.control("GET", "info")) as { accessKeyId?: string }).accessKeyId);
      await proc.stop();
      proc = undefined;
    }
  });

  it("keys from the control API cannot reach prototypes", async () => {
    emu = await startEmulator();
    for (const body of [
      { accessKeyId: "__proto__", productCode: "digicert-free-1-free", total: 5 },
      { productCode: "__proto__", total: 5 },
      { productCode: "constructor", total: 5 },
    ]) {
      const r = await control(emu, "POST", "plans", { body: JSON.stringify(body) });
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    assert.equal(({} as Record<string, unknown>)["digicert-free-1-free"], undefined);
    assert.equal(({} as Record<string, unknown>).total, undefined);
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    assert.equal((await api.call("DescribePackageState", {})).TotalCount, 100);
    const ok = await control(emu, "POST", "plans", {
      body: JSON.stringify({ productCode: "geotrust-dv-1-starter", total: 3 }),
    });
    assert.deepEqual(ok.body, { total: 3, used: 0, issued: 0 });
  });

  it("an x-acs-date or Timestamp that names no instant is refused, not waved past the skew check", async () => {
    emu = await startEmulator();
    assert.equal((await acs3(emu, new Date().toISOString().replace(/\.\d+Z$/, "Z"))).status, 200);
    const bad = await acs3(emu, "2026-13-45T99:99:99Z");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.Code, "InvalidTimeStamp.Format");

    const params: Record<string, string> = {
      Action: "DescribePackageState",
      Version: "2020-04-07",
      Format: "JSON",
      AccessKeyId: emu.accessKeyId,
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: `n-${Math.random()}`,
      Timestamp: "2026-02-31T25:61:00Z",
    };
    params.Signature = signRpcV1("GET", params, emu.accessKeySecret);
    const res = await request(`${emu.endpoint}/?${new URLSearchParams(params)}`);
    const body = (await res.body.json()) as Record<string, unknown>;
    assert.equal(res.statusCode, 400);
    assert.equal(body.Code, "InvalidTimeStamp.Format");
  });

  it("state files of the wrong shape are refused naming the file, and left as they are", async () => {
    for (const content of ["null", '{"version":1}', "[]", "{not json"]) {
      const dir = tempDir();
      const file = join(dir, "state.json");
      writeFileSync(file, content);
      await assert.rejects(startEmulator({ dataDir: dir }), (e: Error) => {
        assert.ok(e.message.includes(file), e.message);
        return true;
      });
      assert.equal(readFileSync(file, "utf8"), content, "not overwritten");
      assert.ok(!existsSync(join(dir, "emulator.lock")), "the lock is given back after a failed start");
    }
    const dir = tempDir();
    writeFileSync(join(dir, "state.json"), JSON.stringify({ version: 1, nextOrderId: "1", nextCertId: 1 }));
    await assert.rejects(startEmulator({ dataDir: dir }), /accounts/);
  });

  it("one running emulator per data directory; a stale lock is taken over and leftover temp files removed", async () => {
    const dir = tempDir();
    emu = await startEmulator({ dataDir: dir });
    await assert.rejects(startEmulator({ dataDir: dir }), new RegExp(`in use by process ${process.pid}`));
    await emu.close();
    emu = undefined;

    // A lock left by a process that is gone (kill -9), and a temp file from an interrupted write.
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((ok) => dead.once("exit", ok));
    writeFileSync(join(dir, "emulator.lock"), JSON.stringify({ pid: dead.pid, host: hostname() }));
    writeFileSync(join(dir, "state.json.424242.tmp"), "{torn");
    emu = await startEmulator({ dataDir: dir });
    assert.ok(!existsSync(join(dir, "state.json.424242.tmp")));
    assert.equal(JSON.parse(readFileSync(join(dir, "emulator.lock"), "utf8")).pid, process.pid);
    await emu.close();
    emu = undefined;
    assert.ok(!existsSync(join(dir, "emulator.lock")), "close gives the directory back");
  });

  it("a restart on saved state gives out new ids: an instance added then never replaces one added before", async () => {
    for (const seed of [undefined, 7]) {
      const dir = tempDir();
      emu = await startEmulator({ dataDir: dir, testInstances: 0, ...(seed === undefined ? {} : { seed }) });
      const first = emu.control.addInstance({ instanceType: "BUY", brand: "GeoTrust" });
      await emu.close();
      emu = await startEmulator({ dataDir: dir, testInstances: 0, ...(seed === undefined ? {} : { seed }) });
      const second = emu.control.addInstance({ instanceType: "BUY", brand: "DigiCert" });
      const all = await emu.control.instances();
      await emu.close();
      emu = undefined;
      assert.notEqual(second.instanceId, first.instanceId, `seed ${seed}`);
      assert.deepEqual(
        all.map((i) => `${i.instanceId}:${i.brand}`).sort(),
        [`${first.instanceId}:GeoTrust`, `${second.instanceId}:DigiCert`].sort(),
        `seed ${seed}`,
      );
    }
  });

  it("--detach prints the export lines and returns, so out=$(…) and eval work; kill stops it", async () => {
    const { stdout } = await promisify(execFile)(
      "sh",
      ["-c", `out=$("${process.execPath}" "${CLI}" --detach --validation manual) && printf '%s\\n' "$out"`],
      { timeout: 30_000 },
    );
    const env = Object.fromEntries(
      stdout
        .trim()
        .split("\n")
        .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l)!)
        .map((m) => [m[1]!, m[2]!.replace(/^'|'$/g, "")]),
    );
    const pid = Number(env.CAS_EMULATOR_PID);
    assert.ok(pid > 0, stdout);
    try {
      const api = officialClient(
        env.ALIBABA_CLOUD_ENDPOINT_CAS!,
        env.ALIBABA_CLOUD_ACCESS_KEY_ID!,
        env.ALIBABA_CLOUD_ACCESS_KEY_SECRET!,
      );
      assert.equal((await api.call("DescribePackageState", {})).TotalCount, 100);
    } finally {
      process.kill(pid, "SIGTERM");
    }
    await new Promise<void>((ok) => {
      const poll = setInterval(() => {
        try {
          process.kill(pid, 0);
        } catch {
          clearInterval(poll);
          ok();
        }
      }, 50);
    });
  });

  it("--detach reports a background emulator that cannot start", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "state.json"), "null");
    await assert.rejects(
      promisify(execFile)(process.execPath, [CLI, "--detach", "--data-dir", dir], { timeout: 30_000 }),
      (e: { stderr?: string; code?: number }) => {
        assert.equal(e.code, 2);
        assert.match(String(e.stderr), /before it was ready.*state\.json/s);
        return true;
      },
    );
  });
});

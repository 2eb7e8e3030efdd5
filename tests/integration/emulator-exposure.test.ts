import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";

const CLI = resolve(__dirname, "..", "..", "..", "dist", "emulator", "cli.js");

/** A control GET sent to the emulator's port on 127.0.0.1 with the given Host header: status code. */
function controlStatus(endpoint: string, host: string, token?: string): Promise<number> {
  const { port } = new URL(endpoint);
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/_emulator/orders",
        headers: { host, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        res.resume();
        ok(res.statusCode!);
      },
    );
    req.on("error", fail);
    req.end();
  });
}

describe("the emulator as a process: its secrets stay with its owner", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  let emu: EmulatorProcess | undefined;
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("writes state.json 0600 in a 0700 data directory, also when the directory existed as 0755", async () => {
    const root = mkdtempSync(join(tmpdir(), "cas-emu-perm-"));
    dirs.push(root);
    for (const dir of [join(root, "new", "data"), join(root, "old")]) {
      if (dir.endsWith("old")) {
        mkdirSync(dir);
        chmodSync(dir, 0o755);
      }
      emu = await startEmulatorProcess(["--data-dir", dir]);
      await emu.control("POST", "reset", {}); // a save after start
      assert.equal((statSync(dir).mode & 0o777).toString(8), "700", dir);
      assert.equal((statSync(join(dir, "state.json")).mode & 0o777).toString(8), "600", dir);
      await emu.stop();
      emu = undefined;
    }
  });

  it("refuses to bind a non-loopback address without a control token, naming the flag", async () => {
    await assert.rejects(
      promisify(execFile)(process.execPath, [CLI, "--host", "0.0.0.0", "--port", "0"], { timeout: 20_000 }),
      (e: { stderr?: string; code?: number }) => {
        assert.equal(e.code, 2);
        assert.match(
          String(e.stderr),
          /binds 0\.0\.0\.0.*set --control-token <T> \(or CAS_EMULATOR_CONTROL_TOKEN\), or bind 127\.0\.0\.1/,
        );
        return true;
      },
    );
  });

  it("on 0.0.0.0 with a token, a control request claiming Host: localhost still needs the token", async () => {
    const token = "exposure-test-token-0123456789";
    emu = await startEmulatorProcess(["--host", "0.0.0.0", "--control-token", token], {
      controlToken: token,
    });
    assert.equal(await controlStatus(emu.endpoint, "localhost"), 403);
    assert.equal(await controlStatus(emu.endpoint, "localhost", token), 200);
  });
});

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const ROOT = resolve(__dirname, "..", "..", "..");
const run = promisify(execFile);

describe("npm run demo, again, then -- --destroy", function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "cas-demo-e2e-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("says in words that a rerun changed nothing, then ends saying the stack is removed with its state, and removes it", async () => {
    const demo = join(ROOT, "dist", "scripts", "demo.js");
    const env = { ...process.env, CAS_DEMO_DIR: join(dir, "demo") };
    await run(process.execPath, [demo], { env, maxBuffer: 16 << 20 });
    // A second run finds the certificate issued and says what the engine did, in words.
    const again = await run(process.execPath, [demo], { env, maxBuffer: 16 << 20 });
    assert.match(again.stdout, /^Done\. \d+ unchanged — run npm run demo -- --destroy to clean up\.$/m);
    const { stdout } = await run(process.execPath, [demo, "--destroy"], { env, maxBuffer: 16 << 20 });
    const last = stdout.trimEnd().split("\n").at(-1) ?? "";
    // The engine's own "run `pulumi stack rm demo`" hint comes just before: the last line answers it.
    assert.match(
      last,
      /^Done\. The demo stack is removed with its state \(no `pulumi stack rm` needed: the hint above is the engine's\), and .* is deleted\. Run npm run demo to start over\.$/,
    );
    assert.equal(existsSync(join(dir, "demo")), false);
  });

  it("gets past the stack lock an interrupted run left, and keeps the files it did not write", async () => {
    const demo = join(ROOT, "dist", "scripts", "demo.js");
    const folder = join(dir, "shared");
    const env = { ...process.env, CAS_DEMO_DIR: folder };
    // A folder of the user's, and the lock a killed `pulumi up` leaves (its process has ended).
    const locks = join(folder, "state", ".pulumi", "locks", "organization", "cas-quickstart", "demo");
    mkdirSync(locks, { recursive: true });
    writeFileSync(join(folder, "notes.txt"), "mine\n");
    const ended = Number(execFileSync("sh", ["-c", "echo $$"]).toString());
    writeFileSync(
      join(locks, "0324ed53-f98c-4dfb-ade6-7eaa2d08d3d1.json"),
      JSON.stringify({
        pid: ended,
        username: "u",
        hostname: hostname(),
        timestamp: new Date().toISOString(),
      }),
    );
    const { stdout } = await run(process.execPath, [demo], { env, maxBuffer: 16 << 20 });
    assert.match(
      stdout,
      new RegExp(`removed the stack lock of an interrupted run \\(pulumi process ${ended} has ended\\)`),
    );
    assert.match(stdout, /status +issued \(from CertificateOrderValidation\)/);
    const destroyed = await run(process.execPath, [demo, "--destroy"], { env, maxBuffer: 16 << 20 });
    assert.match(destroyed.stdout, /is kept: it holds files the demo did not write/);
    assert.deepEqual(readdirSync(folder), ["notes.txt"]);
  });
});

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const ROOT = resolve(__dirname, "..", "..", "..");
const run = promisify(execFile);

describe("npm run demo -- --destroy", function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "cas-demo-e2e-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("ends saying the stack is removed with its state, and removes it", async () => {
    const demo = join(ROOT, "dist", "scripts", "demo.js");
    const env = { ...process.env, CAS_DEMO_DIR: join(dir, "demo") };
    await run(process.execPath, [demo], { env, maxBuffer: 16 << 20 });
    const { stdout } = await run(process.execPath, [demo, "--destroy"], { env, maxBuffer: 16 << 20 });
    const last = stdout.trimEnd().split("\n").at(-1) ?? "";
    // The engine's own "run `pulumi stack rm demo`" hint comes just before: the last line answers it.
    assert.match(
      last,
      /^Done\. The demo stack is removed with its state \(no `pulumi stack rm` needed: the hint above is the engine's\), and .* is deleted\. Run npm run demo to start over\.$/,
    );
    assert.equal(existsSync(join(dir, "demo")), false);
  });
});

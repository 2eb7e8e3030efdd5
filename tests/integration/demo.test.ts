import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");

describe("npm run demo without a Pulumi engine", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "cas-demo-"));
    // A PATH with only what the demo needs: no pulumi, no go.
    mkdirSync(join(dir, "bin"));
    symlinkSync(process.execPath, join(dir, "bin", "node"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("says where it looked and what to do on a line of its own, and exits 1", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "dist", "scripts", "demo.js")], {
      env: {
        PATH: join(dir, "bin"),
        HOME: dir,
        PULUMI_CAS_CACHE: join(dir, "cache"),
        CAS_DEMO_DIR: join(dir, "demo"),
      },
      encoding: "utf8",
    });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /▸ 2\. Finding the Pulumi engine[^\n]*\n$/);
    assert.equal(
      r.stderr,
      `\ndemo failed: no Pulumi CLI found (looked at $PULUMI_CAS_ENGINE_BIN, PATH and ${dir}/cache/pulumi-v3.274.1/bin) ` +
        "and no Go toolchain on PATH to build one: install the Pulumi CLI (https://www.pulumi.com/docs/install/) and put it on PATH, " +
        `or install Go >= 1.25 (then pulumi v3.274.1 is built once from the Go module proxy into ${dir}/cache), ` +
        "and run `npm run demo` again\n",
    );
  });
});

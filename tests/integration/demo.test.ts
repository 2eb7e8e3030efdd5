import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");

describe("npm run demo without a Pulumi engine", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "cas-demo-"));
    // A PATH with only what the demo and scripts/pulumi-cli.sh need: no pulumi, no go.
    mkdirSync(join(dir, "bin"));
    symlinkSync(process.execPath, join(dir, "bin", "node"));
    for (const tool of ["bash", "dirname"])
      symlinkSync(
        execFileSync("bash", ["-c", `command -v ${tool}`])
          .toString()
          .trim(),
        join(dir, "bin", tool),
      );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints why (pulumi-cli.sh) and what to do, each on its own line, and exits 1", () => {
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
    assert.match(
      r.stderr,
      /^\[pulumi-cli\] no pulumi on PATH and no Go toolchain to build one: install the Pulumi CLI[^\n]*\n\ndemo failed: no Pulumi engine \(see the \[pulumi-cli\] line above\)\. Install the Pulumi CLI \(https:\/\/www\.pulumi\.com\/docs\/install\/\) or Go >= 1\.25 to build one, then run `npm run demo` again\.\n$/,
    );
  });
});

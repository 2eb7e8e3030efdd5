import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readApi, renderApi } from "../support/api-report";

// Compiled to dist/tests/unit; the report lives in the source tree, the declarations in dist/.
const ROOT = join(__dirname, "..", "..", "..");
const REPORT = join(ROOT, "docs", "api-report.md");

describe("the public API report", () => {
  const entries = readApi(ROOT);

  it("covers every entry point of package.json, each exporting something", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: object };
    const typed = Object.entries(pkg.exports).filter(([, t]) => typeof t === "object").length;
    assert.equal(entries.length, typed);
    for (const entry of entries) assert.ok(entry.names.size > 0, `${entry.specifier} exports nothing`);
  });

  it("has no `export *` on the way to an entry point (every public name is chosen)", () => {
    assert.deepEqual(
      entries.flatMap((e) => e.starExports),
      [],
      "name the exports one by one, so nothing internal becomes public by accident",
    );
  });

  it("every exported name resolves to a declaration", () => {
    const empty = entries.flatMap((e) =>
      [...e.names].filter(([, d]) => d.length === 0).map(([n]) => `${e.specifier}: ${n}`),
    );
    assert.deepEqual(empty, []);
  });

  it("matches docs/api-report.md (UPDATE_GOLDEN=1 rewrites it after an intended change)", () => {
    const now = renderApi(entries);
    if (process.env.UPDATE_GOLDEN) writeFileSync(REPORT, now);
    assert.ok(existsSync(REPORT), `${REPORT} is missing: run this test once with UPDATE_GOLDEN=1`);
    assert.equal(
      now,
      readFileSync(REPORT, "utf8"),
      "the public API changed: review docs/api-report.md's diff (UPDATE_GOLDEN=1 rewrites it) and say so in CHANGELOG",
    );
  });
});

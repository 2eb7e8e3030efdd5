import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");

/** Every .ts file under `dir` (recursively). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("zod imports in what the provider host bundle holds", () => {
  // `import { z } from "zod"` makes the bundler keep all of zod (its locales, JSON-schema code and
  // the rest: the bundle grew from 0.45 to 1 MB, and the provider's cold start with it); a namespace
  // import keeps only the parts the schemas use (scripts/bundle-provider.cjs, docs/cold-start.md).
  it("provider/, protocol/ and runtime/ import zod as a namespace (import * as z)", () => {
    const named = ["provider", "protocol", "runtime"]
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => /import\s*\{[^}]*\}\s*from\s*"zod(\/[^"]*)?"/.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    assert.deepEqual(named, []);
  });
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
// @pulumi/pulumi's own YAML parser (a dependency of it): enough to read a workflow file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load(text: string): unknown };

const ROOT = resolve(__dirname, "..", "..", "..");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
const wf = yaml.load(readFileSync(join(ROOT, ".github", "workflows", "release.yml"), "utf8")) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
const indexOf = (re: RegExp) => steps.findIndex((s) => re.test(s.run ?? ""));

describe(".github/workflows/release.yml", () => {
  it("runs on version tags only, with an OIDC token for provenance", () => {
    assert.deepEqual(wf.on, { push: { tags: ["v*"] } });
    assert.equal(wf.permissions["id-token"], "write");
  });

  it("checks the tag, runs CI (npm ci, lint, npm test), then publishes with provenance, in that order", () => {
    assert.match(
      readFileSync(join(ROOT, ".ci", "run"), "utf8"),
      /^step npm ci\b.*\n(.*\n)*step .*npm test$/m,
    );
    const check = indexOf(/GITHUB_REF_NAME/);
    const ci = indexOf(/^\.ci\/run$/);
    const publish = indexOf(/^npm publish --provenance\b/);
    assert.ok(check >= 0 && ci > check && publish > ci, JSON.stringify({ check, ci, publish }));
    assert.equal(publish, steps.length - 1, "nothing runs after publishing");
    assert.equal(steps.filter((s) => /npm publish/.test(s.run ?? "")).length, 1);
  });

  describe("the tag check", () => {
    const script = steps[indexOf(/GITHUB_REF_NAME/)]!.run!;
    /** Runs the step's script in a folder holding only package.json (version) and CHANGELOG.md. */
    const check = (tag: string, version: string, changelog: string) => {
      const dir = mkdtempSync(join(tmpdir(), "cas-release-"));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", version }));
      writeFileSync(join(dir, "CHANGELOG.md"), changelog);
      const r = spawnSync("bash", ["-e", "-c", script], {
        cwd: dir,
        env: {
          ...process.env,
          GITHUB_REF_NAME: tag,
          PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
        },
        encoding: "utf8",
      });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const dated = "# Changelog\n\n## [1.10.0] - 2026-12-01\n\n### Fixed\n\n- x\n\n## [1.9.0] - 2026-11-01\n";

    it("passes when the tag is package.json's version and its changelog section is dated", () => {
      assert.deepEqual(check("v1.10.0", "1.10.0", dated), { status: 0, out: "" });
    });

    it("fails on a tag that is not package.json's version", () => {
      const r = check("v1.10.1", "1.10.0", dated);
      assert.equal(r.status, 1);
      assert.match(r.out, /tag v1\.10\.1, but package\.json's version is 1\.10\.0/);
    });

    it("fails while the version's section still says Unreleased, or is missing", () => {
      for (const changelog of [
        dated.replace("2026-12-01", "Unreleased"),
        dated.replace("1.10.0", "1.1000"),
      ]) {
        const r = check("v1.10.0", "1.10.0", changelog);
        assert.equal(r.status, 1, changelog);
        assert.match(r.out, /CHANGELOG\.md has no dated section '## \[1\.10\.0\] - YYYY-MM-DD'/);
      }
    });
  });

  it("CHANGELOG.md has a section for package.json's version", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const heading = new RegExp(
      `^## \\[${version.replace(/\./g, "\\.")}\\] - (Unreleased|\\d{4}-\\d{2}-\\d{2})$`,
      "m",
    );
    assert.match(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8"), heading);
  });
});

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
const DOCS = join(ROOT, "docs");
const pages = readdirSync(DOCS).filter((f) => f.endsWith(".md"));
const read = (file: string) => readFileSync(file, "utf8");
const manual = [join(ROOT, "README.md"), ...pages.map((p) => join(DOCS, p))];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_[\]()]/g, "")
    .replace(/[^\w\- ]/gu, "")
    .replace(/ /g, "-");
}

/** The headings of a Markdown file outside code blocks, as anchors. */
function anchors(file: string): Set<string> {
  let fence = false;
  const out = new Set<string>();
  for (const line of read(file).split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    const m = /^#{1,6} (.*)/.exec(line);
    if (m && !fence) out.add(slug(m[1]!));
  }
  return out;
}

/** The lines of the fenced `sh` blocks of a Markdown file. */
function shellLines(file: string): string[] {
  const out: string[] = [];
  let inSh = false;
  for (const line of read(file).split("\n")) {
    if (line.startsWith("```")) inSh = !inSh && /^```(sh|bash)\s*$/.test(line);
    else if (inSh) out.push(line.replace(/\s+#.*$/, "").trim());
  }
  return out.filter(Boolean);
}

describe("the manual: README and docs/", () => {
  it("the README stays short (under 15 KB) and links every docs page", () => {
    const readme = read(join(ROOT, "README.md"));
    assert.ok(
      statSync(join(ROOT, "README.md")).size < 15_000,
      `${statSync(join(ROOT, "README.md")).size} bytes`,
    );
    assert.ok(pages.length >= 15, pages.join());
    for (const p of pages) assert.ok(readme.includes(`](docs/${p}`), `README links docs/${p}`);
    // The two commands the README promises.
    assert.match(readme, /npm ci && npm run demo/);
    assert.match(readme, /npm ci && npm test/);
  });

  it("every relative link and anchor in the README and docs leads somewhere", () => {
    const broken: string[] = [];
    let links = 0;
    for (const file of manual) {
      const text = read(file).replace(/```[\s\S]*?```/g, "");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        links++;
        const [path, anchor] = target!.split("#");
        const to = path ? resolve(dirname(file), path) : file;
        if (!existsSync(to)) broken.push(`${file}: ${target} (no such file)`);
        else if (anchor && to.endsWith(".md") && !anchors(to).has(anchor))
          broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(links > 50, `${links} links checked`);
  });

  it("every command the docs show exists: npm scripts, and the flags of the package's bins", () => {
    const scripts = (JSON.parse(read(join(ROOT, "package.json"))) as { scripts: Record<string, string> })
      .scripts;
    const help = {
      "cas-emulator": execFileSync(process.execPath, [
        join(ROOT, "dist", "emulator", "cli.js"),
        "--help",
      ]).toString(),
      "cas-offline": execFileSync(process.execPath, [
        join(ROOT, "dist", "offline", "runner.js"),
        "--help",
      ]).toString(),
    };
    const problems: string[] = [];
    let checked = 0;
    for (const file of manual)
      for (const line of shellLines(file)) {
        for (const [, script] of line.matchAll(/npm run ([\w:-]+)/g)) {
          checked++;
          if (!(script! in scripts)) problems.push(`${file}: npm run ${script} is no script`);
        }
        for (const [bin, text] of Object.entries(help)) {
          const at = line.indexOf(`npx ${bin}`);
          if (at < 0) continue;
          checked++;
          for (const [flag] of line.slice(at).matchAll(/--[a-z][\w-]*/g))
            if (!text.includes(flag)) problems.push(`${file}: ${bin} has no ${flag}`);
        }
      }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 5, `${checked} commands checked`);
  });
});

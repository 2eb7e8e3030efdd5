import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { packPackage } from "../support/example-copy";

const ROOT = resolve(__dirname, "..", "..", "..");
const DOCS = join(ROOT, "docs");
const run = promisify(execFile);

/**
 * The convention the docs follow, which this test enforces: every command line of a `sh`/`bash`
 * block in docs/ runs here, offline, except
 * - a line whose comment says `not run by tests: <why>`, and
 * - a whole block whose first line is the comment `# not run by tests: <why>`.
 * A line whose comment starts with `in a clone` runs in a clone of this repository; every other
 * line runs in "your project". Blocks run in order, getting-started first (it installs the package).
 */
const NOT_RUN = /not run by tests: (\S.*?)\)?$/;

interface Block {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lines: string[];
}

/** Fenced blocks paired properly (a ```text block's closing fence is not an opening one). */
function shellBlocks(page: string): Block[] {
  const out: Block[] = [];
  let open: { lang: string; line: number; lines: string[] } | undefined;
  readFileSync(join(DOCS, page), "utf8")
    .split("\n")
    .forEach((text, i) => {
      const fence = /^\s*```(\w*)\s*$/.exec(text);
      if (fence && !open) open = { lang: fence[1]!, line: i + 1, lines: [] };
      else if (fence && open) {
        if (open.lang === "sh" || open.lang === "bash")
          out.push({ page, line: open.line, lines: open.lines });
        open = undefined;
      } else open?.lines.push(text.replace(/^ {3}/, ""));
    });
  return out;
}

interface Plan {
  script: string[];
  ran: string[];
  skipped: Array<{ command: string; why: string }>;
}

/** The bash lines that run a block, and what it leaves out (with the reason the doc gives). */
function plan(block: Block): Plan {
  const p: Plan = { script: [], ran: [], skipped: [] };
  const lines = block.lines.map((l) => l.trim()).filter(Boolean);
  const whole = lines[0]?.startsWith("#") ? NOT_RUN.exec(lines[0]) : null;
  if (whole) {
    for (const l of lines.slice(1)) if (!l.startsWith("#")) p.skipped.push({ command: l, why: whole[1]! });
    return p;
  }
  for (const l of lines) {
    if (l.startsWith("#")) continue;
    const m = /^(.*?)\s+#\s+(.*)$/.exec(l);
    const command = (m ? m[1]! : l).trim();
    const comment = m?.[2] ?? "";
    const skip = NOT_RUN.exec(comment);
    if (skip) {
      p.skipped.push({ command, why: skip[1]! });
      continue;
    }
    p.ran.push(command);
    p.script.push(comment.startsWith("in a clone") ? `( cd "$DOCS_CLONE" && ${command} )` : command);
  }
  return p;
}

describe("the docs' commands, run as written", function () {
  this.timeout(900_000);
  let world: string;
  let project: string;
  let clone: string;
  let env: NodeJS.ProcessEnv;
  const pages = [
    "getting-started.md",
    ...readdirSync(DOCS)
      .filter((p) => p.endsWith(".md") && p !== "getting-started.md")
      .sort(),
  ];

  before(async () => {
    world = mkdtempSync(join(tmpdir(), "cas-docs-"));
    // "A clone": this repository's built package, beside the tarball `npm pack` makes in it.
    clone = join(world, "pulumi-alicloud-cas");
    mkdirSync(clone);
    for (const f of ["package.json", "node_modules", "dist"]) symlinkSync(join(ROOT, f), join(clone, f));
    // The Python example and SDK copied, not linked: pip builds the SDK in its folder.
    for (const f of ["examples/python", "plugin-sdk/python"])
      cpSync(join(ROOT, f), join(clone, f), {
        recursive: true,
        filter: (src) => !/(^|[\\/])(venv|build|__pycache__|[^\\/]*\.egg-info)$/.test(src),
      });
    const { tarball } = packPackage();
    copyFileSync(tarball, join(clone, basename(tarball)));
    // "Your project": a Pulumi project on a local backend, with its compiled program in dist/.
    project = join(world, "my-project");
    mkdirSync(join(project, "dist"), { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-project", private: true }));
    writeFileSync(join(project, "Pulumi.yaml"), "name: my-project\nruntime: nodejs\n");
    writeFileSync(
      join(project, "dist", "index.js"),
      `const { CertificateOrder } = require("pulumi-alicloud-cas");
module.exports = async () => {
  const o = new CertificateOrder("www", { domain: "www.example.com", username: "Keller", phone: "13800001111", email: "ops@example.com" });
  return { orderId: o.orderId };
};
`,
    );
    mkdirSync(join(world, "state"));
    const base = { ...process.env };
    // Nothing here may reach a real account: no credentials, endpoints or CLI profile.
    for (const k of Object.keys(base))
      if (k.startsWith("ALIBABA_CLOUD_") || k.startsWith("ALICLOUD_") || k.startsWith("npm_")) delete base[k];
    env = {
      ...base,
      HOME: join(world, "home"),
      PATH: [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
      DOCS_CLONE: clone,
      PULUMI_BACKEND_URL: `file://${join(world, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "docs",
      PULUMI_HOME: join(world, "pulumi-home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      // Quicker and quieter installs from npm's cache; the commands themselves are as written.
      npm_config_cache: process.env.npm_config_cache || join(homedir(), ".npm"),
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
      // pip's cache, as npm's: the packages are the ones the docs name.
      PIP_CACHE_DIR: process.env.PIP_CACHE_DIR || join(homedir(), ".cache", "pip"),
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
    };
    mkdirSync(env.HOME!);
    await run("pulumi", ["stack", "init", "dev"], { cwd: project, env });
  });
  after(() => rmSync(world, { recursive: true, force: true }));

  it("every shell command in docs/ runs, or says why it is not run", async () => {
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const page of pages)
      for (const block of shellBlocks(page)) {
        const p = plan(block);
        for (const s of p.skipped) skipped.push(`${page}: ${s.command} (${s.why})`);
        // The issue's unsafe recipe: `eval "$(cmd)"` evaluates nothing when cmd fails, and goes on.
        for (const c of p.ran)
          assert.doesNotMatch(
            c,
            /^eval "\$\(/,
            `${page}:${block.line}: a failing command inside eval "$(…)" is ignored`,
          );
        if (!p.script.length) continue;
        const script = [
          "set -euo pipefail",
          // A detached emulator never outlives its block, even when a later line fails.
          'trap \'if [ -n "${CAS_EMULATOR_PID:-}" ]; then kill "$CAS_EMULATOR_PID" 2>/dev/null || true; fi\' EXIT',
          ...p.script,
        ].join("\n");
        try {
          await run("bash", ["-c", script], { cwd: project, env, maxBuffer: 64 << 20 });
        } catch (e) {
          const { stdout, stderr } = e as { stdout?: string; stderr?: string };
          assert.fail(
            `docs/${page}:${block.line} failed:\n${p.script.join("\n")}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
          );
        }
        ran.push(...p.ran.map((c) => `${page}: ${c}`));
      }
    // What ran and what did not, by page: the commands users copy first are among the ones run.
    for (const c of [
      "getting-started.md: cd ../my-project && npm install @pulumi/pulumi ../pulumi-alicloud-cas/pulumi-alicloud-cas-0.2.0.tgz",
      'emulator.md: out="$(npx cas-emulator --detach --data-dir ./.cas)" && eval "$out"',
      "emulator.md: npx cas-offline up --program dist/index.js",
      "emulator.md: npx cas-offline preview --example quickstart",
      'credentials.md: out="$(npx cas-emulator --detach --tls)" && eval "$out"',
      "state-and-upgrades.md: pulumi config set alicloud-cas:legacyOwnership placed",
    ])
      assert.ok(ran.includes(c), `ran: ${c}\n${ran.join("\n")}`);
    assert.ok(ran.length >= 10, ran.join("\n"));
    // Each command left out names why, and none of them is one the docs could run here.
    for (const s of skipped) assert.match(s, /\(\S.*\)$/);
    assert.ok(
      skipped.every((s) =>
        /pulumi up$|npm run |git clone|NODE_EXTRA_CA_CERTS=\/path|--port 8080/.test(
          s.replace(/ \(.*\)$/, ""),
        ),
      ),
      skipped.join("\n"),
    );
    // The state the commands left: the installed package's order in the offline stack, the config set.
    assert.match(
      readFileSync(join(project, "Pulumi.dev.yaml"), "utf8"),
      /alicloud-cas:legacyOwnership: placed/,
    );
  });
});

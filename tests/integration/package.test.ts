import assert from "node:assert/strict";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { isAtLeast, MIN_NODE_VERSION, parseNodeVersion } from "../../runtime/node-version";

const ROOT = resolve(__dirname, "..", "..", "..");

/**
 * A Node.js older than the package needs on this machine (`which -a node`, skipping
 * node_modules/.bin, where `npm ci` puts Node 22), as a user without the repository's `node`
 * package would run it.
 */
function oldNode(): { path: string; version: string } {
  const min = parseNodeVersion(MIN_NODE_VERSION)!;
  for (const dir of (process.env.PATH ?? "").split(delimiter).concat(["/usr/bin", "/usr/local/bin"])) {
    if (!dir || dir.includes("node_modules")) continue;
    try {
      const path = join(dir, "node");
      const version = execFileSync(path, ["--version"], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim();
      const parsed = parseNodeVersion(version);
      if (parsed && !isAtLeast(parsed, min)) return { path, version };
    } catch {
      // no node here
    }
  }
  // Without an old Node the check cannot run for real; say so instead of passing.
  throw new Error(
    `no Node older than ${MIN_NODE_VERSION} on PATH or in /usr/bin, /usr/local/bin to run this test with`,
  );
}

/** The guard's message for `version`, as a pattern. */
const needsNode = (version: string) =>
  new RegExp(
    `pulumi-alicloud-cas needs Node >= ${MIN_NODE_VERSION.replace(/\./g, "\\.")} \\(found ${version
      .slice(1)
      .replace(/\./g, "\\.")}\\): its dependency undici 8 requires it\\. Install Node 22\\.19 or later`,
  );

const npmCli = process.env.npm_execpath; // set when run through npm scripts

/** `npm` with the Node running this suite. */
function npm(args: string[], cwd: string): string {
  const [cmd, pre] = npmCli ? [process.execPath, [npmCli]] : ["npm", []];
  return execFileSync(cmd, [...pre, ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" },
  }).toString();
}

describe("the packed package, installed in a scratch project", function () {
  this.timeout(300_000);
  let emu: RunningEmulator;
  let scratch: string;
  let files: string[];

  before(async () => {
    emu = await startEmulator();
    const out = mkdtempSync(join(tmpdir(), "cas-pack-"));
    // dist/ is already built by `npm test`; packing must not rebuild it.
    const packed = JSON.parse(
      npm(["pack", "--ignore-scripts", "--json", "--pack-destination", out], ROOT),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed[0]!.files.map((f) => f.path);
    scratch = mkdtempSync(join(tmpdir(), "cas-scratch-"));
    writeFileSync(
      join(scratch, "package.json"),
      JSON.stringify({
        name: "scratch",
        private: true,
        dependencies: { "pulumi-alicloud-cas": `file:${join(out, packed[0]!.filename)}` },
      }),
    );
    npm(["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], scratch);
  });
  after(() => emu?.close());

  it("ships the four entry points with declarations, and no tests", () => {
    for (const f of [
      "dist/sdk/index.d.ts",
      "dist/provider/index.d.ts",
      "dist/provider/cas/index.d.ts",
      "dist/emulator/index.d.ts",
      "dist/emulator/cli.js",
      "README.md",
    ])
      assert.ok(files.includes(f), f);
    assert.ok(
      !files.some((f) => f.startsWith("dist/tests/") || f.startsWith("tests/")),
      "tests are not shipped",
    );
  });

  it('`import { CasClient } from "pulumi-alicloud-cas/client"` type-checks and runs', async () => {
    writeFileSync(
      join(scratch, "index.ts"),
      `import { CasClient, type ResponseOf } from "pulumi-alicloud-cas/client";
const client = new CasClient({ endpoint: process.argv[2], accessKeyId: process.argv[3], accessKeySecret: process.argv[4] });
client.call("DescribePackageState", { ProductCode: "digicert-free-1-free" }).then((r: ResponseOf<"DescribePackageState">) => {
  const remaining: number = r.TotalCount - r.UsedCount;
  console.log(JSON.stringify({ remaining }));
  process.exit(0);
});
`,
    );
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "node16",
          moduleResolution: "node16",
          target: "ES2022",
          typeRoots: [join(ROOT, "node_modules", "@types")],
          types: ["node"],
          skipLibCheck: false,
          lib: ["ES2022"],
        },
        files: ["index.ts"],
      }),
    );
    // A Node project has @types/node; the scratch project borrows this repository's copy.
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", scratch], {
      stdio: "pipe",
    });
    // Asynchronously: the emulator that answers it runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(scratch, "index.js"),
      emu.endpoint,
      emu.accessKeyId,
      emu.accessKeySecret,
    ]);
    assert.deepEqual(JSON.parse(stdout), { remaining: 100 });
  });

  for (const entry of [
    "pulumi-alicloud-cas",
    "pulumi-alicloud-cas/provider",
    "pulumi-alicloud-cas/client",
    "pulumi-alicloud-cas/emulator",
  ])
    it(`\`require("${entry}")\` on a Node older than ${MIN_NODE_VERSION} says which Node it needs and why`, () => {
      const old = oldNode();
      const r = spawnSync(old.path, ["-e", `require(${JSON.stringify(entry)})`], {
        cwd: scratch,
        encoding: "utf8",
      });
      assert.notEqual(r.status, 0, `${entry} loaded on ${old.version}`);
      assert.match(r.stderr, needsNode(old.version));
      // undici's own failure on Node 20 is a TypeError ("reading 'bind'"): the guard comes first.
      assert.doesNotMatch(r.stderr, /TypeError|reading 'bind'/);
    });

  it(`the cas-emulator bin on a Node older than ${MIN_NODE_VERSION} says which Node it needs instead of starting`, () => {
    const old = oldNode();
    // --help would print and exit 0 on any Node: here it must stop first.
    const r = spawnSync(old.path, [join(scratch, "node_modules", ".bin", "cas-emulator"), "--help"], {
      cwd: scratch,
      encoding: "utf8",
    });
    assert.notEqual(r.status, 0, `cas-emulator ran on ${old.version}`);
    assert.doesNotMatch(r.stdout, /cas-emulator: a local Alibaba Cloud CAS/);
    assert.match(r.stderr, needsNode(old.version));
  });

  it("installs the cas-emulator bin", () => {
    const help = execFileSync(process.execPath, [
      join(scratch, "node_modules", ".bin", "cas-emulator"),
      "--help",
    ]).toString();
    assert.match(help, /cas-emulator: a local Alibaba Cloud CAS/);
  });
});

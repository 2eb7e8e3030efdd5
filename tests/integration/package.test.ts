import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

const ROOT = resolve(__dirname, "..", "..", "..");

/**
 * A Node.js older than 22 on this machine (`which -a node`, skipping node_modules/.bin, where
 * `npm ci` puts Node 22), as a user without the repository's `node` package would run it.
 */
function oldNode(): { path: string; version: string } | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).concat(["/usr/bin", "/usr/local/bin"])) {
    if (!dir || dir.includes("node_modules")) continue;
    try {
      const path = join(dir, "node");
      const version = execFileSync(path, ["--version"], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim();
      if (Number(/^v(\d+)\./.exec(version)?.[1]) < 22) return { path, version };
    } catch {
      // no node here
    }
  }
  return undefined;
}
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
      "dist/provider/hosted.bundle.js",
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

  it("the providers the serialized stubs load (the package root's `o`) answer a check that reads the plan", async () => {
    const config = {
      "alicloud:accessKey": emu.accessKeyId,
      "alicloud:secretKey": emu.accessKeySecret,
      "alicloud:endpoints": JSON.stringify([{ cas: emu.endpoint }]),
    };
    const script = `
const { o } = require("pulumi-alicloud-cas");
const config = ${JSON.stringify(config)};
const lines = [];
o.configure({ config: { get: (k) => config[k] }, log: (l) => lines.push(l) })
  .then(() => o.check({}, { domain: "a.example.com", username: "u", phone: "13800001111", email: "a@example.com", quotaCheck: "fail" }))
  .then((r) => { console.log(JSON.stringify({ failures: r.failures, lines })); process.exit(0); });
`;
    // From the scratch project: the bundle's own dependencies resolve from an installed package.
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { cwd: scratch });
    // quotaCheck "fail" fails the check when the plan cannot be read: passing means it was read.
    assert.deepEqual(JSON.parse(stdout), { failures: [], lines: [] });
  });

  for (const entry of ["pulumi-alicloud-cas", "pulumi-alicloud-cas/provider", "pulumi-alicloud-cas/emulator"])
    it(`\`require("${entry}")\` on Node < 22 says which Node it needs`, function () {
      const old = oldNode();
      // Without an old Node the check cannot run for real; say so instead of passing.
      if (!old)
        throw new Error("no Node < 22 found on PATH or in /usr/bin, /usr/local/bin to run this test with");
      let stderr = "";
      try {
        execFileSync(old.path, ["-e", `require(${JSON.stringify(entry)})`], { cwd: scratch, stdio: "pipe" });
        assert.fail(`${entry} loaded on ${old.version}`);
      } catch (e) {
        stderr = String((e as { stderr?: Buffer }).stderr ?? "");
      }
      assert.match(
        stderr,
        new RegExp(
          `pulumi-alicloud-cas needs Node >= 22 \\(found ${old.version.slice(1).replace(/\./g, "\\.")}\\)`,
        ),
      );
      assert.doesNotMatch(stderr, /TypeError/);
    });

  it("the cas-emulator bin on Node < 22 says which Node it needs instead of starting", () => {
    const old = oldNode();
    if (!old)
      throw new Error("no Node < 22 found on PATH or in /usr/bin, /usr/local/bin to run this test with");
    let stderr = "";
    try {
      // --help would print and exit 0 on any Node: here it must stop first.
      execFileSync(old.path, [join(scratch, "node_modules", ".bin", "cas-emulator"), "--help"], {
        cwd: scratch,
        stdio: "pipe",
      });
      assert.fail(`cas-emulator ran on ${old.version}`);
    } catch (e) {
      stderr = String((e as { stderr?: Buffer }).stderr ?? "");
    }
    assert.match(
      stderr,
      new RegExp(
        `pulumi-alicloud-cas needs Node >= 22 \\(found ${old.version.slice(1).replace(/\./g, "\\.")}\\)`,
      ),
    );
  });

  it("installs the cas-emulator bin", () => {
    const help = execFileSync(process.execPath, [
      join(scratch, "node_modules", ".bin", "cas-emulator"),
      "--help",
    ]).toString();
    assert.match(help, /cas-emulator: a local Alibaba Cloud CAS/);
  });
});

import assert from "node:assert/strict";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { promisify } from "node:util";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, posix, resolve } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { isAtLeast, MIN_NODE_VERSION, parseNodeVersion } from "../../runtime/node-version";
import { npmCommand, packPackage } from "../support/example-copy";
import { goOnThisMachine } from "../support/go";

const ROOT = resolve(__dirname, "..", "..", "..");
/** A newer @pulumi/pulumi than this repository's own (3.270.0), pinned exactly, as a user's project has it. */
const PROJECT_PULUMI = "3.276.0";
/** The folders whose compiled code the package ships (package.json `files`). */
const SHIPPED = ["protocol", "runtime", "sdk", "provider", "emulator", "offline"];

interface Manifest {
  name: string;
  version: string;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  /** Private import names (`#…`), for the package's own modules only. */
  imports?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

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

/** Every installed copy of package `name` under `dir`'s node_modules tree, nested ones too: path → version. */
function installedCopies(dir: string, name: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    const own = join(modules, name, "package.json");
    if (existsSync(own))
      found[own.slice(dir.length + 1, -"/package.json".length)] = (
        JSON.parse(readFileSync(own, "utf8")) as Manifest
      ).version;
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === ".bin") continue;
      const packages = entry.name.startsWith("@")
        ? readdirSync(join(modules, entry.name)).map((p) => join(modules, entry.name, p))
        : [join(modules, entry.name)];
      for (const p of packages) walk(join(p, "node_modules"));
    }
  };
  walk(join(dir, "node_modules"));
  return found;
}

describe("the packed package", function () {
  this.timeout(300_000);
  let files: string[];
  let tarball: string;
  let manifest: Manifest;
  let emu: RunningEmulator;
  let scratch: string;
  /** What `npm install` printed (stdout and stderr) when it installed the tarball into the scratch project. */
  let installOutput: string;

  before(async () => {
    emu = await startEmulator();
    // dist/ is already built by the npm script that runs this suite; packing must not rebuild it.
    ({ tarball, files } = packPackage());
    scratch = mkdtempSync(join(tmpdir(), "cas-scratch-"));
    writeFileSync(
      join(scratch, "package.json"),
      JSON.stringify({
        name: "scratch",
        private: true,
        dependencies: { "@pulumi/pulumi": PROJECT_PULUMI, "pulumi-alicloud-cas": `file:${tarball}` },
      }),
    );
    // Scripts allowed and printed (--foreground-scripts), as a user's install runs them.
    const [cmd, pre] = npmCommand();
    const r = spawnSync(
      cmd,
      [...pre, "install", "--prefer-offline", "--foreground-scripts", "--no-audit", "--no-fund"],
      {
        cwd: scratch,
        encoding: "utf8",
        env: {
          ...process.env,
          // The project's scripts run with the Node running this suite, not Node 20 from PATH.
          PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
        },
      },
    );
    installOutput = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) throw new Error(`npm install failed:\n${installOutput}`);
    manifest = JSON.parse(
      readFileSync(join(scratch, "node_modules", "pulumi-alicloud-cas", "package.json"), "utf8"),
    ) as Manifest;
  });
  after(() => emu?.close());

  describe("npm pack", () => {
    it("holds only the shipped folders' compiled code, README.md and the docs pages it links, LICENSE, CHANGELOG.md and package.json", () => {
      const compiled = new RegExp(`^dist/(${SHIPPED.join("|")})/[\\w./-]+\\.(js|js\\.map|d\\.ts)$`);
      const top = ["README.md", "LICENSE", "CHANGELOG.md", "package.json"];
      const docs = /^docs\/[\w.-]+\.md$/;
      assert.deepEqual(
        files.filter((f) => !compiled.test(f) && !top.includes(f) && !docs.test(f)),
        [],
        "no tests, fixtures, keys, bench, scripts or sources",
      );
      for (const f of top) assert.ok(files.includes(f), f);
      // The README is the manual's front page: every page it links is in the package, so no link is dead.
      const linked = [
        ...readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/\]\((docs\/[\w.-]+\.md)[#)]/g),
      ].map((m) => m[1]!);
      assert.ok(linked.length > 5, "the README links the docs pages");
      for (const page of linked)
        assert.ok(files.includes(page), `${page} (linked from README.md) is in the package`);
      assert.match(
        readFileSync(join(scratch, "node_modules", "pulumi-alicloud-cas", "LICENSE"), "utf8"),
        /Apache License\s+Version 2\.0, January 2004/,
      );
    });

    it("ships every file package.json points at: main, types, each export and the bin", () => {
      const targets = [
        manifest.main,
        manifest.types,
        ...Object.values(manifest.bin),
        ...Object.entries(manifest.exports)
          .filter(([k]) => k !== "./package.json")
          .flatMap(([, v]) => (typeof v === "string" ? [v] : Object.values(v))),
      ].map((p) => posix.normalize(p));
      assert.ok(targets.includes("dist/provider/cas/index.js"), "the client's entry point is among them");
      for (const t of targets) assert.ok(files.includes(t), t);
    });

    it("every module is compiled from a source in this repository (no output of a removed file)", () => {
      const stale = files
        .filter((f) => f.endsWith(".js"))
        // The provider host's bundle is built from provider/hosted.ts (scripts/bundle-provider.cjs).
        .map((f) => f.slice("dist/".length, -".js".length).replace(/\.bundle$/, "") + ".ts")
        .filter((src) => !existsSync(join(ROOT, src)));
      assert.deepEqual(stale, []);
    });

    it("each module's source map is shipped beside it and carries its source inline, as it is now", () => {
      const modules = files.filter((f) => f.endsWith(".js"));
      assert.ok(modules.length > 50, `${modules.length} modules`);
      for (const f of modules) {
        const js = readFileSync(join(scratch, "node_modules", "pulumi-alicloud-cas", f), "utf8");
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(js)?.[1];
        if (!url) continue;
        const mapPath = posix.join(posix.dirname(f), url);
        assert.ok(files.includes(mapPath), `${f} points at ${mapPath}, which is not in the package`);
        const map = JSON.parse(
          readFileSync(join(scratch, "node_modules", "pulumi-alicloud-cas", mapPath), "utf8"),
        ) as {
          sources: string[];
          sourcesContent?: Array<string | null>;
        };
        const source = join(ROOT, f.slice("dist/".length, -".js".length) + ".ts");
        assert.deepEqual(
          map.sourcesContent,
          [readFileSync(source, "utf8")],
          `${mapPath}: sources ${map.sources}`,
        );
      }
    });

    it("its modules load only each other, Node's built-ins, their dependencies and peers, and the package by name", () => {
      const allowed = new Set([
        manifest.name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ]);
      const problems: string[] = [];
      for (const f of files.filter((f) => f.endsWith(".js"))) {
        const js = readFileSync(join(scratch, "node_modules", "pulumi-alicloud-cas", f), "utf8");
        for (const [, spec] of js.matchAll(/\brequire\("([^"]+)"\)/g)) {
          if (spec!.startsWith(".")) {
            const target = posix.join(posix.dirname(f), spec!);
            if (![`${target}`, `${target}.js`, `${target}/index.js`].some((t) => files.includes(t)))
              problems.push(`${f}: ${spec} is not in the package`);
            continue;
          }
          if (spec!.startsWith("#")) {
            const target = manifest.imports?.[spec!];
            if (target === undefined || !files.includes(posix.normalize(target)))
              problems.push(`${f}: ${spec} names no file of the package (package.json imports)`);
            continue;
          }
          if (spec!.startsWith("node:") || builtinModules.includes(spec!)) continue;
          const name = spec!
            .split("/")
            .slice(0, spec!.startsWith("@") ? 2 : 1)
            .join("/");
          if (!allowed.has(name)) problems.push(`${f}: ${spec} is not a dependency`);
        }
      }
      assert.deepEqual(problems, []);
    });
  });

  describe(`installed in a project that already depends on @pulumi/pulumi ${PROJECT_PULUMI} (exact)`, () => {
    it("@pulumi/pulumi is a peer dependency, and the project's copy is the only one", () => {
      assert.equal(manifest.dependencies?.["@pulumi/pulumi"], undefined);
      assert.match(manifest.peerDependencies?.["@pulumi/pulumi"] ?? "", /^\^3\.\d+\.\d+$/);
      assert.deepEqual(installedCopies(scratch, "@pulumi/pulumi"), {
        "node_modules/@pulumi/pulumi": PROJECT_PULUMI,
      });
    });

    it("npm runs no install script of the package and lists none", () => {
      const lifecycle = ["preinstall", "install", "postinstall", "prepare"];
      assert.deepEqual(
        Object.keys(manifest.scripts ?? {}).filter((s) => lifecycle.includes(s)),
        [],
        "no install-time script in the packed package.json",
      );
      assert.ok(!files.includes("binding.gyp"), "no binding.gyp (npm would run node-gyp)");
      // --foreground-scripts prints `> name@version script` for every script npm runs: some
      // dependency of @pulumi/pulumi has one, which shows the output is the place to look.
      assert.match(installOutput, /^> [@\w./-]+@[\w.-]+ (preinstall|install|postinstall)$/m);
      assert.doesNotMatch(installOutput, /^> pulumi-alicloud-cas@/m);
      // npm's install-script report (allowScripts) names packages with install-time scripts.
      assert.doesNotMatch(
        installOutput,
        /pulumi-alicloud-cas@\S+ \((preinstall|install|postinstall|prepare):/,
      );
    });

    it("`require(\"pulumi-alicloud-cas\")` loads on Node 22, and its resources are the project's @pulumi/pulumi's", async () => {
      writeFileSync(
        join(scratch, "program.js"),
        `const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks(
  {
    newResource: (a) => (types.push(a.type), { id: "12000001", state: { ...a.inputs, orderId: "12000001" } }),
    call: () => ({}),
  },
  "scratch",
  "dev",
  false,
);
const { CertificateOrder } = require("pulumi-alicloud-cas");
const order = new CertificateOrder("www", {
  domain: "www.example.com",
  username: "Keller",
  phone: "13800001111",
  email: "ops@example.com",
});
order.orderId.apply((orderId) =>
  console.log(JSON.stringify({ customResource: order instanceof pulumi.CustomResource, orderId, types })),
);
`,
      );
      const { stdout } = await promisify(execFile)(process.execPath, [join(scratch, "program.js")], {
        cwd: scratch,
      });
      assert.deepEqual(JSON.parse(stdout), {
        customResource: true,
        orderId: "12000001",
        types: ["pulumi-nodejs:dynamic/alicloud-cas:CertificateOrder"],
      });
    });

    it('`import { CasClient } from "pulumi-alicloud-cas/client"` type-checks (and the emulator entry\'s types, with skipLibCheck off) and runs', async () => {
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
          files: ["index.ts", "emulator-types.ts"],
        }),
      );
      // The emulator's types too: none of them may pull in a dependency's declarations that fail
      // to check in a CommonJS project (@peculiar/x509's do).
      writeFileSync(
        join(scratch, "emulator-types.ts"),
        `import { startEmulator, type EmulatorOptions, type RunningEmulator } from "pulumi-alicloud-cas/emulator";
export const start: (options: EmulatorOptions) => Promise<RunningEmulator> = startEmulator;
`,
      );
      // A Node project has @types/node; the scratch project borrows this repository's copy.
      execFileSync(
        process.execPath,
        [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", scratch],
        {
          stdio: "pipe",
        },
      );
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

    it("installs the cas-emulator bin", () => {
      const help = execFileSync(process.execPath, [
        join(scratch, "node_modules", ".bin", "cas-emulator"),
        "--help",
      ]).toString();
      assert.match(help, /cas-emulator: a local Alibaba Cloud CAS/);
    });

    it("installs the cas-offline bin, which finds a cached Pulumi CLI, or builds one with Go from what the package ships", () => {
      assert.ok(files.includes("dist/offline/pulumi-cli.js"), "the finder and builder is shipped");
      const bin = join(scratch, "node_modules", ".bin", "cas-offline");
      const home = mkdtempSync(join(tmpdir(), "cas-scratch-home-"));
      // Found: a cache holding a CLI (and the launcher beside it), nothing on PATH.
      const cached = join(home, "cache", "pulumi-v3.274.1", "bin");
      mkdirSync(cached, { recursive: true });
      for (const f of ["pulumi", "pulumi-resource-pulumi-nodejs"]) {
        writeFileSync(join(cached, f), "#!/bin/sh\nexit 1\n");
        chmodSync(join(cached, f), 0o755);
      }
      const found = spawnSync(process.execPath, [bin, "install-cli"], {
        cwd: scratch,
        encoding: "utf8",
        env: { PATH: dirname(process.execPath), HOME: home, PULUMI_CAS_CACHE: join(home, "cache") },
      });
      assert.equal(found.status, 0, found.stderr);
      assert.equal(found.stdout, `${cached}\n`);
      // Built: an empty cache and Go without a module proxy. The build starts (the nodejs launcher
      // comes from the project's @pulumi/pulumi) and stops at the download, saying so.
      const go = goOnThisMachine();
      const build = spawnSync(process.execPath, [bin, "install-cli"], {
        cwd: scratch,
        encoding: "utf8",
        env: {
          PATH: [dirname(go), dirname(process.execPath)].join(delimiter),
          HOME: home,
          GOPROXY: "off",
          PULUMI_CAS_CACHE: join(home, "empty-cache"),
        },
      });
      assert.equal(build.status, 1, build.stderr);
      assert.equal(build.stdout, "");
      assert.match(
        build.stderr,
        /^cas-offline: no Pulumi CLI found: building pulumi v3\.274\.1 from the Go module proxy/,
      );
      assert.match(build.stderr, /\ncas-offline: step 1\/3 \(fetching its modules\): go get\n/);
      assert.match(
        build.stderr,
        /\nGo's module proxy is GOPROXY=off\. Install the Pulumi CLI \(https:\/\/www\.pulumi\.com\/docs\/install\/\) and put it on PATH, or let Go reach a module proxy \(GOPROXY; Go >= 1\.25\), then run `cas-offline install-cli` again\n$/,
      );
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

    for (const [bin, banner] of [
      ["cas-emulator", /cas-emulator: a local Alibaba Cloud CAS/],
      ["cas-offline", /cas-offline: runs a Pulumi program/],
    ] as const)
      it(`the ${bin} bin on a Node older than ${MIN_NODE_VERSION} says which Node it needs in one line instead of starting`, () => {
        const old = oldNode();
        // --help would print and exit 0 on any Node: here it must stop first.
        const r = spawnSync(old.path, [join(scratch, "node_modules", ".bin", bin), "--help"], {
          cwd: scratch,
          encoding: "utf8",
        });
        assert.equal(r.status, 1, `${bin} ran on ${old.version}`);
        assert.doesNotMatch(r.stdout, banner);
        // The message alone, on one line: no stack trace under it.
        assert.match(r.stderr, needsNode(old.version));
        assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      });
  });
});

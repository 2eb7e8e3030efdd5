import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type * as Automation from "@pulumi/pulumi/automation";
import { connectAfresh } from "./engine";

/* eslint-disable @typescript-eslint/no-require-imports -- modules of the copy, found at run time */

const ROOT = resolve(__dirname, "..", "..", "..");

/** The command and leading arguments that run `npm` with the Node running this suite. */
export function npmCommand(): [string, string[]] {
  const npmCli = process.env.npm_execpath; // set when run through npm scripts
  return npmCli ? [process.execPath, [npmCli]] : ["npm", []];
}

/** `npm` with the Node running this suite. */
function npm(args: string[], cwd: string): string {
  const [cmd, pre] = npmCommand();
  return execFileSync(cmd, [...pre, ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" },
  }).toString();
}

/** `npm pack` of this repository (dist/ as built; packing does not rebuild it) into a scratch folder. */
export function packPackage(): { tarball: string; files: string[] } {
  const out = mkdtempSync(join(tmpdir(), "cas-pack-"));
  const packed = JSON.parse(
    npm(["pack", "--ignore-scripts", "--json", "--pack-destination", out], ROOT),
  ) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  return { tarball: join(out, packed[0]!.filename), files: packed[0]!.files.map((f) => f.path) };
}

/** An example copied out of the repository, installed from the packed tarball and compiled with its own tsconfig. */
export interface ExampleCopy {
  dir: string;
  /** The example's package.json as written in the repository. */
  manifest: { dependencies: Record<string, string> };
  /**
   * A module of the compiled example (`bin/<name>.js`), loaded afresh (its top level runs again,
   * as in a new `pulumi up`) with the copy's own node_modules.
   */
  load<T>(name: string): T;
  /** Whether git would ignore `path` in the copy, by the example's own .gitignore. */
  ignored(path: string): boolean;
}

/**
 * Copies `examples/<name>` to a folder outside the repository, points its `pulumi-alicloud-cas`
 * dependency (the published name and version) at the packed tarball, installs with npm from the
 * local cache and compiles it with its own TypeScript and tsconfig, as a user's project would.
 */
export function copyExample(name: string, tarball: string): ExampleCopy {
  const dir = join(mkdtempSync(join(tmpdir(), `cas-example-${name}-`)), name);
  cpSync(join(ROOT, "examples", name), dir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|bin|\.keys|\.pulumi)$/.test(src),
  });
  const manifestPath = join(dir, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as ExampleCopy["manifest"];
  // The version is not on a registry yet: the packed tarball stands in for it.
  writeFileSync(
    manifestPath,
    JSON.stringify({
      ...manifest,
      dependencies: { ...manifest.dependencies, "pulumi-alicloud-cas": `file:${tarball}` },
    }),
  );
  npm(["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], dir);
  execFileSync(process.execPath, [join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", dir], {
    stdio: "pipe",
  });
  execFileSync("git", ["init", "-q", dir]);
  return {
    dir,
    manifest,
    load: <T>(module: string) => {
      const path = require.resolve(join(dir, "bin", module));
      delete require.cache[path];
      return require(path) as T;
    },
    ignored: (path) => {
      try {
        execFileSync("git", ["-C", dir, "check-ignore", "-q", path]);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** A stack of a copied example's own Pulumi.yaml, run by the real engine with the copy's own @pulumi/pulumi. */
export async function copiedExampleStack(
  copy: ExampleCopy,
  stackName: string,
  program: () => Promise<Record<string, unknown>>,
  options: { stateDir: string; env?: Record<string, string> },
): Promise<Automation.Stack> {
  const bin = process.env.PULUMI_CAS_ENGINE_BIN;
  if (!bin)
    throw new Error(
      "PULUMI_CAS_ENGINE_BIN is not set: run the e2e suite with `npm run test:e2e`, which finds or builds the engine",
    );
  mkdirSync(options.stateDir, { recursive: true });
  // The copy's Automation API: the program registers its resources with the copy's @pulumi/pulumi.
  const auto = require(
    join(copy.dir, "node_modules", "@pulumi", "pulumi", "automation"),
  ) as typeof Automation;
  connectAfresh(require(join(copy.dir, "node_modules", "@pulumi", "pulumi", "runtime")));
  const home = join(options.stateDir, "..", `home-${stackName}`);
  return auto.LocalWorkspace.createStack(
    { stackName, projectName: "from-Pulumi.yaml", program },
    {
      workDir: copy.dir,
      pulumiCommand: await auto.PulumiCommand.get({ root: dirname(bin) }),
      pulumiHome: home,
      envVars: {
        PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
        PULUMI_BACKEND_URL: `file://${options.stateDir}`,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_HOME: home,
        // The provider host runs `node` from PATH: make it the Node running this suite (>= 22).
        PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        ...options.env,
      },
    },
  );
}

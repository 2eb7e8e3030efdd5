// Finds a Pulumi CLI, or builds one from the Go module proxy into a cache outside any project: the
// one implementation behind `cas-offline`, `npm run demo`, the end-to-end suite and the benchmarks.
//
// The nodejs language host is not served by the module proxy (no tagged or pseudo version is
// available), so a built CLI runs Automation API inline programs only, which need just the CLI and
// the `pulumi-resource-pulumi-nodejs` launcher shipped inside @pulumi/pulumi.
import { spawn } from "node:child_process";
import {
  accessSync,
  constants,
  copyFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";

/** The Pulumi CLI version built when none is found (`PULUMI_CAS_CLI_VERSION` picks another). */
export const PULUMI_CLI_VERSION = "v3.274.1";

const INSTALL_URL = "https://www.pulumi.com/docs/install/";

/** No Pulumi CLI could be found or built; the message says where it looked and what to do. */
export class PulumiCliUnavailable extends Error {
  override readonly name = "PulumiCliUnavailable";
}

/** A directory holding an executable `pulumi`, and how it was found. */
export interface PulumiCli {
  bin: string;
  source: "PULUMI_CAS_ENGINE_BIN" | "PATH" | "cache" | "built";
}

export interface PulumiCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Build one when none is found (default true). */
  build?: boolean;
  /** Lines saying what is looked at, built and found. */
  log?: (line: string) => void;
  /** The Go toolchain's own output while building, line by line (default: dropped). */
  toolOutput?: (line: string) => void;
  /** The command to run again once the user has fixed things, for the messages (e.g. "npm run demo"). */
  rerun?: string;
}

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The directory on `env.PATH` holding an executable `name`, if any. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? "").split(delimiter).find((dir) => dir && executable(join(dir, name)));
}

/** The version to use: `PULUMI_CAS_CLI_VERSION`, else {@link PULUMI_CLI_VERSION}. */
function pulumiCliVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env.PULUMI_CAS_CLI_VERSION || PULUMI_CLI_VERSION;
}

/** Where built CLIs are kept: `PULUMI_CAS_CACHE`, else `$XDG_CACHE_HOME` or `~/.cache`, `/pulumi-alicloud-cas`. */
function pulumiCliCache(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.PULUMI_CAS_CACHE ||
    join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "pulumi-alicloud-cas")
  );
}

/** The directory a built CLI of this version lives in. */
function cachedPulumiCliBin(env: NodeJS.ProcessEnv = process.env): string {
  return join(pulumiCliCache(env), `pulumi-${pulumiCliVersion(env)}`, "bin");
}

/**
 * A CLI that is already here: `PULUMI_CAS_ENGINE_BIN` (a directory), `pulumi` on PATH (unless
 * `PULUMI_CAS_FORCE_BUILD` is set), then the cache. Sends nothing anywhere.
 */
export function findPulumiCli(env: NodeJS.ProcessEnv = process.env): PulumiCli | undefined {
  const given = env.PULUMI_CAS_ENGINE_BIN;
  if (given) {
    if (executable(join(given, "pulumi"))) return { bin: given, source: "PULUMI_CAS_ENGINE_BIN" };
    throw new PulumiCliUnavailable(
      `PULUMI_CAS_ENGINE_BIN is ${given}, which holds no executable pulumi: point it at the directory of a Pulumi CLI, or unset it`,
    );
  }
  const path = env.PULUMI_CAS_FORCE_BUILD ? undefined : onPath("pulumi", env);
  if (path) return { bin: path, source: "PATH" };
  const cached = cachedPulumiCliBin(env);
  if (executable(join(cached, "pulumi")) && executable(join(cached, "pulumi-resource-pulumi-nodejs")))
    return { bin: cached, source: "cache" };
  return undefined;
}

/** Runs one step of the build; resolves with its output's last lines, rejects naming the step and why. */
function goStep(
  go: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  toolOutput: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const take = (chunk: Buffer, pending: { text: string }) => {
      pending.text += chunk.toString();
      const lines = pending.text.split("\n");
      pending.text = lines.pop() ?? "";
      for (const line of lines) {
        toolOutput(line);
        tail.push(line);
        if (tail.length > 15) tail.shift();
      }
    };
    const out = { text: "" };
    const err = { text: "" };
    child.stdout.on("data", (c: Buffer) => take(c, out));
    child.stderr.on("data", (c: Buffer) => take(c, err));
    child.on("error", (e) => reject(new Error(`\`go ${args.join(" ")}\` could not start: ${e.message}`)));
    child.on("close", (code, signal) => {
      for (const rest of [out.text, err.text]) if (rest) tail.push(rest);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `\`go ${args.join(" ")}\` ${signal ? `was stopped by ${signal}` : `exited with ${code}`}:\n${tail.map((l) => `    ${l}`).join("\n")}`,
          ),
        );
    });
  });
}

/** What `go env NAME` says (the environment, else Go's own env file and defaults). */
function goEnv(go: string, name: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(go, ["env", name], { env, stdio: ["ignore", "pipe", "ignore"] });
    let text = "";
    child.stdout.on("data", (c: Buffer) => (text += c.toString()));
    child.on("error", () => resolve("?"));
    child.on("close", () => resolve(text.trim()));
  });
}

/**
 * Builds `github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` at the version into the cache (`go get`,
 * `go mod tidy`, `go build`), with @pulumi/pulumi's nodejs launcher beside it. Several minutes cold
 * on 2 cores; seconds once Go's module and build caches are warm.
 */
async function buildPulumiCli(o: Required<Omit<PulumiCliOptions, "build">>): Promise<string> {
  const { env, log, toolOutput, rerun } = o;
  const version = pulumiCliVersion(env);
  const cache = pulumiCliCache(env);
  const bin = cachedPulumiCliBin(env);
  const fix = `install the Pulumi CLI (${INSTALL_URL}) and put it on PATH`;
  const goDir = onPath("go", env);
  if (!goDir)
    throw new PulumiCliUnavailable(
      `no Pulumi CLI found (looked at $PULUMI_CAS_ENGINE_BIN, PATH and ${bin}) and no Go toolchain on PATH to build one: ` +
        `${fix}, or install Go >= 1.25 (then pulumi ${version} is built once from the Go module proxy into ${cache}), and run ${rerun} again`,
    );
  const go = join(goDir, "go");
  let launcher: string;
  try {
    launcher = join(dirname(require.resolve("@pulumi/pulumi/package.json")), "pulumi-resource-pulumi-nodejs");
  } catch {
    throw new PulumiCliUnavailable(
      `@pulumi/pulumi is not installed beside pulumi-alicloud-cas (its nodejs launcher goes with the CLI): npm install @pulumi/pulumi, then run ${rerun} again`,
    );
  }
  const work = join(cache, `build-${version}`);
  try {
    mkdirSync(work, { recursive: true });
    mkdirSync(bin, { recursive: true });
  } catch (e) {
    throw new PulumiCliUnavailable(
      `cannot write the Pulumi CLI cache ${cache} (${(e as Error).message}): set PULUMI_CAS_CACHE to a writable directory, or ${fix}`,
    );
  }
  const started = Date.now();
  log(
    `no Pulumi CLI found: building pulumi ${version} from the Go module proxy into ${bin} (first run only; several minutes on 2 cores)`,
  );
  const steps: Array<[string, string[]]> = [
    [
      "fetching its modules",
      ["get", `github.com/pulumi/pulumi/pkg/v3@${version}`, `github.com/pulumi/pulumi/sdk/v3@${version}`],
    ],
    ["resolving its dependencies", ["mod", "tidy"]],
    [
      "compiling",
      [
        "build",
        "-trimpath",
        "-ldflags",
        `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`,
        "-o",
        join(bin, `pulumi.tmp-${process.pid}`),
        "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
      ],
    ],
  ];
  let step = "the module's setup (go mod init)";
  try {
    if (!existsSync(join(work, "go.mod")))
      await goStep(go, ["mod", "init", "local/pulumi-cli"], work, env, toolOutput);
    writeFileSync(
      join(work, "tools.go"),
      `//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n`,
    );
    for (const [i, [what, args]] of steps.entries()) {
      step = `step ${i + 1}/${steps.length} (${what})`;
      log(`${step}: go ${args.slice(0, args[0] === "mod" ? 2 : 1).join(" ")}`);
      await goStep(go, args, work, env, toolOutput);
    }
  } catch (e) {
    const proxy = await goEnv(go, "GOPROXY", env);
    throw new PulumiCliUnavailable(
      `building pulumi ${version} with ${go} failed at ${step}: ${(e as Error).message}\n` +
        `Go's module proxy is GOPROXY=${proxy}. ${fix[0]!.toUpperCase()}${fix.slice(1)}, or let Go reach a module proxy ` +
        `(GOPROXY; Go >= 1.25), then run ${rerun} again`,
    );
  }
  renameSync(join(bin, `pulumi.tmp-${process.pid}`), join(bin, "pulumi"));
  copyFileSync(launcher, join(bin, "pulumi-resource-pulumi-nodejs"));
  chmodSync(join(bin, "pulumi-resource-pulumi-nodejs"), 0o755);
  log(`built pulumi ${version} in ${Math.round((Date.now() - started) / 1000)}s: ${bin}`);
  return bin;
}

/**
 * A Pulumi CLI's directory: one already here ({@link findPulumiCli}), else one built from the Go
 * module proxy into the cache (unless `build: false`). Rejects with {@link PulumiCliUnavailable},
 * saying where it looked and what to do.
 */
export async function findOrBuildPulumiCli(options: PulumiCliOptions = {}): Promise<PulumiCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const rerun = options.rerun ?? "this";
  const found = findPulumiCli(env);
  if (found) {
    log(
      found.source === "cache"
        ? `using cached pulumi ${pulumiCliVersion(env)} from ${found.bin}`
        : `using pulumi from ${found.bin} (${found.source})`,
    );
    return found;
  }
  if (options.build === false)
    throw new PulumiCliUnavailable(
      `no Pulumi CLI found (looked at $PULUMI_CAS_ENGINE_BIN, PATH and ${cachedPulumiCliBin(env)}): ` +
        `install the Pulumi CLI (${INSTALL_URL}) and put it on PATH, then run ${rerun} again`,
    );
  const bin = await buildPulumiCli({ env, log, toolOutput: options.toolOutput ?? (() => {}), rerun });
  return { bin, source: "built" };
}

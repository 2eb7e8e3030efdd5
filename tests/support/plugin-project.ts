import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { findOrBuildYamlHost } from "./yaml-host";

const ROOT = resolve(__dirname, "..", "..", "..");

/** The folder the package's `pulumi-resource-alicloudcas` is in (bin/ of the clone; it runs dist/ of a build). */
const PLUGIN_BIN = join(ROOT, "bin");

/** One run of the CLI: its exit code and output. */
interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Pulumi project of another language (YAML here) on a throw-away local backend, run by the real CLI. */
export interface PluginProject {
  dir: string;
  /** Runs `pulumi <args>` in the project; rejects with the output when it exits non-zero (unless `allowFailure`). */
  pulumi(args: string[], opts?: { allowFailure?: boolean }): Promise<CliRun>;
  /**
   * Starts `pulumi <args>`: `stop()` kills every process of the run at once (the engine, its
   * language host and its plugins), as a machine gone would.
   */
  start(args: string[]): { stop(): void; exited: Promise<void> };
  dispose(): void;
}

/**
 * A project folder holding `files` (Pulumi.yaml first), with stack `e2e` selected, run by the CLI
 * of PULUMI_CAS_ENGINE_BIN with the YAML language host, the alicloudcas plugin (PATH, as an installed
 * package puts it) and the emulator DNS plugin on PATH.
 */
export async function pluginProject(
  files: Record<string, string>,
  env: Record<string, string>,
): Promise<PluginProject> {
  const engine = process.env.PULUMI_CAS_ENGINE_BIN;
  if (!engine)
    throw new Error(
      "PULUMI_CAS_ENGINE_BIN is not set: run the e2e suite with `npm run test:e2e`, which finds or builds the engine",
    );
  const yamlBin = await findOrBuildYamlHost((line) => console.error(`[yaml-host] ${line}`));
  const dir = mkdtempSync(join(tmpdir(), "cas-plugin-"));
  const project = join(dir, "project");
  const tools = join(dir, "tools");
  mkdirSync(project);
  mkdirSync(tools);
  mkdirSync(join(dir, "state"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
  // The emulator DNS plugin, as the engine finds plugins: an executable named pulumi-resource-<name> on PATH.
  const dns = join(tools, "pulumi-resource-emulatordns");
  writeFileSync(
    dns,
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "dist", "tests", "support", "emulator-dns-plugin.js")}" "$@"\n`,
  );
  chmodSync(dns, 0o755);
  const home = join(dir, "home");
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_BACKEND_URL: `file://${join(dir, "state")}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_HOME: home,
    PATH: [engine, yamlBin, PLUGIN_BIN, tools, dirname(process.execPath), process.env.PATH ?? ""].join(
      delimiter,
    ),
    ...env,
  };
  const pulumi = (args: string[], opts: { allowFailure?: boolean } = {}) =>
    new Promise<CliRun>((ok, fail) =>
      execFile(
        join(engine, "pulumi"),
        [...args, "--non-interactive"],
        { cwd: project, env: fullEnv, maxBuffer: 64 * 1024 * 1024 },
        (e, stdout, stderr) => {
          const code = e ? (typeof e.code === "number" ? e.code : 1) : 0;
          if (code !== 0 && !opts.allowFailure)
            fail(new Error(`pulumi ${args.join(" ")} exited with ${code}:\n${stdout}\n${stderr}`));
          else ok({ code, stdout, stderr });
        },
      ),
    );
  const start = (args: string[]) => {
    const child = spawn(join(engine, "pulumi"), [...args, "--non-interactive"], {
      cwd: project,
      env: fullEnv,
      detached: true,
      stdio: "ignore",
    });
    const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
    return {
      stop: () => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Exited already.
        }
        // The engine starts its plugins in process groups of their own: every process of this
        // project (its PULUMI_HOME is its own) goes too.
        for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
          try {
            if (readFileSync(`/proc/${pid}/environ`, "utf8").includes(`PULUMI_HOME=${home}\0`))
              process.kill(Number(pid), "SIGKILL");
          } catch {
            // Gone meanwhile, or not ours to read.
          }
        }
      },
      exited,
    };
  };
  await pulumi(["stack", "init", "e2e"]);
  return { dir, pulumi, start, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

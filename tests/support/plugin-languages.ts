// What the plugin's programs in other languages (Python, Go) need around them: a throw-away folder
// with a local backend, the emulator DNS plugin as an executable on PATH, the alicloudcas plugin
// (bin/ of this clone, as an installed package puts it on PATH) and the engine of the e2e suite.
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import type { EmulatorProcess } from "./emulator-process";

const ROOT = resolve(__dirname, "..", "..", "..");

/** One program run: its output. */
interface ProgramRun {
  stdout: string;
  stderr: string;
}

/** A folder for one program, and the environment it runs in. */
export interface LanguageSandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs `file args` in the sandbox's environment; rejects with the output when it exits non-zero. */
  run(file: string, args: string[], cwd?: string): Promise<ProgramRun>;
  dispose(): void;
}

/** A sandbox whose programs reach `emu` (CAS and its DNS) through the alicloudcas plugin. */
export function languageSandbox(emu: EmulatorProcess, prefix: string): LanguageSandbox {
  const engine = process.env.PULUMI_CAS_ENGINE_BIN;
  if (!engine)
    throw new Error(
      "PULUMI_CAS_ENGINE_BIN is not set: run the e2e suite with `npm run test:e2e`, which finds or builds the engine",
    );
  const plugin = join(ROOT, "bin", "pulumi-resource-alicloudcas");
  if (!existsSync(plugin) || !existsSync(join(ROOT, "dist", "tests", "support", "emulator-dns-plugin.js")))
    throw new Error(
      `the alicloudcas plugin (${plugin}) or the emulator DNS plugin (tests/support/emulator-dns-plugin.ts) is not in this clone: the program cannot run without them`,
    );
  const dir = mkdtempSync(join(tmpdir(), `cas-${prefix}-`));
  const tools = join(dir, "tools");
  for (const sub of ["tools", "state", "home", "work"]) mkdirSync(join(dir, sub));
  const dns = join(tools, "pulumi-resource-emulatordns");
  writeFileSync(
    dns,
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "dist", "tests", "support", "emulator-dns-plugin.js")}" "$@"\n`,
  );
  chmodSync(dns, 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_BACKEND_URL: `file://${join(dir, "state")}`,
    PULUMI_HOME: join(dir, "home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
    CAS_EMULATOR_ENDPOINT: emu.endpoint,
    CAS_EMULATOR_KEY_ID: emu.accessKeyId,
    CAS_EMULATOR_KEY_SECRET: emu.accessKeySecret,
    // The plugin's launcher runs `node`: Node 22 of this clone, first on PATH.
    PATH: [engine, join(ROOT, "bin"), tools, dirname(process.execPath), process.env.PATH ?? ""].join(
      delimiter,
    ),
  };
  const run = (file: string, args: string[], cwd = dir) =>
    new Promise<ProgramRun>((ok, fail) =>
      execFile(file, args, { cwd, env, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
        if (e)
          fail(
            new Error(
              `${file} ${args.join(" ")} failed (${e.message.split("\n")[0]}):\n${stderr}\n${stdout}`,
            ),
          );
        else ok({ stdout, stderr });
      }),
    );
  return { dir, env, run, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a setup script of this repository (`scripts/<name>`) and returns the last line it prints. */
export function setupScript(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((ok, fail) =>
    execFile(
      "bash",
      [join(ROOT, "scripts", name)],
      { cwd: ROOT, env, maxBuffer: 16 << 20 },
      (e, stdout, stderr) => {
        if (e) fail(new Error(`scripts/${name} failed:\n${stderr || e.message}`));
        else ok(stdout.trim().split("\n").pop()!);
      },
    ),
  );
}

/** What a plugin program in another language prints: the JSON of what each step did. */
export interface ProgramReport {
  up: { changes: Record<string, number>; outputs: Record<string, { value: unknown; secret: boolean }> };
  second_up: { changes: Record<string, number> };
  destroy: { changes: Record<string, number> };
  resources_after_destroy: number;
}

/** The report on the last line of a program's standard output. */
export function programReport(stdout: string): ProgramReport {
  const last = stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as ProgramReport;
  } catch {
    throw new Error(`the program printed no report as its last line:\n${stdout}`);
  }
}

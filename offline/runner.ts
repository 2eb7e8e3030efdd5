#!/usr/bin/env node
// First: on too old a Node the bin stops saying which Node it needs, like every other entry point.
import "../runtime/bin-node-guard";
import { existsSync, mkdirSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { startEmulator, isLoopbackHost, type RunningEmulator } from "../emulator/server";
import { findOrBuildPulumiCli, findPulumiCli, PulumiCliUnavailable, PULUMI_CLI_VERSION } from "./pulumi-cli";

const HELP = `cas-offline: runs a Pulumi program against the local CAS emulator, never the real CAS

Usage: cas-offline <preview|up|refresh|destroy> (--program FILE | --example NAME) [options]
       cas-offline cancel [options]
       cas-offline install-cli

  --program FILE             a compiled program: a module exporting a function (default or its only
                             export) that returns the outputs, or one that declares resources when loaded
  --example NAME             an example of this package's repository (dist/examples/NAME), in a clone
  --stack NAME               the stack (default dev)
  --dir DIR                  the project folder (default: the current one); state, stack config and the
                             emulator's data are kept in DIR/.cas-offline
  --endpoint URL             use the emulator already running there (default: $ALIBABA_CLOUD_ENDPOINT_CAS
                             when set, else start one with its data in DIR/.cas-offline/emulator)
  --allow-insecure-endpoint  allow an endpoint that is not loopback (also: the stack config setting
                             alicloud-cas:allowInsecureEndpoint true)
  --config KEY=VALUE         set a stack config value first (repeatable), e.g. --config alicloud-cas:qps=5;
  --secret KEY=VALUE         the same, stored as a secret (credentials, tokens). The stack's config is
                             kept in DIR/.cas-offline/project/Pulumi.<stack>.yaml
  -h, --help

The Pulumi CLI is looked for in $PULUMI_CAS_ENGINE_BIN (a directory), on PATH, then in the cache
(~/.cache/pulumi-alicloud-cas/pulumi-${PULUMI_CLI_VERSION}/bin; $PULUMI_CAS_CACHE moves it). When there is none,
cas-offline builds pulumi ${PULUMI_CLI_VERSION} there once with Go (>= 1.25) from the Go module proxy, printing
each step (several minutes on 2 cores). \`cas-offline install-cli\` does only that and prints the
directory. Exits 0 on success, 1 on failure, 2 on a usage error. Nothing is sent to any CAS before
the emulator is known to answer on loopback.`;

const COMMANDS = ["preview", "up", "refresh", "destroy", "cancel", "install-cli"] as const;
type Command = (typeof COMMANDS)[number];

/** A failure that stops the runner with a message and an exit code (nothing sent when it is thrown). */
export class RunnerStop extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * The endpoint a run may use: loopback, or another only when allowed. A non-loopback endpoint may be
 * the real CAS (or a machine that forwards to it): an order there costs quota.
 */
export function checkEndpoint(endpoint: string, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new RunnerStop(`the endpoint ${JSON.stringify(endpoint)} is not a URL (http://127.0.0.1:PORT)`);
  }
  if (!isLoopbackHost(url.hostname) && !allowInsecure)
    throw new RunnerStop(
      `the endpoint ${url.origin} is not on this machine (loopback): it may be the real CAS, where an order costs quota. ` +
        "cas-offline runs against a local emulator only; unset ALIBABA_CLOUD_ENDPOINT_CAS (or --endpoint) to start one, " +
        "or pass --allow-insecure-endpoint (or set alicloud-cas:allowInsecureEndpoint true in the stack config) if that endpoint is an emulator you trust.",
    );
  return url;
}

/** Whether an emulator answers at `url` (its control API's info route; a token-guarded one counts). */
export async function probeEmulator(url: URL, token?: string): Promise<boolean> {
  try {
    const res = await fetch(new URL("/_emulator/info", url), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    return res.ok ? text.trimStart().startsWith("{") : /control API|--control-token/.test(text);
  } catch {
    return false;
  }
}

/** The program to run: a function that declares the resources and returns the outputs. */
export function loadProgram(file: string): () => Promise<Record<string, unknown>> {
  if (!existsSync(file)) throw new RunnerStop(`no program at ${file}: pass a compiled program (.js)`);
  return async () => {
    // Loaded inside the program, so resources a module declares at load time belong to this run.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(file) as unknown;
    const exported = m as (Record<string, unknown> & { default?: unknown }) | null | undefined;
    const fns = Object.values(exported ?? {}).filter((v) => typeof v === "function");
    const fn =
      typeof m === "function"
        ? m
        : typeof exported?.default === "function"
          ? exported.default
          : fns.length === 1
            ? fns[0]
            : undefined;
    const out = fn ? await (fn as () => unknown)() : await exported;
    return (out && typeof out === "object" ? out : {}) as Record<string, unknown>;
  };
}

interface Options {
  command: Command;
  program: string;
  stack: string;
  dir: string;
  endpoint?: string | undefined;
  allowInsecure: boolean;
  /** `--config` / `--secret` values, set on the stack before the command. */
  settings: Array<{ key: string; value: string; secret: boolean }>;
}

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        program: { type: "string" },
        example: { type: "string" },
        stack: { type: "string" },
        dir: { type: "string" },
        endpoint: { type: "string" },
        "allow-insecure-endpoint": { type: "boolean" },
        config: { type: "string", multiple: true },
        secret: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new RunnerStop(`${(e as Error).message}\n\n${HELP}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const command = positionals[0] as Command | undefined;
  if (!command || !(COMMANDS as readonly string[]).includes(command) || positionals.length > 1)
    throw new RunnerStop(`say one of ${COMMANDS.join(", ")}\n\n${HELP}`, 2);
  const dir = resolve(values.dir ?? process.cwd());
  let program: string;
  if (values.program && values.example) throw new RunnerStop("pass --program or --example, not both", 2);
  if (values.program) program = resolve(values.program);
  else if (values.example) program = join(__dirname, "..", "examples", values.example, "index.js");
  else if (command === "cancel" || command === "install-cli") program = "";
  else throw new RunnerStop(`pass --program FILE or --example NAME\n\n${HELP}`, 2);
  const endpoint = values.endpoint ?? (env.ALIBABA_CLOUD_ENDPOINT_CAS || undefined);
  const settings = [
    ...(values.config ?? []).map((kv) => configPair(kv, "--config", false)),
    ...(values.secret ?? []).map((kv) => configPair(kv, "--secret", true)),
  ];
  return {
    settings,
    command,
    program,
    stack: values.stack ?? "dev",
    dir,
    endpoint,
    allowInsecure: values["allow-insecure-endpoint"] ?? false,
  };
}

/** `KEY=VALUE` of `--config` / `--secret`; anything else is a usage error naming the flag. */
function configPair(
  kv: string,
  flag: string,
  secret: boolean,
): { key: string; value: string; secret: boolean } {
  const at = kv.indexOf("=");
  if (at <= 0 || !kv.slice(0, at).includes(":"))
    throw new RunnerStop(
      `${flag} ${JSON.stringify(kv.slice(0, 60))}: give KEY=VALUE with a namespaced key, e.g. ${flag} alicloud-cas:qps=5`,
      2,
    );
  return { key: kv.slice(0, at), value: kv.slice(at + 1), secret };
}

/** The emulator to use: the one at `endpoint` (checked first), or one started with its data in the project. */
async function emulatorFor(
  o: Options,
  settingAllows: boolean,
): Promise<{ endpoint: string; keys?: [string, string] | undefined; running?: RunningEmulator }> {
  if (o.endpoint) {
    const url = checkEndpoint(o.endpoint, o.allowInsecure || settingAllows);
    if (!(await probeEmulator(url, process.env.CAS_EMULATOR_CONTROL_TOKEN)))
      throw new RunnerStop(
        `no CAS emulator answers at ${url.origin} (from ${process.env.ALIBABA_CLOUD_ENDPOINT_CAS === o.endpoint ? "ALIBABA_CLOUD_ENDPOINT_CAS" : "--endpoint"}): ` +
          "start it (npx cas-emulator), or unset ALIBABA_CLOUD_ENDPOINT_CAS so cas-offline starts one itself",
      );
    const id = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
    const secret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
    return { endpoint: url.origin, keys: id && secret ? [id, secret] : undefined };
  }
  const dataDir = join(o.dir, ".cas-offline", "emulator");
  try {
    const running = await startEmulator({ dataDir });
    return { endpoint: running.endpoint, keys: [running.accessKeyId, running.accessKeySecret], running };
  } catch (e) {
    throw new RunnerStop(
      `the CAS emulator could not start (${(e as Error).message}); nothing was run. ` +
        "Stop the other run using it, or point ALIBABA_CLOUD_ENDPOINT_CAS at a running emulator.",
    );
  }
}

/** Reads `alicloud-cas:allowInsecureEndpoint` from the stack's config file, without the engine. */
function settingAllowsInsecure(projectDir: string, stack: string): boolean {
  const file = join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const text = (require("node:fs") as typeof import("node:fs")).readFileSync(file, "utf8");
  return /^\s+alicloud-cas:allowInsecureEndpoint:\s*["']?true["']?\s*$/m.test(text);
}

/** The Pulumi CLI's directory, found or built (each step said on `err`); stops naming the fix when there is none. */
async function pulumiCli(rerun: string, err: (s: string) => void, quietWhenFound: boolean): Promise<string> {
  try {
    const found = quietWhenFound ? findPulumiCli() : undefined;
    if (found) return found.bin;
    const cli = await findOrBuildPulumiCli({
      log: (line) => err(`cas-offline: ${line}\n`),
      toolOutput: (line) => err(`  ${line}\n`),
      rerun,
    });
    return cli.bin;
  } catch (e) {
    if (e instanceof PulumiCliUnavailable) throw new RunnerStop(e.message);
    throw e;
  }
}

/** Runs one command; resolves with the exit code. Everything printed goes to `out` / `err`. */
export async function run(
  argv: string[],
  out: (s: string) => void = (s) => void process.stdout.write(s),
  err: (s: string) => void = (s) => void process.stderr.write(s),
): Promise<number> {
  let running: RunningEmulator | undefined;
  try {
    const o = parseCommandLine(argv);
    if (o === "help") {
      out(`${HELP}\n`);
      return 0;
    }
    const base = join(o.dir, ".cas-offline");
    const projectDir = join(base, "project");
    // Before anything is sent: the program, the engine and the endpoint are known to be usable.
    // `cancel` runs no program: it only removes the lock an interrupted update left.
    const program = o.program ? loadProgram(o.program) : async () => ({});
    // A CLI already here is used without a word; `install-cli` says which one it found.
    const bin = await pulumiCli(`\`cas-offline ${o.command}\``, err, o.command !== "install-cli");
    if (o.command === "install-cli") {
      out(`${bin}\n`);
      return 0;
    }
    const emu = await emulatorFor(o, settingAllowsInsecure(projectDir, o.stack));
    running = emu.running;
    for (const d of ["state", "project", "home"]) mkdirSync(join(base, d), { recursive: true });
    const backend = `file://${join(base, "state")}`;
    const launcher = dirname(require.resolve("@pulumi/pulumi/package.json"));
    const name = "cas-offline";
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: o.stack, projectName: name, program },
      {
        pulumiCommand: await PulumiCommand.get({ root: dirname(bin), skipVersionCheck: true }),
        pulumiHome: join(base, "home"),
        workDir: projectDir,
        projectSettings: { name, runtime: "nodejs", main: o.dir, backend: { url: backend } },
        envVars: {
          PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
          PULUMI_BACKEND_URL: backend,
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
          PATH: [bin, launcher, dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
          // Read at run time by the provider: the emulator's port changes per run and is never stored.
          ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
          // Its STS too (first in the STS endpoint's order): an offline run never asks another STS.
          ALIBABA_CLOUD_STS_ENDPOINT: emu.endpoint,
        },
      },
    );
    if (emu.keys) {
      await stack.setConfig("alicloud:accessKey", { value: emu.keys[0] });
      await stack.setConfig("alicloud:secretKey", { value: emu.keys[1], secret: true });
    }
    for (const c of o.settings) {
      // The program runs as project `cas-offline`: its own `new pulumi.Config()` reads that namespace.
      const namespace = c.key.includes(":") ? c.key.slice(0, c.key.indexOf(":")) : name;
      if (!["alicloud", "alicloud-cas", name].includes(namespace))
        err(
          `warning: --config ${c.key} is set as given; the program runs as project ${name}, so its own ` +
            `new pulumi.Config() reads ${name}:${c.key.slice(namespace.length + 1)} (if ${namespace} is your ` +
            `project's name, pass --config ${name}:${c.key.slice(namespace.length + 1)}=…)\n`,
        );
      await stack.setConfig(c.key, { value: c.value, secret: c.secret });
    }
    out(
      `cas-offline: ${o.command} of stack ${o.stack} against the CAS emulator at ${emu.endpoint}; state in ${base}\n`,
    );
    const onOutput = out;
    let stderr = "";
    if (o.command === "cancel") {
      await stack.cancel();
      out("cas-offline: cancelled the stack's running update, if any (its lock is removed)\n");
      return 0;
    }
    if (o.command === "preview") stderr = (await stack.preview({ onOutput, diff: true })).stderr;
    else if (o.command === "up") stderr = (await stack.up({ onOutput })).stderr;
    else if (o.command === "refresh") stderr = (await stack.refresh({ onOutput })).stderr;
    else stderr = (await stack.destroy({ onOutput })).stderr;
    // The provider's lines (why an order is replaced, what to publish) when the engine put them on stderr.
    if (stderr.trim()) err(stderr.endsWith("\n") ? stderr : `${stderr}\n`);
    if (o.command === "destroy")
      out(
        `cas-offline: the stack's state stays in ${join(base, "state")} (the engine's \`pulumi stack rm\` hint does not apply here); delete ${base} to forget it and the emulator's data\n`,
      );
    if (o.command !== "destroy" && o.command !== "preview") {
      const outputs = await stack.outputs();
      out("cas-offline: outputs\n");
      for (const [k, v] of Object.entries(outputs) as Array<[string, { value: unknown; secret: boolean }]>)
        out(`  ${k}: ${v.secret ? "[secret]" : JSON.stringify(v.value)}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof RunnerStop) {
      err(`cas-offline: ${e.message}\n`);
      return e.exitCode;
    }
    // The engine's output was shown as it came; of its error only what it wrote on stderr is new
    // (the Automation API's message repeats the whole output and the command line).
    const result = (e as { commandResult?: { stdout?: string; stderr?: string } }).commandResult;
    // The engine's `error:` lines, once each (its stderr here also repeats the command line and the
    // whole output, which was shown as it came).
    const errorLines = [
      ...new Set(
        `${result?.stderr ?? ""}\n${result?.stdout ?? ""}`
          .split("\n")
          .map((l) => /(?:^|\s)error: (.*)$/.exec(l)?.[1]?.trim())
          .filter((l): l is string => !!l),
      ),
    ];
    const text = result
      ? errorLines.map((l) => `error: ${l}`).join("\n") || "(the engine's output above says why)"
      : (e as Error).message;
    err(`cas-offline: the ${argv[0] ?? "run"} failed:\n${text}\n`);
    return 1;
  } finally {
    await running?.close();
  }
}

if (require.main === module) void run(process.argv.slice(2)).then((code) => (process.exitCode = code));

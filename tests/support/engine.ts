import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  LocalWorkspace,
  PulumiCommand,
  type OutputMap,
  type Stack,
  type PulumiFn,
} from "@pulumi/pulumi/automation";

/**
 * Every inline run of Pulumi's Node runtime opens gRPC clients to that run's engine and never closes
 * them (`disconnect` closes only the process-wide clients, not a run's own). grpc-js shares connections
 * between clients by address, so when a later engine listens on a port an earlier one used, the new
 * run gets the dead connection and fails at once: `14 UNAVAILABLE: No connection established. Last
 * error: null`. With dozens of runs in one process that happened about once in every few suites. A
 * subchannel pool per client makes every run connect afresh. `runtime` is a copy of
 * `@pulumi/pulumi/runtime` (its client options are not in Pulumi's typings; they are read each time a
 * client is made).
 */
export function connectAfresh(runtime: unknown): void {
  (runtime as { grpcClientOptions: Record<string, unknown> }).grpcClientOptions[
    "grpc.use_local_subchannel_pool"
  ] = 1;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
connectAfresh(require("@pulumi/pulumi/runtime"));

/** A stack's outputs as plain values (`up` answers each with its secret flag). */
export function plainOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/** A stack on a throw-away local backend, driven by the real Pulumi CLI (from PULUMI_CAS_ENGINE_BIN or PATH). */
export interface EngineStack {
  stack: Stack;
  dir: string;
  /** `pulumi stack export` as a user runs it (secrets stay ciphertext; the Automation API's own export decrypts them). */
  exportRaw(): string;
  dispose(): Promise<void>;
}

export async function engineStack(
  projectName: string,
  program: PulumiFn,
  env: Record<string, string>,
  /** Share another stack's file backend (for StackReference). */
  shareBackendWith?: EngineStack,
): Promise<EngineStack> {
  const bin = process.env.PULUMI_CAS_ENGINE_BIN;
  if (!bin)
    throw new Error(
      "PULUMI_CAS_ENGINE_BIN is not set: run the e2e suite with `npm run test:e2e`, which finds or builds the engine",
    );
  const dir = mkdtempSync(join(tmpdir(), "cas-e2e-"));
  const backend = `file://${shareBackendWith ? join(shareBackendWith.dir, "state") : join(dir, "state")}`;
  mkdirSync(join(dir, "state"));
  // The workspace (Pulumi.yaml, stack config) inside `dir` too, so dispose leaves nothing behind.
  mkdirSync(join(dir, "project"));
  const envVars: Record<string, string> = {
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_BACKEND_URL: backend,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_HOME: join(dir, "home"),
    // The provider host runs `node` from PATH: make it the Node running this suite (>= 22).
    PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    ...env,
  };
  const pulumiCommand = await PulumiCommand.get({ root: dirname(bin) });
  const stack = await LocalWorkspace.createStack(
    { stackName: "e2e", projectName, program },
    {
      pulumiCommand,
      pulumiHome: join(dir, "home"),
      workDir: join(dir, "project"),
      projectSettings: {
        name: projectName,
        runtime: "nodejs",
        main: process.cwd(),
        backend: { url: backend },
      },
      envVars,
    },
  );
  return {
    stack,
    dir,
    exportRaw: () =>
      execFileSync(
        join(bin, "pulumi"),
        ["stack", "export", "--stack", "e2e", "--cwd", stack.workspace.workDir],
        {
          env: { ...process.env, ...envVars },
        },
      ).toString(),
    dispose: async () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A stack whose provider talks to `emu`: endpoint in the environment, credentials in stack config (the secret as a secret). */
export async function emulatorStack(
  projectName: string,
  program: PulumiFn,
  emu: { endpoint: string; accessKeyId: string; accessKeySecret: string },
): Promise<EngineStack> {
  const s = await engineStack(projectName, program, { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint });
  // One CLI call for both (each call starts the CLI: about a second on a busy machine).
  await s.stack.setAllConfig({
    "alicloud:accessKey": { value: emu.accessKeyId },
    "alicloud:secretKey": { value: emu.accessKeySecret, secret: true },
  });
  return s;
}

// `npm run demo`: the whole flow on this machine, offline. Starts the embedded CAS emulator
// (state under .demo/), finds or builds the Pulumi engine, runs the quickstart program twice
// (order → publish the DNS record → wait for the certificate) on a local file backend.
// `npm run demo -- --destroy` cleans up. CAS_DEMO_DIR moves the state folder (default .demo/).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type RunningEmulator } from "../emulator/server";
import { findOrBuildPulumiCli } from "../offline/pulumi-cli";

const ROOT = resolve(__dirname, "..", "..");
const DEMO = process.env.CAS_DEMO_DIR ? resolve(process.env.CAS_DEMO_DIR) : join(ROOT, ".demo");
const STACK = "demo";
/** What the demo writes in its folder; `--destroy` removes these, and the folder only once it is empty. */
const DEMO_PARTS = ["emulator", "home", "keys", "project", "state"];
const DOMAIN = "www.example.com";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n: number, text: string) => console.log(`\n${bold(`▸ ${n}. ${text}`)}`);

/** The Pulumi CLI: installed, cached, or built once from the Go module proxy (each step printed). */
async function engineBin(): Promise<string> {
  const cli = await findOrBuildPulumiCli({
    log: (line) => console.log(`  ${line}`),
    toolOutput: (line) => console.log(`    ${line}`),
    rerun: "`npm run demo`",
  });
  return cli.bin;
}

/**
 * Removes the stack locks an interrupted run left (their `pulumi` process is gone), as `pulumi cancel`
 * would: this backend is the demo's own, so a lock whose process has ended guards nothing.
 */
function clearStaleLocks(): void {
  const dir = join(DEMO, "state", ".pulumi", "locks");
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (!name.endsWith(".json")) continue;
    const file = join(dir, name);
    const lock = JSON.parse(readFileSync(file, "utf8")) as { pid?: number; hostname?: string };
    if (lock.hostname !== hostname() || typeof lock.pid !== "number" || isRunning(lock.pid)) continue;
    unlinkSync(file);
    console.log(`  removed the stack lock of an interrupted run (pulumi process ${lock.pid} has ended)`);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes what the demo wrote; a folder that also holds other files (CAS_DEMO_DIR) keeps them. */
function removeDemoFiles(): void {
  for (const part of DEMO_PARTS) rmSync(join(DEMO, part), { recursive: true, force: true });
  if (readdirSync(DEMO).length === 0) rmdirSync(DEMO);
  else console.log(`  ${DEMO} is kept: it holds files the demo did not write`);
}

async function demoStack(emu: RunningEmulator, bin: string): Promise<Stack> {
  mkdirSync(join(DEMO, "state"), { recursive: true });
  clearStaleLocks();
  // Pulumi.yaml and the stack's config there too (not a temporary folder left behind on every run).
  mkdirSync(join(DEMO, "project"), { recursive: true });
  const backend = `file://${join(DEMO, "state")}`;
  const { quickstart } = await import("../examples/quickstart/program.js");
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: STACK, projectName: "cas-quickstart", program: quickstart },
    {
      pulumiCommand: await PulumiCommand.get({ root: dirname(bin) }),
      pulumiHome: join(DEMO, "home"),
      workDir: join(DEMO, "project"),
      projectSettings: { name: "cas-quickstart", runtime: "nodejs", main: ROOT, backend: { url: backend } },
      envVars: {
        PULUMI_CONFIG_PASSPHRASE: "demo",
        PULUMI_BACKEND_URL: backend,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        // The emulator's port changes per run: the endpoint is read at run time, never stored in state.
        ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
      },
    },
  );
  await stack.setConfig("alicloud:accessKey", { value: emu.accessKeyId });
  await stack.setConfig("alicloud:secretKey", { value: emu.accessKeySecret, secret: true });
  await stack.setConfig("keyDir", { value: join(DEMO, "keys") });
  await stack.setConfig("domain", { value: DOMAIN });
  return stack;
}

const print = (line: string) => process.stdout.write(line);

async function up(stack: Stack, waitForIssuance: boolean) {
  await stack.setConfig("waitForIssuance", { value: String(waitForIssuance) });
  return stack.up({ onOutput: print, color: process.stdout.isTTY ? "always" : "never" });
}

async function main(): Promise<void> {
  const destroy = process.argv.includes("--destroy");
  console.log(bold("pulumi-alicloud-cas demo") + ` — everything runs locally; state lives in ${DEMO}`);

  step(1, "Starting the embedded CAS emulator");
  const emu = await startEmulator({
    dataDir: join(DEMO, "emulator"),
    accessKeyId: "LTAIdemo0000000000000",
    accessKeySecret: "demo-secret-emulator-only",
    // Orders are validated once their DNS record is published, then issued 2 s later.
    lifecycle: { validation: "dns", issueAfterMs: 2000 },
  });
  console.log(
    `  CAS API at ${emu.endpoint} (access key ${emu.accessKeyId}; a plan of 100 orders per product code)`,
  );

  try {
    step(2, "Finding the Pulumi engine (the first run builds it from the Go module proxy: a few minutes)");
    const bin = await engineBin();
    const stack = await demoStack(emu, bin);

    if (destroy) {
      step(3, "pulumi destroy");
      // remove: the stack goes with its resources, so the engine does not end with its
      // "run `pulumi stack rm`" hint for a stack this command removes anyway.
      await stack.destroy({ onOutput: print, remove: true });
      await emu.close();
      removeDemoFiles();
      console.log(
        `\n${bold("Done.")} The demo stack is removed with its state (no \`pulumi stack rm\` needed: the hint above is the engine's), and what it wrote in ${DEMO} (emulator data, keys) is deleted. Run ${bold("npm run demo")} to start over.`,
      );
      return;
    }

    const before = await stack.outputs();
    if (before.certificatePem?.value) {
      step(3, "The certificate was issued in an earlier run: pulumi up should report no changes");
      const again = await up(stack, true);
      console.log(
        `\n${bold("Done.")} ${changeSummary(again.summary.resourceChanges)} — run ${bold("npm run demo -- --destroy")} to clean up.`,
      );
      return;
    }

    step(3, "pulumi up (1/2): order a certificate with a locally made key and CSR");
    const first = await up(stack, false);
    const rec = first.outputs.validationRecord?.value as
      { name: string; zone: string; rr: string; type: string; value: string } | undefined;
    const orderId = String(first.outputs.orderId?.value);
    if (first.outputs.status?.value === "pending_validation" && rec) {
      step(4, "The order waits for domain validation. Publish this DNS record:");
      console.log(`  zone ${rec.zone}   host record (rr) ${rec.rr}   type ${rec.type}\n  value ${rec.value}`);
      console.log(
        "  In a real account, alicloud.dns.AlidnsRecord does this (see examples/alidns); here the emulator is told directly.",
      );
      emu.control.publishDnsRecord({ name: rec.name, type: rec.type, value: rec.value });
    } else {
      step(4, `Order ${orderId} is ${String(first.outputs.status?.value)}; nothing to publish`);
    }

    step(5, "pulumi up (2/2): CertificateOrderValidation waits until CAS issues the certificate");
    const second = await up(stack, true);
    const o = second.outputs;
    // Status and certificate come from the validation resource: CertificateOrder's own status is
    // as of its last read (when it was placed), and is not read again in this `up`.
    step(6, "Issued");
    console.log(`  order            ${orderId}`);
    console.log(`  status           ${String(o.status?.value)} (from CertificateOrderValidation)`);
    console.log(`  serial           ${String(o.serialNumber?.value)}`);
    console.log(`  valid until      ${String(o.notAfter?.value)}`);
    console.log(`  SHA-256          ${String(o.fingerprintSha256?.value)}`);
    console.log(`  private key      ${String(o.keyPath?.value)} (never left this machine)`);
    console.log(`  certificate      ${String(o.certificatePem?.value).split("\n")[0]} …`);
    console.log(`\n${bold("Try next:")}
  npm run demo                 # again: the program is unchanged, so the engine reports no changes
  npm run demo -- --destroy    # destroy the stack (an issued certificate stays valid: onDelete=cancel) and wipe .demo/
  npx cas-emulator --help      # run the emulator yourself and point a stack at it (--print-env)
  examples/quickstart          # the program this demo ran`);
  } finally {
    await emu.close(); // closing twice is harmless
  }
}

/** The engine's change counts as words: `{ same: 3 }` → "3 unchanged". */
function changeSummary(changes: Partial<Record<string, number>> | undefined): string {
  const words: Record<string, string> = {
    same: "unchanged",
    create: "created",
    update: "updated",
    delete: "deleted",
    replace: "replaced",
  };
  const parts = Object.entries(changes ?? {})
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([op, n]) => `${n ?? 0} ${words[op] ?? op}`);
  return parts.length ? parts.join(", ") : "nothing to do";
}

main().catch((e: unknown) => {
  // On a line of its own, whatever the last output (engine output may end mid-line).
  console.error(`\ndemo failed: ${(e as Error).message}`);
  process.exit(1);
});

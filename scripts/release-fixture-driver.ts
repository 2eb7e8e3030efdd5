// Runs a release fixture's program under the real engine with the RELEASED package, in the temporary
// clone that scripts/record-release-fixture.ts made. It is started with that clone's Node and loads
// every module from the clone (createRequire), never from this repository: only node: built-ins
// are imported here.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** What the recording script passes (as JSON, the only argument). */
export interface DriverJob {
  /** The temporary clone at the release's commit, built, with its own node_modules. */
  clone: string;
  /** Where the fixture is written (program.cjs, the CSRs and a partial inputs.json are already there). */
  fixtureDir: string;
  /** Scratch space for the backend, workspace and PULUMI_HOME. */
  work: string;
  /** The directory holding the `pulumi` binary. */
  engineBin: string;
  projectName: string;
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
}

/** What the release supports, found by asking its own provider's `check` and its SDK. */
export interface Declares {
  /** How the multi-name order is declared: `domains`, a CSR with several names, or not at all. */
  multi: "domains" | "csr" | "none";
  managedCertificate: boolean;
}

type Props = Record<string, unknown>;
interface OrderProvider {
  check(olds: Props, news: Props): Promise<{ failures?: Array<{ property: string; reason: string }> }>;
}

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

async function accepted(provider: OrderProvider, news: Props): Promise<string[]> {
  const r = await provider.check({}, { ...news, ...contact, quotaCheck: "off" });
  return (r.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "") as DriverJob;
  const req = createRequire(join(job.clone, "package.json"));
  /* eslint-disable @typescript-eslint/no-require-imports -- the released package, not this one's */
  const cas = req("pulumi-alicloud-cas") as Record<string, unknown>;
  const pulumi = req("@pulumi/pulumi") as unknown;
  const auto = req("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  const provider = (req("pulumi-alicloud-cas/provider") as { order: OrderProvider }).order;
  const program = require(join(job.fixtureDir, "program.cjs")) as (pkgs: {
    cas: unknown;
    pulumi: unknown;
  }) => () => Promise<Record<string, unknown>>;
  /* eslint-enable @typescript-eslint/no-require-imports */

  const inputsFile = join(job.fixtureDir, "inputs.json");
  const inputs = JSON.parse(readFileSync(inputsFile, "utf8")) as { csrs: { multi: string } } & Props;
  const byDomains = await accepted(provider, { domains: ["multi.example.com", "www.multi.example.com"] });
  const byCsr = await accepted(provider, {
    csr: readFileSync(join(job.fixtureDir, inputs.csrs.multi), "utf8"),
  });
  const declares: Declares = {
    multi: byDomains.length === 0 ? "domains" : byCsr.length === 0 ? "csr" : "none",
    managedCertificate: typeof cas.ManagedCertificate === "function",
  };
  const refusals = { domains: byDomains, csr: byCsr };
  writeFileSync(inputsFile, JSON.stringify({ ...inputs, declares, refusals }, null, 2) + "\n");
  console.log(`[record] this release declares ${JSON.stringify(declares)}`);

  const backend = `file://${join(job.work, "state")}`;
  for (const d of ["state", "project", "home"]) mkdirSync(join(job.work, d), { recursive: true });
  const envVars: Record<string, string> = {
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_BACKEND_URL: backend,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_HOME: join(job.work, "home"),
    // The provider host runs `node` from PATH: the clone's Node 22.
    PATH: `${job.engineBin}:${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    ALIBABA_CLOUD_ENDPOINT_CAS: job.endpoint,
  };
  const workDir = join(job.work, "project");
  const stack = await auto.LocalWorkspace.createStack(
    {
      stackName: "e2e",
      projectName: job.projectName,
      program: program({ cas, pulumi }),
    },
    {
      pulumiCommand: await auto.PulumiCommand.get({ root: dirname(job.engineBin) }),
      pulumiHome: join(job.work, "home"),
      workDir,
      // main: the clone, so the provider process loads the released package by name.
      projectSettings: {
        name: job.projectName,
        runtime: "nodejs",
        main: job.clone,
        backend: { url: backend },
      },
      envVars,
    },
  );
  await stack.setAllConfig({
    "alicloud:accessKey": { value: job.accessKeyId },
    "alicloud:secretKey": { value: job.accessKeySecret, secret: true },
  });
  const up = await stack.up({ onOutput: (t) => process.stdout.write(t) });
  if (up.summary.result !== "succeeded") throw new Error(`pulumi up: ${up.summary.result}`);

  // As a user exports it: secrets stay ciphertext under the stack's passphrase.
  const exported = execFileSync(
    join(job.engineBin, "pulumi"),
    ["stack", "export", "--stack", "e2e", "--cwd", workDir],
    { env: { ...process.env, ...envVars } },
  );
  writeFileSync(join(job.fixtureDir, "deployment.json"), exported);
  copyFileSync(join(workDir, "Pulumi.e2e.yaml"), join(job.fixtureDir, "Pulumi.e2e.yaml"));
}

main().catch((e: unknown) => {
  console.error(`[record] ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});

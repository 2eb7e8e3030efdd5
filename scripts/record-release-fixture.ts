// `npm run record-release-fixture -- <commit>`: records the golden state of a released version for
// tests/e2e/releases.test.ts. It builds <commit> in a temporary clone of this repository, starts THAT
// version's emulator (its own dist/emulator/cli.js, state in a data dir), places the order to adopt
// with a signed API call, and runs the fixture's program.cjs (a frozen copy of
// scripts/release-fixture-program.cjs) under the real engine with the released package
// (scripts/release-fixture-driver.ts). It saves the exported deployment, the stack config, the
// emulator's state, the program and its inputs in tests/fixtures/releases/<full commit>/.
//
// Options: --keep-work keeps the temporary clone and workspace (their path is printed).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CasClient } from "../provider/cas/client";
import { findOrBuildPulumiCli } from "../offline/pulumi-cli";
import { makeCsr } from "../tests/support/keys";
import type { Declares, DriverJob } from "./release-fixture-driver";

const ROOT = resolve(__dirname, "..", "..");
const RELEASES = join(ROOT, "tests", "fixtures", "releases");
/** The project name of every fixture stack; the stack is `e2e`, as the e2e harness names it. */
const FIXTURE_PROJECT = "cas-release-fixture";
/** The emulator account: the keys tests/support/emulator-process.ts starts HEAD's emulator with. */
const ACCESS_KEY_ID = "LTAIe2etestkey";
const ACCESS_KEY_SECRET = "e2e-test-secret-value-0123";
const contact = { Username: "Keller", Phone: "13800001111", Email: "ops@example.com" };

const log = (line: string) => console.log(`[record] ${line}`);

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString();
}

async function engineBin(): Promise<string> {
  const cli = await findOrBuildPulumiCli({
    log,
    toolOutput: (line) => console.log(`  ${line}`),
    rerun: "`npm run record-release-fixture`",
  });
  return cli.bin;
}

/** Starts the release's own emulator (`--data-dir`: its state file is part of the fixture). */
async function startReleaseEmulator(
  clone: string,
  dataDir: string,
): Promise<{ endpoint: string; child: ChildProcess }> {
  const args = [
    join(clone, "dist", "emulator", "cli.js"),
    "--port",
    "0",
    "--data-dir",
    dataDir,
    "--seed",
    "1",
    "--access-key-id",
    ACCESS_KEY_ID,
    "--access-key-secret",
    ACCESS_KEY_SECRET,
    // Orders are validated only once their DNS records are published (the program publishes the
    // `issued` and `managed` ones), then issued at once: the others stay pending.
    "--validation",
    "dns",
    "--issue-after",
    "0",
  ];
  const child = spawn(join(clone, "node_modules", ".bin", "node"), args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const endpoint = await new Promise<string>((ok, fail) => {
    let buffered = "";
    child.stdout.on("data", (c: Buffer) => {
      buffered += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buffered);
      if (m) ok(m[1]!);
    });
    child.once("exit", (code) =>
      fail(new Error(`the release's emulator exited with ${code} before listening`)),
    );
  });
  return { endpoint, child };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}

interface RecordedOrder {
  orderId: string;
  domains: string[];
  state: string;
  action: string;
}

function readme(p: {
  commit: string;
  subject: string;
  version: string;
  declares: Declares;
  refusals: { domains: string[]; csr: string[] };
  orders: RecordedOrder[];
  adoptOrderId: string;
  command: string;
}): string {
  const multi =
    p.declares.multi === "domains"
      ? "`multi`: a `domains` order for two names (CreateCertificateForPackageRequest)."
      : p.declares.multi === "csr"
        ? "`multi`: this release has no `domains` input (its check refused it: " +
          `${p.refusals.domains.join("; ")}), so the order is by a CSR with two names (\`multi.csr.pem\`).`
        : "`multi`: skipped: this release accepts neither `domains` (" +
          `${p.refusals.domains.join("; ")}) nor a CSR with several names (${p.refusals.csr.join("; ")}).`;
  const states = p.orders
    .map((o) => `| ${o.orderId} | ${o.domains.join(", ")} | ${o.action} | ${o.state} |`)
    .join("\n");
  return `# Release fixture ${p.commit}

Golden state recorded with release \`${p.version}\`, commit \`${p.commit}\` ("${p.subject}"),
under the real engine against that commit's own emulator. \`tests/e2e/releases.test.ts\` imports it
and drives it with HEAD.

Recorded with:

\`\`\`sh
${p.command}
\`\`\`

## Files

- \`program.cjs\`: the program (a frozen copy of \`scripts/release-fixture-program.cjs\`), run with the
  released package when recording and with HEAD's when replaying; \`inputs.json\` says which optional
  resources this release supported (\`declares\`, found with the release's own \`check\`), the CSRs
  it reads (\`*.csr.pem\`) and the adopted order's id.
- \`deployment.json\`: \`pulumi stack export\` of stack \`e2e\` in project \`${FIXTURE_PROJECT}\`
  (secrets encrypted).
- \`Pulumi.e2e.yaml\`: the stack config with its \`encryptionsalt\`; passphrase \`e2e-passphrase\`.
- \`emulator-state.json\`: the emulator's \`state.json\` after recording (load it with
  \`cas-emulator --data-dir\` from a copy; access key \`${ACCESS_KEY_ID}\`).

## Resources

- \`pending\`: a DNS-validated order by CSR (\`pending.csr.pem\`), still pending.
- \`issued\`: a DNS-validated order by domain, its record published (\`issued-validation\`, a
  stand-in for \`alicloud.dns.AlidnsRecord\` that publishes to the emulator) and issued; its
  \`CertificateOrderValidation\` holds the certificate. The order's own outputs are as of its
  creation (pending); a refresh reads it as issued.
- \`file\`: a FILE-validated order, pending (its name given as an Output: see \`program.cjs\`).
- ${multi}
- \`adopted\`: \`adoptOrderId: "${p.adoptOrderId}"\`, an order placed directly on the emulator with a
  signed \`CreateCertificateRequest\`, pending.
- ${
    p.declares.managedCertificate
      ? "`managed`: a `ManagedCertificate` (`onDelete: revoke`), issued."
      : "`managed`: skipped: this release has no `ManagedCertificate`."
  }

Orders in the emulator after recording:

| OrderId | names | action | state |
| --- | --- | --- | --- |
${states}
`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "keep-work": { type: "boolean" } },
  });
  if (positionals.length !== 1) throw new Error("usage: record-release-fixture <commit> [--keep-work]");
  const commit = run("git", ["rev-parse", "--verify", `${positionals[0]}^{commit}`], ROOT).trim();
  const subject = run("git", ["log", "-1", "--format=%s", commit], ROOT).trim();
  const bin = await engineBin();
  const work = mkdtempSync(join(tmpdir(), "cas-release-fixture-"));
  const clone = join(work, "src");
  // Written in the work folder and copied into the repository once complete (the program's path
  // is also what the engine records as each resource's source position).
  const fixtureDir = join(work, "fixture");
  mkdirSync(fixtureDir);
  let emulator: ChildProcess | undefined;
  try {
    log(`building ${commit} in ${clone}`);
    run("git", ["clone", "--quiet", "--no-checkout", ROOT, clone], ROOT);
    run("git", ["-c", "advice.detachedHead=false", "checkout", "--quiet", commit], clone);
    run("npm", ["ci", "--no-audit", "--no-fund"], clone);
    run("npm", ["run", "build"], clone);
    const version = (JSON.parse(readFileSync(join(clone, "package.json"), "utf8")) as { version: string })
      .version;

    copyFileSync(join(ROOT, "scripts", "release-fixture-program.cjs"), join(fixtureDir, "program.cjs"));
    const csrs = { pending: "pending.csr.pem", multi: "multi.csr.pem" };
    writeFileSync(join(fixtureDir, csrs.pending), (await makeCsr("pending.example.com")).pem);
    writeFileSync(
      join(fixtureDir, csrs.multi),
      (await makeCsr("multi.example.com", ["multi.example.com", "www.multi.example.com"])).pem,
    );

    const dataDir = join(work, "emulator");
    const emu = await startReleaseEmulator(clone, dataDir);
    emulator = emu.child;
    log(`the release's emulator listens on ${emu.endpoint}`);
    // The order to adopt, placed as another tool (or the console) would: a signed API call.
    const api = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      env: {},
      userAgent: "record-release-fixture",
    });
    const { OrderId: adoptOrderId } = await api.call("CreateCertificateRequest", {
      Domain: "adopted.example.com",
      ValidateType: "DNS",
      ...contact,
    });
    log(`order ${adoptOrderId} placed for adoption`);
    writeFileSync(
      join(fixtureDir, "inputs.json"),
      JSON.stringify({ commit, release: version, csrs, adoptOrderId }, null, 2) + "\n",
    );

    const job: DriverJob = {
      clone,
      fixtureDir,
      work: join(work, "pulumi"),
      engineBin: bin,
      projectName: FIXTURE_PROJECT,
      endpoint: emu.endpoint,
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
    };
    execFileSync(
      join(clone, "node_modules", ".bin", "node"),
      [join(ROOT, "dist", "scripts", "release-fixture-driver.js"), JSON.stringify(job)],
      { stdio: "inherit", env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` } },
    );
    await stop(emu.child);
    emulator = undefined;
    copyFileSync(join(dataDir, "state.json"), join(fixtureDir, "emulator-state.json"));

    const inputs = JSON.parse(readFileSync(join(fixtureDir, "inputs.json"), "utf8")) as {
      csrs: Partial<typeof csrs>;
      declares: Declares;
      refusals: { domains: string[]; csr: string[] };
    };
    if (inputs.declares.multi !== "csr") {
      // Made only to ask the release whether it takes a CSR with several names: not part of the program.
      rmSync(join(fixtureDir, csrs.multi));
      delete inputs.csrs.multi;
      writeFileSync(join(fixtureDir, "inputs.json"), JSON.stringify(inputs, null, 2) + "\n");
    }
    const state = JSON.parse(readFileSync(join(fixtureDir, "emulator-state.json"), "utf8")) as {
      orders: Record<string, RecordedOrder>;
    };
    writeFileSync(
      join(fixtureDir, "README.md"),
      readme({
        commit,
        subject,
        version,
        declares: inputs.declares,
        refusals: inputs.refusals,
        orders: Object.values(state.orders),
        adoptOrderId,
        command: `npm run record-release-fixture -- ${positionals[0]}`,
      }),
    );
    const target = join(RELEASES, commit);
    rmSync(target, { recursive: true, force: true });
    cpSync(fixtureDir, target, { recursive: true });
    log(`fixture written to ${relative(ROOT, target)}`);
  } finally {
    if (emulator) await stop(emulator);
    if (values["keep-work"]) log(`work kept in ${work}`);
    else if (existsSync(work)) rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  // The client keeps its connections open: exit instead of waiting for them to time out.
  () => process.exit(0),
  (e: unknown) => {
    console.error(`[record] ${(e as Error).message}`);
    process.exit(1);
  },
);

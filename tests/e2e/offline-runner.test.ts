import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
const RUNNER = join(ROOT, "dist", "offline", "runner.js");

// The shipped offline runner under the real engine: it starts its own emulator (data, state and
// stack config in the project folder), prints outputs and the provider's diagnostics, and its exit
// code says whether the command worked.
describe("cas-offline under the real engine", function () {
  this.timeout(600_000);
  let dir: string;
  /** A CLI cache as the runner builds it, holding the engine this suite runs (linked, not copied). */
  let cachedBin: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "cas-offline-e2e-"));
    const engine = process.env.PULUMI_CAS_ENGINE_BIN;
    if (!engine)
      throw new Error("PULUMI_CAS_ENGINE_BIN is not set: run the e2e suite with `npm run test:e2e`");
    cachedBin = join(dir, "cache", "pulumi-v3.274.1", "bin");
    mkdirSync(cachedBin, { recursive: true });
    symlinkSync(join(engine, "pulumi"), join(cachedBin, "pulumi"));
    symlinkSync(
      join(ROOT, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs"),
      join(cachedBin, "pulumi-resource-pulumi-nodejs"),
    );
    // The project's own node_modules: the provider process loads the package by name from here.
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    writeFileSync(
      join(dir, "program.js"),
      `const { CertificateOrder } = require("pulumi-alicloud-cas");
module.exports = async () => {
  const o = new CertificateOrder("www", {
    domain: process.env.CAS_TEST_DOMAIN || "www.example.com",
    username: "Keller",
    phone: "13800001111",
    email: "ops@example.com",
  });
  return { orderId: o.orderId, status: o.status };
};
`,
    );
    writeFileSync(
      join(dir, "broken.js"),
      `module.exports = async () => { throw new Error("the program broke"); };\n`,
    );
  });

  function runner(args: string[], env: Record<string, string> = {}) {
    const base = { ...process.env };
    for (const k of Object.keys(base))
      if (k.startsWith("ALIBABA_CLOUD_") || k.startsWith("ALICLOUD_")) delete base[k];
    // No engine named or on PATH: the runner finds the one in its cache.
    delete base.PULUMI_CAS_ENGINE_BIN;
    base.PATH = (base.PATH ?? "")
      .split(delimiter)
      .filter((d) => d && !existsSync(join(d, "pulumi")))
      .join(delimiter);
    base.PULUMI_CAS_CACHE = join(dir, "cache");
    const child = spawn(process.execPath, [RUNNER, ...args], {
      cwd: dir,
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    return new Promise<{ code: number | null; out: string; err: string }>((ok) =>
      child.on("close", (code) => ok({ code, out, err })),
    );
  }

  it("finds the CLI in its cache; up prints the outputs, preview the replacement's reason; a failing program exits 1; destroy cleans up", async () => {
    const cli = await runner(["install-cli"]);
    assert.equal(cli.code, 0, cli.err);
    assert.equal(cli.out, `${cachedBin}\n`);
    assert.equal(cli.err, `cas-offline: using cached pulumi v3.274.1 from ${cachedBin}\n`);

    const up = await runner(["up", "--program", "program.js"]);
    assert.equal(up.code, 0, up.out + up.err);
    assert.match(up.out, /cas-offline: outputs\n {2}orderId: "\d+"\n {2}status: "pending_validation"\n/);
    assert.match(up.out, /publish TXT _dnsauth\.www\.example\.com = "[^"]+"/);
    assert.match(up.out, new RegExp(`state in ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\.cas-offline`));

    const preview = await runner(["preview", "--program", "program.js"], {
      CAS_TEST_DOMAIN: "api.example.com",
    });
    assert.equal(preview.code, 0, preview.out + preview.err);
    assert.match(
      preview.out + preview.err,
      /domain: "www\.example\.com" → "api\.example\.com"; CAS cannot change this on an existing order/,
    );

    const broken = await runner(["up", "--program", "broken.js"]);
    assert.equal(broken.code, 1, broken.out + broken.err);
    assert.match(broken.err, /the program broke/);
    // The engine's output was shown once, as it came: the error adds no copy of it or of the command line.
    assert.doesNotMatch(broken.err, /--client=|code: -?\d+\n/);

    // --config sets stack config first: a bad value of a setting stops the preview naming it.
    const badSetting = await runner([
      "preview",
      "--program",
      "program.js",
      "--config",
      "alicloud-cas:qps=ten",
    ]);
    assert.equal(badSetting.code, 1, badSetting.out + badSetting.err);
    assert.match(
      badSetting.out + badSetting.err,
      /alicloud-cas:qps: "ten" is not a positive number of requests per second/,
    );
    const usage = await runner(["preview", "--program", "program.js", "--config", "qps"]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--config "qps": give KEY=VALUE with a namespaced key/);
    const fixed = await runner([
      "preview",
      "--program",
      "program.js",
      "--config",
      "alicloud-cas:qps=5",
      "--config",
      "my-certs:email=ops@example.com",
    ]);
    assert.equal(fixed.code, 0, fixed.out + fixed.err);
    // A key of the user's own project: set as given, and said where the program's Config reads.
    assert.match(
      fixed.err,
      /warning: --config my-certs:email is set as given; the program runs as project cas-offline, so its own new pulumi\.Config\(\) reads cas-offline:email/,
    );

    const destroy = await runner(["destroy", "--program", "program.js"]);
    assert.equal(destroy.code, 0, destroy.out + destroy.err);
    assert.match(destroy.out, /the engine's `pulumi stack rm` hint does not apply here/);
    assert.match(
      destroy.out,
      /order \d+: (withdrawn and deleted before issuance|the issued certificate is kept valid in CAS)/,
    );
    const cancel = await runner(["cancel"]);
    assert.equal(cancel.code, 0, cancel.out + cancel.err);
    assert.match(
      cancel.out,
      /cas-offline: cancelled the stack's running update, if any \(its lock is removed\)/,
    );
  });
});

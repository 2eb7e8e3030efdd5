import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { copiedExampleStack, copyExample, packPackage, type ExampleCopy } from "../support/example-copy";

interface Order {
  orderId: string;
  state: string;
}

// Each example is copied out of the repository, installed from the packed package (as a user's
// project installs the published one) and compiled with its own tsconfig. Examples that run under
// the engine today run there, with their own Pulumi.yaml and @pulumi/pulumi (the nodejs language
// host cannot be built offline, so the program module runs through the Automation API); alidns
// needs the alicloud resource plugin, so it runs under pulumi.runtime.setMocks.
describe("examples, copied out of the repository and installed from the packed package", function () {
  this.timeout(900_000);
  let emu: EmulatorProcess;
  let tarball: string;
  const scratch: string[] = [];
  const orders = async () =>
    ((await emu.control("GET", "orders")) as Order[]).filter((o) => o.state !== "revoked");

  before(async () => {
    // The API allows 5 requests/s per action here; the provider is told 4.
    emu = await startEmulatorProcess(["--validation", "manual", "--qps", "5"]);
    tarball = packPackage().tarball;
    scratch.push(dirname(tarball));
  });
  after(async () => {
    await emu?.stop();
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });

  function copy(name: string): ExampleCopy {
    const c = copyExample(name, tarball);
    scratch.push(dirname(c.dir));
    assert.match(
      c.manifest.dependencies["pulumi-alicloud-cas"]!,
      /^\^\d+\.\d+\.\d+$/,
      "the published version",
    );
    for (const p of ["node_modules/x/index.js", "bin/index.js", ".pulumi/stacks/dev.json"])
      assert.ok(c.ignored(p), `${name}/.gitignore ignores ${p}`);
    return c;
  }

  /** A stack of the copy pointed at the emulator: endpoint in the environment, credentials in config. */
  async function stack(c: ExampleCopy, name: string, stateDir: string, config: Record<string, string> = {}) {
    const s = await copiedExampleStack(c, name, async () => c.load<Record<string, unknown>>("index.js"), {
      stateDir,
      env: { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
    });
    await s.setConfig("alicloud:accessKey", { value: emu.accessKeyId });
    await s.setConfig("alicloud:secretKey", { value: emu.accessKeySecret, secret: true });
    for (const [k, v] of Object.entries(config)) await s.setConfig(k, { value: v });
    return s;
  }
  const state = (c: ExampleCopy) => join(dirname(c.dir), "state");
  const outputsOf = async (s: Stack) =>
    Object.fromEntries(Object.entries(await s.outputs()).map(([k, v]) => [k, v.value]));

  it("quickstart: order with a local CSR, publish the record, wait, export the certificate; keys stay out of git", async () => {
    const c = copy("quickstart");
    const keyDir = join(c.dir, ".keys");
    const q = await stack(c, "dev", state(c), { keyDir, waitForIssuance: "false" });
    const first = await q.up();
    const rec = first.outputs.validationRecord!.value as Record<string, string>;
    assert.deepEqual(
      [rec.name, rec.rr, rec.zone, rec.type],
      ["_dnsauth.www.example.com", "_dnsauth.www", "example.com", "TXT"],
    );
    assert.equal(first.outputs.status!.value, "pending_validation");
    const orderId = String(first.outputs.orderId!.value);
    await emu.control("POST", `orders/${orderId}/issue`);
    await q.setConfig("waitForIssuance", { value: "true" });
    const second = await q.up();
    assert.match(String(second.outputs.certificatePem!.value), /^-----BEGIN CERTIFICATE-----/);
    assert.equal(
      second.outputs.status!.value,
      "issued",
      "status from the validation resource, not the order's last read",
    );
    assert.equal(second.outputs.keyPath!.value, join(keyDir, "www.example.com.key.pem"));
    assert.ok(existsSync(join(keyDir, "www.example.com.key.pem")));
    const untracked = execFileSync("git", [
      "-C",
      c.dir,
      "status",
      "--porcelain",
      "--untracked-files=all",
    ]).toString();
    assert.doesNotMatch(
      untracked,
      /\.keys|key\.pem|node_modules|bin\//,
      "git status shows no key, install or build output",
    );
    assert.match(untracked, /Pulumi\.yaml/);
    const again = await q.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 3 }, "the locally kept key keeps the CSR stable");
    await q.destroy();
  });

  it("batch: 30 domains become 30 orders under the API's rate limit, and destroy returns the quota", async () => {
    const c = copy("batch");
    // Orders of other tests (an issued certificate stays valid on destroy) are left as they are.
    const before = (await orders()).length;
    const planBefore = await emu.control("GET", "plans/digicert-free-1-free");
    const domains = Array.from({ length: 30 }, (_, i) => `host${i}.example.com`);
    const s = await stack(c, "dev", state(c), { domains: JSON.stringify(domains), "alicloud-cas:qps": "4" });
    const res = await s.up();
    assert.equal(res.summary.result, "succeeded");
    const ids = res.outputs.orderIds!.value as string[];
    assert.equal(new Set(ids).size, 30);
    assert.equal((await orders()).length, before + 30, "no duplicates");
    await s.destroy();
    assert.equal((await orders()).length, before);
    assert.deepEqual(await emu.control("GET", "plans/digicert-free-1-free"), planBefore);
  });

  it("stack-outputs: one project, two stacks; the second reads the records through a StackReference", async () => {
    const c = copy("stack-outputs");
    const certs = await stack(c, "certs", state(c));
    const up = await certs.up();
    const records = up.outputs.validationRecords!.value as Array<{ fqdn: string; value: string }>;
    assert.deepEqual(
      records.map((r) => r.fqdn),
      ["_dnsauth.www.example.com", "_dnsauth.api.example.com"],
    );
    // Same project, same backend; `certificatesStack` makes index.ts run dns().
    const dns = await stack(c, "dns", state(c), {
      certificatesStack: "organization/cas-stack-outputs/certs",
    });
    await dns.up();
    assert.deepEqual((await outputsOf(dns)).records, [
      { domainName: "example.com", rr: "_dnsauth.www", type: "TXT", value: records[0]!.value, ttl: 600 },
      { domainName: "example.com", rr: "_dnsauth.api", type: "TXT", value: records[1]!.value, ttl: 600 },
    ]);
    await dns.destroy();
    await certs.destroy();
  });

  it("alidns (needs the alicloud plugin): its program wires order → AlidnsRecord → validation under setMocks", () => {
    const c = copy("alidns");
    // Runs in the copy with its own @pulumi/pulumi and @pulumi/alicloud.
    writeFileSync(
      join(c.dir, "mocks-run.js"),
      `const pulumi = require("@pulumi/pulumi");
const created = [];
const record = { domain: "www.example.com", fqdn: "_dnsauth.www.example.com", rr: "_dnsauth.www", zone: "example.com", type: "TXT", value: "20261125abc" };
pulumi.runtime.setMocks({
  newResource(args) {
    created.push({ type: args.type, name: args.name, inputs: args.inputs });
    if (args.type.endsWith(":CertificateOrder"))
      return { id: "12000001", state: { ...args.inputs, orderId: "12000001", status: "pending_validation", validationRecords: { "www.example.com": record } } };
    if (args.type.endsWith(":CertificateOrderValidation"))
      return { id: "12000001-validation", state: { ...args.inputs, certificatePem: "-----BEGIN CERTIFICATE-----" } };
    return { id: args.name + "-id", state: args.inputs };
  },
  call: () => ({}),
}, "cas-alidns", "test", false);
const out = require("./bin/index.js");
pulumi.all(out).apply((outputs) => console.log(JSON.stringify({ outputs, created })));
`,
    );
    const { outputs, created } = JSON.parse(
      execFileSync(process.execPath, [join(c.dir, "mocks-run.js")], { cwd: c.dir }).toString(),
    ) as {
      outputs: Record<string, unknown>;
      created: Array<{ type: string; inputs: Record<string, unknown> }>;
    };
    assert.equal(outputs.certificatePem, "-----BEGIN CERTIFICATE-----");
    assert.equal(outputs.recordId, "www-validation-id");
    const byType = (t: string) => created.find((r) => r.type === t)!.inputs;
    assert.deepEqual(byType("alicloud:dns/alidnsRecord:AlidnsRecord"), {
      domainName: "example.com",
      rr: "_dnsauth.www",
      type: "TXT",
      value: "20261125abc",
      ttl: 600,
    });
    const waiter = byType("pulumi-nodejs:dynamic/alicloud-cas:CertificateOrderValidation");
    assert.deepEqual(
      [waiter.orderId, waiter.validationRecordFqdns],
      ["12000001", ["_dnsauth.www.example.com"]],
    );
  });
});

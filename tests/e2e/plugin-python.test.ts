// A Python program on the alicloudcas provider plugin: the generated SDK (plugin-sdk/python) in
// the virtual environment scripts/plugin-python.sh makes (cached under ~/.cache/pulumi-alicloud-cas),
// driven as an Automation API inline program by the real engine against the emulator running as a
// separate server. It orders a certificate, publishes the record its outputs name to the emulator's
// DNS, waits for issuance; a second `up` changes nothing; `destroy` removes every resource.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import {
  languageSandbox,
  programReport,
  setupScript,
  type LanguageSandbox,
  type ProgramReport,
} from "../support/plugin-languages";

const ROOT = resolve(__dirname, "..", "..", "..");

describe("the alicloudcas plugin under the real engine: a Python program (generated SDK, Automation API)", function () {
  // The first run makes the virtual environment (pip install from PyPI); later runs reuse it.
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  let sandbox: LanguageSandbox;
  let report: ProgramReport;

  before(async () => {
    const started = Date.now();
    const python = await setupScript("plugin-python.sh");
    console.error(`[plugin-python] environment ready in ${Math.round((Date.now() - started) / 1000)}s`);
    emu = await startEmulatorProcess(["--validation", "dns", "--issue-after", "200", "--seed", "22"]);
    sandbox = languageSandbox(emu, "python");
    const ran = Date.now();
    const { stdout } = await sandbox.run(python, [
      join(ROOT, "tests", "python", "plugin_program.py"),
      join(sandbox.dir, "work"),
    ]);
    console.error(`[plugin-python] up, up, destroy in ${Math.round((Date.now() - ran) / 1000)}s`);
    report = programReport(stdout);
  });
  after(async () => {
    sandbox?.dispose();
    await emu?.stop();
  });

  it("up orders, publishes the record the outputs name and waits for issuance", async () => {
    const out = report.up.outputs;
    assert.equal(out.status?.value, "issued");
    assert.match(String(out.certificatePem?.value), /^-----BEGIN CERTIFICATE-----/);
    assert.equal(out.privateKeyPem?.secret, true);
    assert.match(String(out.privateKeyPem?.value), /PRIVATE KEY-----/);
    const [order] = (await emu.control("GET", "orders")) as Array<{ orderId: string; state: string }>;
    assert.equal(out.orderId?.value, order!.orderId);
    const records = (await emu.control("GET", "dns-records")) as Array<{ name: string }>;
    assert.deepEqual(
      records.map((r) => r.name),
      [out.recordFqdn?.value],
      "exactly the record the order's outputs name, published by the program",
    );
    assert.equal(report.up.changes.create, 4, "the stack, the order, the record and the validation");
  });

  it("a second up changes nothing", () => {
    assert.deepEqual(Object.keys(report.second_up.changes), ["same"]);
    assert.equal(report.second_up.changes.same, 4);
  });

  it("destroy removes every resource and keeps the issued certificate valid (onDelete cancel)", async () => {
    assert.equal(report.destroy.changes.delete, 4);
    assert.equal(report.resources_after_destroy, 0);
    const [order] = (await emu.control("GET", "orders")) as Array<{ state: string }>;
    assert.equal(order?.state, "certificate");
  });
});

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { batch } from "../../examples/batch/program";
import { quickstart } from "../../examples/quickstart/program";
import { certificates, dns } from "../../examples/stack-outputs/program";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, engineStack, type EngineStack } from "../support/engine";

interface Order {
  orderId: string;
  state: string;
}

describe("examples under the real engine", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  const stacks: EngineStack[] = [];
  const orders = async () =>
    ((await emu.control("GET", "orders")) as Order[]).filter((o) => o.state !== "revoked");

  before(async () => {
    // The API allows 5 requests/s per action here; the provider is told 4.
    emu = await startEmulatorProcess(["--validation", "manual", "--qps", "5"]);
  });
  after(async () => {
    for (const s of stacks) await s.dispose();
    await emu?.stop();
  });

  async function stack(
    project: string,
    program: () => Record<string, unknown>,
    config: Record<string, string>,
  ) {
    const s = await emulatorStack(project, async () => program(), emu);
    stacks.push(s);
    for (const [k, v] of Object.entries(config)) await s.stack.setConfig(k, { value: v });
    return s;
  }

  it("batch: 30 domains become 30 orders under the API's rate limit, and destroy returns the quota", async () => {
    const domains = Array.from({ length: 30 }, (_, i) => `host${i}.example.com`);
    const s = await stack("cas-batch", batch, { domains: JSON.stringify(domains), "alicloud-cas:qps": "4" });
    const res = await s.stack.up();
    assert.equal(res.summary.result, "succeeded");
    const ids = res.outputs.orderIds!.value as string[];
    assert.equal(new Set(ids).size, 30);
    assert.equal((await orders()).length, 30, "no duplicates");
    await s.stack.destroy();
    assert.deepEqual(await orders(), []);
    assert.deepEqual(await emu.control("GET", "plans/digicert-free-1-free"), {
      total: 100,
      used: 0,
      issued: 0,
    });
  });

  it("quickstart: order with a local CSR, publish the record, wait, export the certificate", async () => {
    const keyDir = mkdtempSync(join(tmpdir(), "cas-keys-"));
    const q = await emulatorStack("cas-quickstart", quickstart, emu);
    stacks.push(q);
    await q.stack.setConfig("keyDir", { value: keyDir });
    await q.stack.setConfig("waitForIssuance", { value: "false" });
    const first = await q.stack.up();
    const rec = first.outputs.validationRecord!.value as {
      name: string;
      type: string;
      value: string;
      rr: string;
      zone: string;
    };
    assert.deepEqual(
      [rec.name, rec.rr, rec.zone, rec.type],
      ["_dnsauth.www.example.com", "_dnsauth.www", "example.com", "TXT"],
    );
    const orderId = String(first.outputs.orderId!.value);
    await emu.control("POST", `orders/${orderId}/issue`);
    await q.stack.setConfig("waitForIssuance", { value: "true" });
    const second = await q.stack.up();
    assert.match(String(second.outputs.certificatePem!.value), /^-----BEGIN CERTIFICATE-----/);
    assert.equal(second.outputs.keyPath!.value, join(keyDir, "www.example.com.key.pem"));
    const again = await q.stack.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 3 }, "the locally kept key keeps the CSR stable");
    await q.stack.destroy();
  });

  it("stack-outputs: a second stack reads the records through a StackReference", async () => {
    const certs = await stack("cas-certificates", certificates, {});
    const up = await certs.stack.up();
    const records = up.outputs.validationRecords!.value as Array<{
      domain: string;
      fqdn: string;
      type: string;
      value: string;
    }>;
    assert.deepEqual(
      records.map((r) => r.fqdn),
      ["_dnsauth.www.example.com", "_dnsauth.api.example.com"],
    );
    // Both stacks share one file backend, as stacks of one organization do.
    const consumer = await engineStack("cas-dns", async () => dns(), {}, certs);
    stacks.push(consumer);
    await consumer.stack.setConfig("certificatesStack", { value: "organization/cas-certificates/e2e" });
    const out = await consumer.stack.up();
    assert.deepEqual(out.outputs.records!.value, [
      { domainName: "example.com", rr: "_dnsauth.www", type: "TXT", value: records[0]!.value, ttl: 600 },
      { domainName: "example.com", rr: "_dnsauth.api", type: "TXT", value: records[1]!.value, ttl: 600 },
    ]);
    await certs.stack.destroy();
  });
});

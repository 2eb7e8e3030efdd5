import assert from "node:assert/strict";
import { CertificateOrder } from "pulumi-alicloud-cas";
import { CasClient } from "../../provider/cas/client";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

// A FILE order and an adopted, already issued order have no DNS record: every up and preview of a
// program holding them must run clean, including one that reads their per-name record outputs.
describe("the engine runs programs whose orders have no DNS validation record", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;
  let issuedId = "";

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual"]);
    const api = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    issuedId = (
      await api.call("CreateCertificateRequest", {
        Domain: "issued.example.com",
        ValidateType: "DNS",
        Username: "u",
        Phone: "13800001111",
        Email: "a@example.com",
      })
    ).OrderId;
    await emu.control("POST", `orders/${issuedId}/issue`);
    env = await emulatorStack(
      "cas-absent",
      async () => {
        const file = new CertificateOrder("file", {
          domain: "file.example.com",
          validateType: "FILE",
          username: "u",
          phone: "13800001111",
          email: "a@example.com",
        });
        const adopted = new CertificateOrder("adopted", {
          domain: "issued.example.com",
          adoptOrderId: issuedId,
          username: "u",
          phone: "13800001111",
          email: "a@example.com",
        });
        return {
          fileStatus: file.status,
          fileRecord: file.validationRecords["file.example.com"]!.value,
          adoptedStatus: adopted.status,
          adoptedRecord: adopted.validationRecords["issued.example.com"]!.rr,
        };
      },
      emu,
    );
  });
  after(async () => {
    await env?.dispose();
    await emu?.stop();
  });

  it("up, a second up and preview succeed; the record outputs are absent", async () => {
    const first = await env.stack.up();
    assert.equal(first.summary.result, "succeeded");
    assert.equal(first.outputs.fileStatus!.value, "pending_validation");
    assert.equal(first.outputs.adoptedStatus!.value, "issued");
    assert.equal(first.outputs.fileRecord, undefined);
    assert.equal(first.outputs.adoptedRecord, undefined);
    assert.match(first.stdout, /no DNS validation record for file\.example\.com/);
    assert.doesNotMatch(first.stdout + first.stderr, /Unhandled exception/);
    const second = await env.stack.up();
    assert.equal(second.summary.result, "succeeded");
    const preview = await env.stack.preview();
    assert.deepEqual(preview.changeSummary, { same: 3 });
  });
});

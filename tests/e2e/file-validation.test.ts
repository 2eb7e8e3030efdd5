import assert from "node:assert/strict";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

// The README says FILE validation works: an order by FILE exports the file to serve (and no DNS
// records), and the validation resource waits for it like a DNS one.
describe("FILE validation under the real engine", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;
  const program = { wait: false };

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual"]);
    env = await emulatorStack(
      "cas-file-validation",
      async () => {
        const o = new CertificateOrder("www", {
          domain: "www.example.com",
          validateType: "FILE",
          username: "Keller",
          phone: "13800001111",
          email: "ops@example.com",
          onDelete: "revoke",
        });
        const out: Record<string, unknown> = {
          orderId: o.orderId,
          validation: o.validation,
          records: o.allValidationRecords,
        };
        if (program.wait)
          out.serial = new CertificateOrderValidation("www", {
            orderId: o.orderId,
            timeoutMinutes: 1,
            pollIntervalSeconds: 1,
          }).serialNumber;
        return out;
      },
      emu,
    );
  });
  after(async () => {
    await env?.dispose();
    await emu?.stop();
  });

  it("exports the file to serve (no DNS records), and the validation resource waits for issuance", async () => {
    const first = await env.stack.up();
    const validation = first.outputs.validation!.value as {
      method: string;
      files: Array<{ path: string; content: string; url: string }>;
    };
    assert.equal(validation.method, "FILE");
    assert.equal(validation.files.length, 1);
    assert.match(validation.files[0]!.path, /^\/\.well-known\/pki-validation\/\S+$/);
    assert.ok(validation.files[0]!.content.length > 0, "content to serve");
    assert.match(validation.files[0]!.url, /^http:\/\/www\.example\.com\/\.well-known\/pki-validation\//);
    assert.deepEqual(first.outputs.records!.value, {});

    await emu.control("POST", `orders/${String(first.outputs.orderId!.value)}/issue`);
    program.wait = true;
    const second = await env.stack.up();
    assert.match(String(second.outputs.serial!.value), /^[0-9a-f]+$/);
    await env.stack.destroy();
  });
});

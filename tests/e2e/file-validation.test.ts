import assert from "node:assert/strict";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

// The docs say FILE validation works: an order by FILE exports the file to serve (and no DNS
// records), and the validation resource waits for it like a DNS one. The file is served on the host
// CAS names: the ordered name, or (as the console FAQ says for www names) its parent.
for (const { form, args, host } of [
  { form: "the ordered name", args: [], host: "www.example.com" },
  { form: "the parent of a www name", args: ["--www-parent"], host: "example.com" },
])
  describe(`FILE validation under the real engine, CAS naming ${form}`, function () {
    this.timeout(600_000);
    let emu: EmulatorProcess;
    let env: EngineStack;
    const program = { wait: false };

    before(async () => {
      emu = await startEmulatorProcess(["--validation", "manual", ...args]);
      env = await emulatorStack(
        `cas-file-validation${args.length ? "-parent" : ""}`,
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
      assert.ok(
        validation.files[0]!.url.startsWith(`http://${host}/.well-known/pki-validation/`),
        validation.files[0]!.url,
      );
      assert.deepEqual(first.outputs.records!.value, {});

      await emu.control("POST", `orders/${String(first.outputs.orderId!.value)}/issue`);
      program.wait = true;
      const second = await env.stack.up();
      assert.match(String(second.outputs.serial!.value), /^[0-9a-f]+$/);
      await env.stack.destroy();
    });
  });

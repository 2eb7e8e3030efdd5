import assert from "node:assert/strict";
import { CertificateOrder } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

// How a renewal gets triggered (the README's renewal section and the workflow example's daily
// run): `renewBeforeDays` is compared with what the state says about the order, and only a
// refresh reads that the order was issued and when it expires.
describe("renewal under the real engine", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual"]);
    env = await emulatorStack(
      "cas-renewal",
      async () => {
        // The emulator issues for 90 days, like free DV certificates: always within 100 days of expiry.
        const o = new CertificateOrder("www", {
          domain: "www.example.com",
          username: "Keller",
          phone: "13800001111",
          email: "ops@example.com",
          renewBeforeDays: 100,
          onDelete: "revoke",
        });
        return { orderId: o.orderId };
      },
      emu,
    );
  });
  after(async () => {
    await env?.dispose();
    await emu?.stop();
  });

  it("an issued order due for renewal is replaced by `up --refresh`, not by a plain `up`", async () => {
    const first = await env.stack.up();
    const orderId = String(first.outputs.orderId!.value);
    await emu.control("POST", `orders/${orderId}/issue`);

    const plain = await env.stack.up();
    assert.deepEqual(plain.summary.resourceChanges, { same: 2 }, "the state still says pending_validation");

    const refreshed = await env.stack.up({ refresh: true });
    assert.equal(refreshed.summary.resourceChanges?.replace, 1);
    assert.notEqual(refreshed.outputs.orderId!.value, orderId, "a new order");
    assert.match(
      refreshed.stdout,
      new RegExp(`order ${orderId}: renewal: the certificate expires \\S+, within renewBeforeDays=100`),
    );
    await env.stack.destroy();
  });
});

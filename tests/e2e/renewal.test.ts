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
  const program = { renewBeforeDays: 30 };

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual"]);
    env = await emulatorStack(
      "cas-renewal",
      async () => {
        // The emulator issues for 90 days, like free DV certificates; the test ages the order by 70.
        const o = new CertificateOrder("www", {
          domain: "www.example.com",
          username: "Keller",
          phone: "13800001111",
          email: "ops@example.com",
          renewBeforeDays: program.renewBeforeDays,
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

    const fresh = await env.stack.up({ refresh: true });
    assert.equal(fresh.summary.resourceChanges?.replace, undefined, "90 days left: not due");
    assert.equal(fresh.outputs.orderId!.value, orderId);

    await emu.control("POST", `orders/${orderId}/age`, { days: 70 }); // 20 days left
    const stale = await env.stack.up();
    assert.deepEqual(stale.summary.resourceChanges, { same: 2 }, "the state still says 90 days left");

    const refreshed = await env.stack.up({ refresh: true });
    assert.equal(refreshed.summary.resourceChanges?.replace, 1);
    assert.notEqual(refreshed.outputs.orderId!.value, orderId, "a new order");
    assert.match(
      refreshed.stdout,
      new RegExp(`order ${orderId}: renewal: the certificate expires \\S+, within renewBeforeDays=30`),
    );
    await env.stack.destroy();
  });

  it("renewBeforeDays at or above the certificate's validity fails the preview, naming the validity and the fix", async () => {
    const first = await env.stack.up();
    const orderId = String(first.outputs.orderId!.value);
    await emu.control("POST", `orders/${orderId}/issue`);
    await env.stack.refresh(); // the state now holds the 90-day certificate's dates

    program.renewBeforeDays = 90;
    await assert.rejects(
      env.stack.preview(),
      new RegExp(
        `order ${orderId}: renewBeforeDays: 90 is not below the certificate's validity of 90 days, so every pulumi up would replace it; set renewBeforeDays below 90 \\(for example 30\\)`,
      ),
    );
    program.renewBeforeDays = 89;
    assert.deepEqual((await env.stack.preview()).changeSummary, { same: 1, update: 1 });
    program.renewBeforeDays = 30;
    await env.stack.destroy();
  });
});

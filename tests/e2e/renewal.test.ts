import assert from "node:assert/strict";
import { CertificateOrder } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

// How a renewal gets triggered (docs/renewal-and-rotation.md and the workflow example's daily
// run): `renewBeforeDays` is compared with the issued certificate's expiry. An order stored before
// it was issued is read from CAS by the diff (one DescribeCertificateState), so a plain preview
// knows; an order stored as issued keeps its stored dates until a refresh.
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

  it("an order stored pending, issued since and now due: a plain preview shows the replacement and says why", async () => {
    const first = await env.stack.up();
    const orderId = String(first.outputs.orderId!.value);
    await emu.control("POST", `orders/${orderId}/issue`);
    const notDue = await env.stack.preview({ diff: true });
    assert.deepEqual(notDue.changeSummary, { same: 2 }, "90 days left: not due, and quiet");
    assert.doesNotMatch(notDue.stdout + notDue.stderr, /renewal due/);

    await emu.control("POST", `orders/${orderId}/age`, { days: 70 }); // 20 days left
    const preview = await env.stack.preview({ diff: true });
    assert.equal(preview.changeSummary.replace, 1, "the state still says pending_validation");
    const reason = new RegExp(
      `order ${orderId}: renewal due: certificate expires \\S+ \\(in (19|20) days; renewBeforeDays 30\\)`,
    );
    // With --diff the engine prints the provider's lines on stderr: once, not once per diff call.
    const said = (preview.stdout + preview.stderr).split("\n").filter((l) => reason.test(l));
    assert.equal(said.length, 1, preview.stdout + preview.stderr);
    const plain = await env.stack.up();
    assert.equal(plain.summary.resourceChanges?.replace, 1);
    assert.notEqual(plain.outputs.orderId!.value, orderId, "a new order");
    assert.match(plain.stdout, reason);
    await env.stack.destroy();
  });

  it("`pulumi up` as typed (a preview step, then the update): the provider says the reason once in each step; the engine shows it twice per step", async () => {
    const first = await env.stack.up();
    const orderId = String(first.outputs.orderId!.value);
    await emu.control("POST", `orders/${orderId}/issue`);
    await emu.control("POST", `orders/${orderId}/age`, { days: 70 }); // 20 days left
    // The Automation API runs `pulumi up --yes --skip-preview`; a user's `pulumi up` previews first.
    const stack = env.stack as unknown as {
      runPulumiCmd: (args: string[], ...rest: unknown[]) => Promise<unknown>;
    };
    const runPulumiCmd = stack.runPulumiCmd.bind(env.stack);
    stack.runPulumiCmd = (args, ...rest) =>
      runPulumiCmd(
        args.filter((a) => a !== "--skip-preview"),
        ...rest,
      );
    let typed;
    try {
      typed = await env.stack.up();
    } finally {
      stack.runPulumiCmd = runPulumiCmd;
    }
    assert.equal(typed.summary.resourceChanges?.replace, 1);
    const reason = new RegExp(
      `order ${orderId}: renewal due: certificate expires \\S+ \\(in (19|20) days; renewBeforeDays 30\\)`,
    );
    const [previewStep, updateStep] = typed.stdout.split(/^Updating \(/m);
    assert.ok(updateStep, typed.stdout);
    assert.match(previewStep!, /^Previewing update \(/m, typed.stdout);
    const count = (text: string) => text.split("\n").filter((l) => reason.test(l)).length;
    // Measured: in each step the engine shows the provider's one message twice, on the progress line
    // and again under Diagnostics, and counts it as one message: four lines in all, one diff
    // per step (docs/troubleshooting.md).
    for (const [name, step] of [
      ["preview", previewStep!],
      ["update", updateStep],
    ] as const) {
      const [progress, diagnostics] = step.split(/^Diagnostics:$/m);
      assert.ok(diagnostics, `${name} step:\n${step}`);
      assert.equal(count(progress!), 1, `${name} step's progress:\n${progress}`);
      assert.equal(count(diagnostics), 1, `${name} step's diagnostics:\n${diagnostics}`);
      // The engine counts each message the provider sent once: as many as Diagnostics lists.
      const messages = Number(/pulumi:pulumi:Stack cas-renewal-e2e +(\d+) messages?$/m.exec(progress!)?.[1]);
      assert.equal(
        diagnostics.split("\n").filter((l) => l.includes("[alicloud-cas]")).length,
        messages,
        step,
      );
    }
    await env.stack.destroy();
  });

  it("an order stored as issued keeps its stored dates until `up --refresh` reads them", async () => {
    const first = await env.stack.up();
    const orderId = String(first.outputs.orderId!.value);
    await emu.control("POST", `orders/${orderId}/issue`);

    const plain = await env.stack.up();
    assert.deepEqual(plain.summary.resourceChanges, { same: 2 }, "issued with 90 days left: not due");

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
      new RegExp(
        `order ${orderId}: renewal due: certificate expires \\S+ \\(in (19|20) days; renewBeforeDays 30\\)`,
      ),
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

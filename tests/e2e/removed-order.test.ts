import assert from "node:assert/strict";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";
import { CasClient } from "../../provider/cas/client";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

// An order revoked outside the stack (in the console, or by another tool): CAS answers NotFoundOrder
// for it from then on. `up` must not fail with a raw API error, and `refresh` must not fail forever.
describe("an order removed outside the stack, under the real engine", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;
  const program = { team: "web" };

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual"]);
    env = await emulatorStack(
      "cas-removed",
      async () => {
        const order = new CertificateOrder("www", {
          domain: "www.example.com",
          username: "u",
          phone: "13800001111",
          email: "a@example.com",
          tags: { team: program.team },
        });
        const issued = new CertificateOrderValidation("www-issued", {
          orderId: order.orderId,
          timeoutMinutes: 1,
          pollIntervalSeconds: 1,
        });
        return { orderId: order.orderId, certificateId: issued.certificateId };
      },
      emu,
    );
  });
  after(async () => {
    await env?.dispose();
    await emu?.stop();
  });

  const resources = async () =>
    (
      (await env.stack.exportStack()).deployment as {
        resources?: Array<{ type: string; id?: string }>;
      }
    ).resources
      ?.filter((r) => /:CertificateOrder(Validation)?$/.test(r.type))
      .map((r) => `${r.type.split(":").pop()} ${r.id}`)
      .sort() ?? [];

  it("up (a tag change) fails saying to refresh and keeps the stack; refresh drops both resources; the next up orders again", async () => {
    // The validation waits for issuance: issue the order as soon as it exists.
    const up = env.stack.up();
    let orderId = "";
    while (!orderId) {
      const [o] = (await emu.control("GET", "orders")) as Array<{ orderId: string }>;
      if (o) orderId = o.orderId;
      else await new Promise((ok) => setTimeout(ok, 200));
    }
    await emu.control("POST", `orders/${orderId}/issue`);
    assert.equal((await up).outputs.orderId!.value, orderId);

    // Revoked out of band with the API, as the console would.
    const api = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    await api.call("CancelCertificateForPackageRequest", { OrderId: orderId });
    const before = await resources();
    assert.deepEqual(before, [
      `CertificateOrder ${orderId}`,
      `CertificateOrderValidation ${orderId}-validation`,
    ]);

    program.team = "platform";
    await assert.rejects(
      env.stack.up(),
      new RegExp(
        `order ${orderId} no longer exists in CAS \\(it was removed outside this stack\\); run \`pulumi refresh\` to drop it from the stack, then \`pulumi up\` orders a new one`,
      ),
    );
    assert.deepEqual(await resources(), before, "nothing dropped from the stack by the failed up");
    const creates = ((await emu.control("GET", "requests")) as Array<{ action: string }>).filter((r) =>
      r.action.startsWith("Create"),
    );
    assert.equal(creates.length, 1, "the failed up ordered nothing");

    const refreshed = await env.stack.refresh();
    assert.equal(refreshed.summary.result, "succeeded");
    assert.deepEqual(await resources(), [], "refresh dropped the order and its validation");
    assert.deepEqual((await env.stack.preview()).changeSummary, { create: 2, same: 1 });
  });
});

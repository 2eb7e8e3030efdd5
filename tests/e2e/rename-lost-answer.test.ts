import assert from "node:assert/strict";
import { CertificateOrder } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

interface Order {
  orderId: string;
  state: string;
}

/**
 * A resource renamed (no alias) in an update whose create loses its answer: the engine creates the
 * new resource first and deletes the old one last, without asking the provider about it before. The
 * old resource's order must never be cancelled while the new one holds it.
 */
describe("a renamed resource whose create loses its answer does not cancel the order it takes over", function () {
  this.timeout(600_000);

  for (const policy of ["stop", "unique"] as const)
    it(`adoptAfterLostAnswer=${policy}`, async () => {
      const emu: EmulatorProcess = await startEmulatorProcess(["--validation", "manual"]);
      let env: EngineStack | undefined;
      try {
        let name = "old";
        let adopt: string | undefined;
        env = await emulatorStack(
          `cas-rename-${policy}`,
          async () => ({
            id: new CertificateOrder(name, {
              domain: "www.example.com",
              adoptOrderId: adopt,
              username: "u",
              phone: "13800001111",
              email: "a@example.com",
            }).orderId,
          }),
          emu,
        );
        if (policy === "unique")
          await env.stack.setConfig("alicloud-cas:adoptAfterLostAnswer", { value: "unique" });
        const first = await env.stack.up();
        const held = String(first.outputs.id!.value);

        name = "new";
        await emu.control("POST", "faults", {
          rules: [{ action: "CreateCertificateRequest", kind: "reset", rate: 1, limit: 1 }],
        });
        let printed = "";
        if (policy === "stop") {
          // The error lists the old resource's order and says where to look before adopting it.
          const message = await env.stack.up({ onOutput: (t) => (printed += t) }).then(
            () => assert.fail("the lost answer was not reported"),
            (e: Error) => e.message,
          );
          assert.match(message, /not reported by any resource of this deployment so far: OrderId \d+/);
          assert.match(message, /First look for these OrderIds in your own stack/);
          assert.match(message, new RegExp(`adoptOrderId: \\\\?"${held}\\\\?"`));
          // Following the advice: the new resource adopts it in the update that deletes the old one.
          adopt = held;
          printed = "";
        }
        const second = await env.stack.up({ onOutput: (t) => (printed += t) });
        assert.equal(
          String(second.outputs.id!.value),
          held,
          "the new resource holds the old resource's order",
        );
        assert.match(
          printed,
          new RegExp(`order ${held}: another resource of this deployment took this order`),
        );
        const orders = (await emu.control("GET", "orders")) as Order[];
        assert.deepEqual(
          orders.map((o) => [o.orderId, o.state]),
          [[held, "domain_verify"]],
          "the order is still live in CAS and no second one was placed",
        );
        // A create whose answer was lost keeps a placeholder id until a refresh takes the order's.
        if (policy === "stop") await env.stack.refresh();
        const state = JSON.parse(env.exportRaw()) as {
          deployment: { resources: Array<{ urn: string; id?: string }> };
        };
        assert.deepEqual(
          state.deployment.resources
            .filter((r) => r.urn.includes("CertificateOrder"))
            .map((r) => [r.urn.split("::").pop(), r.id]),
          [["new", held]],
        );
      } finally {
        await env?.dispose();
        await emu.stop();
      }
    });
});

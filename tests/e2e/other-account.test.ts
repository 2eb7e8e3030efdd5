import assert from "node:assert/strict";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import type { EngineStack } from "../support/engine";
import { oneOrderStack } from "../support/order-stack";

// A stack deployed with account A's keys, then run with account B's (a CI secret swapped, another
// profile): CAS would answer NotFoundOrder, and the order must neither be dropped nor touched.
// (`pulumi refresh` and `destroy` run with the configuration the last `up` recorded, so the new keys
// reach the provider through an `up`: here one that updates the order's tags.)
describe("an up under another account's credentials, under the real engine", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;
  const program = { team: "web" };

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual", "--account-id", "1968132000123456"]);
    env = await oneOrderStack("cas-other-account", emu, program);
  });
  after(async () => {
    await env?.dispose();
    await emu?.stop();
  });

  it("fails naming both accounts and keeps the order in the stack and in CAS; with account A's keys it goes through", async () => {
    const orderId = (await env.stack.up()).outputs.orderId!.value as string;
    const other = (await emu.control("POST", "access-keys", { accountId: "1111222233334444" })) as {
      accessKeyId: string;
      accessKeySecret: string;
    };
    await env.stack.setAllConfig({
      "alicloud:accessKey": { value: other.accessKeyId },
      "alicloud:secretKey": { value: other.accessKeySecret, secret: true },
    });
    program.team = "platform";
    await assert.rejects(
      env.stack.up(),
      new RegExp(
        `order ${orderId} was placed in Alibaba Cloud account 1968132000123456, but the credentials in use \\(stack config alicloud:accessKey / alicloud:secretKey\\) belong to account 1111222233334444`,
      ),
    );
    const held = (
      (await env.stack.exportStack()).deployment as { resources?: Array<{ type: string; id?: string }> }
    ).resources?.filter((r) => r.type.endsWith(":CertificateOrder"));
    assert.deepEqual(
      held?.map((r) => r.id),
      [orderId],
      "still in the stack",
    );
    const [o] = (await emu.control("GET", "orders")) as Array<{ orderId: string; state: string }>;
    assert.deepEqual([o?.orderId, o?.state], [orderId, "domain_verify"], "untouched in CAS");

    await env.stack.setAllConfig({
      "alicloud:accessKey": { value: emu.accessKeyId },
      "alicloud:secretKey": { value: emu.accessKeySecret, secret: true },
    });
    assert.equal((await env.stack.up()).summary.result, "succeeded");
    assert.equal((await env.stack.refresh()).summary.result, "succeeded");
  });
});

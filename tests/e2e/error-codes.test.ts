import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import type { EngineStack } from "../support/engine";
import { oneOrderStack } from "../support/order-stack";

// docs/troubleshooting.md is organised by error code: the engine's output must show the code of
// each error the provider fails with, CAS's (CreateCertificateRequestFailed) and this package's own
// (OrderInAnotherAccount) alike, in a form found on that page.
const TROUBLESHOOTING = readFileSync(join(__dirname, "..", "..", "..", "docs", "troubleshooting.md"), "utf8");

describe("the engine's output shows each error's code, as troubleshooting.md lists it", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;
  const program = { team: "web" };

  before(async () => {
    emu = await startEmulatorProcess([
      "--validation",
      "manual",
      "--account-id",
      "1968132000123456",
      "--fault",
      "CreateCertificateRequest:createFailed:1",
    ]);
    env = await oneOrderStack("cas-error-codes", emu, program);
  });
  after(async () => {
    await env?.dispose();
    await emu?.stop();
  });

  /** What `up` printed (the engine's own lines), and that it failed. */
  const failedUp = async () => {
    let printed = "";
    await assert.rejects(env.stack.up({ onOutput: (t) => (printed += t) }));
    return printed;
  };

  it("CAS's code: error: [CreateCertificateRequestFailed] …; then this package's own: error: [OrderInAnotherAccount] …", async () => {
    const refused = await failedUp();
    assert.match(
      refused,
      /error: \[CreateCertificateRequestFailed\] CreateCertificateRequest failed: CreateCertificateRequestFailed: /,
      refused,
    );
    assert.ok(TROUBLESHOOTING.includes("`CreateCertificateRequestFailed`"));

    await emu.control("POST", "faults", { rules: [] });
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
    const elsewhere = await failedUp();
    assert.match(
      elsewhere,
      new RegExp(
        `error: \\[OrderInAnotherAccount\\] order ${orderId} was placed in Alibaba Cloud account 1968132000123456, but the credentials in use .* belong to account 1111222233334444`,
      ),
      elsewhere,
    );
    assert.ok(TROUBLESHOOTING.includes("`OrderInAnotherAccount`"));
  });
});

import assert from "node:assert/strict";
import { CertificateOrder } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, type EngineStack } from "../support/engine";

interface Order {
  orderId: string;
  state: string;
  domains: string[];
}

/** The CertificateOrder resources of the stack's state, as [name, id]. */
function orderIds(env: EngineStack): Array<[string | undefined, string | undefined]> {
  const state = JSON.parse(env.exportRaw()) as {
    deployment: { resources?: Array<{ urn: string; type: string; id?: string }> };
  };
  return (state.deployment.resources ?? [])
    .filter((r) => r.type.endsWith(":CertificateOrder"))
    .map((r) => [r.urn.split("::").pop(), r.id]);
}

/**
 * The stack is the memory across `pulumi up` runs: a create whose answer is lost keeps the resource
 * in the stack with its request, and every later run looks for that request's order before ordering.
 */
describe("a create whose answer is lost: exactly one order across pulumi up runs", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack | undefined;
  let adopt: string | undefined;
  const live = async () =>
    ((await emu.control("GET", "orders")) as Order[]).filter((o) => o.domains[0] === "www.example.com");

  beforeEach(async () => {
    emu = await startEmulatorProcess(["--validation", "manual"]);
    adopt = undefined;
    env = await emulatorStack(
      "cas-lost-runs",
      async () => ({
        id: new CertificateOrder("www", {
          domain: "www.example.com",
          adoptOrderId: adopt,
          username: "u",
          phone: "13800001111",
          email: "a@example.com",
        }).orderId,
      }),
      emu,
    );
  });
  afterEach(async () => {
    await env?.dispose();
    await emu.stop();
  });

  it("placed, its answer cut short: three ups leave one live order; adoptOrderId takes it, refresh names it, destroy withdraws it", async () => {
    await emu.control("POST", "faults", {
      rules: [{ action: "CreateCertificateRequest", kind: "ambiguous", rate: 1, limit: 1 }],
    });
    const failures: string[] = [];
    for (let run = 0; run < 3; run++)
      failures.push(
        await env!.stack.up().then(
          () => assert.fail(`up ${run + 1} succeeded without knowing whose order it is`),
          (e: Error) => e.message,
        ),
      );
    const orders = await live();
    assert.equal(orders.length, 1, "one live order after three ups");
    const id = orders[0]!.orderId;
    assert.match(failures[0]!, /The resource is kept in the stack as unresolved-\d+ with this request/);
    for (const f of failures) assert.match(f, new RegExp(`OrderId ${id} \\(bought`));
    for (const f of failures.slice(1)) {
      assert.match(f, /got no answer and its order is not resolved yet: CAS lists orders/);
      assert.match(f, /Nothing was adopted, cancelled or ordered/);
      assert.match(f, new RegExp(`adoptOrderId: \\\\?"${id}\\\\?"`));
    }
    const [[name, placeholder]] = orderIds(env!) as [[string, string]];
    assert.equal(name, "www");
    assert.match(placeholder, /^unresolved-\d+$/);

    // The fix the error names.
    adopt = id;
    const up = await env!.stack.up();
    assert.equal(up.outputs.id!.value, id);
    assert.deepEqual(orderIds(env!), [["www", placeholder]], "an update cannot change the id");
    await env!.stack.refresh();
    assert.deepEqual(orderIds(env!), [["www", id]], "refresh takes the order's id");
    assert.equal((await live()).length, 1);

    await env!.stack.destroy();
    assert.deepEqual(await live(), [], "withdrawn: the resource adopted it");
  });

  it("never placed (reset before CAS saw it): the next up after the window orders once", async () => {
    await env!.stack.setConfig("alicloud-cas:lostAnswerWindowSeconds", { value: "1" });
    await emu.control("POST", "faults", {
      rules: [{ action: "CreateCertificateRequest", kind: "reset", rate: 1, limit: 1 }],
    });
    const failed = await env!.stack.up().then(
      () => assert.fail("the lost answer was not reported"),
      (e: Error) => e.message,
    );
    assert.match(
      failed,
      /no second order was placed\. The resource is kept in the stack as unresolved-\d+ with this request/,
    );
    assert.deepEqual(await live(), []);
    let printed = "";
    const up = await env!.stack.up({ onOutput: (t) => (printed += t) });
    const orders = await live();
    assert.equal(orders.length, 1);
    assert.equal(up.outputs.id!.value, orders[0]!.orderId);
    assert.match(printed, /CAS has listed no order for it since, so ordering now/);
    await env!.stack.up();
    assert.equal((await live()).length, 1, "a further up changes nothing");
  });
});

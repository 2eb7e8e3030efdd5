import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

const run = promisify(execFile);
const STACKS = 4;
const ORDERS = 10;
const LIMIT = 10;

describe(`many stacks on one account: ${STACKS} provider processes × ${ORDERS} orders at ${LIMIT} requests/s per action`, function () {
  this.timeout(180_000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ qps: LIMIT, planSize: 500, lifecycle: { validation: "manual" } });
  });
  after(() => emu.close());

  it("no user-visible error and no duplicate order, although the account throttles", async () => {
    const script = resolve(__dirname, "..", "support", "stack-process.js");
    // Every stack believes it has the whole limit, as stacks configured for the account would.
    const results = await Promise.all(
      Array.from({ length: STACKS }, (_, s) =>
        run(process.execPath, [
          script,
          emu.endpoint,
          emu.accessKeyId,
          emu.accessKeySecret,
          `s${s}-`,
          String(ORDERS),
          "10",
          String(LIMIT),
        ]),
      ),
    );
    const outcomes = results.map((r) => JSON.parse(r.stdout) as { errors: string[]; ids: string[] });
    assert.deepEqual(
      outcomes.flatMap((o) => o.errors),
      [],
    );
    const orders = await emu.control.orders();
    assert.equal(orders.length, STACKS * ORDERS);
    assert.equal(new Set(orders.map((o) => o.domains[0])).size, STACKS * ORDERS);
    assert.deepEqual(outcomes.flatMap((o) => o.ids).sort(), orders.map((o) => o.orderId).sort());
    const throttled = emu.control.requests().filter((r) => r.outcome === "Throttling.User").length;
    assert.ok(throttled > 0, "the account did throttle: the test exercised the shared limit");
  });
});

import assert from "node:assert/strict";
import { CasCredentialsError } from "../../provider/cas/errors";
import { poolShortReason, testPoolCheck } from "../../provider/instance/pool-check";
import { LOOKUP_TTL_MS } from "../../provider/order/quota";

/** A pool check over a fake pool of `left` inactive TEST instances, a settable clock, a captured log. */
function harness(left: number | Error) {
  let now = 0;
  let reads = 0;
  const lines: string[] = [];
  const pool = { left };
  const check = testPoolCheck({
    inactive: async () => {
      reads++;
      if (pool.left instanceof Error) throw pool.left;
      return pool.left;
    },
    clock: { now: () => now },
    log: (m) => lines.push(m),
  });
  return { check, lines, pool, reads: () => reads, advance: (ms: number) => (now += ms) };
}

describe("TEST instance pool check (provider/instance/pool-check.ts)", () => {
  it("is quiet while the takers fit, then warns once per taker past the pool, naming both numbers and the fixes", async () => {
    const h = harness(2);
    await h.check("a");
    await h.check("b");
    assert.deepEqual(h.lines, []);
    assert.deepEqual(h.check.seen(), { inactive: 2, planned: 2 });
    await h.check("c");
    await h.check("c");
    await h.check("d");
    assert.deepEqual(h.lines, [`warning: ${poolShortReason(2, 3)}`, `warning: ${poolShortReason(2, 4)}`]);
    assert.match(
      h.lines[0]!,
      /has 2 inactive TEST certificate instance\(s\) \(GetInstanceSummary InactiveCount\) and this deployment takes 3 .*CAS console .*instanceId/,
    );
  });

  it("counts one taker once however often it is checked", async () => {
    const h = harness(1);
    for (let i = 0; i < 3; i++) await h.check("a");
    assert.deepEqual(h.check.seen(), { inactive: 1, planned: 1 });
    assert.deepEqual(h.lines, []);
  });

  it("reads the pool once per look-up period, then again", async () => {
    const h = harness(5);
    await h.check("a");
    await h.check("b");
    assert.equal(h.reads(), 1);
    h.advance(LOOKUP_TTL_MS);
    h.pool.left = 1;
    await h.check("c");
    assert.equal(h.reads(), 2);
    assert.deepEqual(h.lines, [`warning: ${poolShortReason(1, 3)}`]);
  });

  it("a pool that cannot be read is reported once as skipped, and read again at the next check", async () => {
    const h = harness(new CasCredentialsError("nothing configured"));
    await h.check("a");
    await h.check("b");
    assert.equal(h.lines.length, 1);
    assert.match(h.lines[0]!, /^TEST instance pool check skipped \(no credentials found: /);
    assert.equal(h.check.seen(), undefined);
    assert.equal(h.reads(), 2, "a failed read is not kept");
    h.pool.left = new Error("connection refused");
    h.check.reset();
    await h.check("a");
    assert.deepEqual(h.lines.slice(1), [
      "TEST instance pool check skipped (reading the pool (GetInstanceSummary) failed: connection refused)",
    ]);
  });

  it("reset forgets the takers and the pool read (another configuration)", async () => {
    const h = harness(1);
    await h.check("a");
    await h.check("b");
    assert.equal(h.lines.length, 1);
    h.check.reset();
    assert.equal(h.check.seen(), undefined);
    await h.check("c");
    assert.deepEqual(h.check.seen(), { inactive: 1, planned: 1 });
    assert.equal(h.reads(), 2);
    assert.equal(h.lines.length, 1);
  });
});

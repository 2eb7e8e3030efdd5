import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { CasClient, type ClientEvent } from "../../provider/cas/client";
import { ClientRuntime } from "../../provider/cas/client-runtime";
import { MAX_CONNECTIONS } from "../../provider/cas/transport";
import { fakeClock } from "../support/clock";
import { json, scriptedServer } from "../support/scripted-server";

const plan = {
  RequestId: "R",
  TotalCount: 10,
  UsedCount: 1,
  IssuedCount: 0,
  ProductCode: "digicert-free-1-free",
};
const identity = {
  RequestId: "S",
  AccountId: "1968132000123456",
  Arn: "acs:ram::1968132000123456:root",
  IdentityType: "Account",
  PrincipalId: "1968132000123456",
};

/** Resolves once `ready()` holds, checking after each turn of the event loop (no timer). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setImmediate(r));
}

// What clients share (connections, the accounts credentials belong to, pacing) is the state of a
// ClientRuntime: two runtimes in one process, as two composition roots would build them, share
// none of it.
describe("ClientRuntime: two in one process share nothing", function () {
  this.timeout(60_000);

  const client = (runtime: ClientRuntime, endpoint: string, extra: object = {}) =>
    new CasClient({ endpoint, accessKeyId: "ak", accessKeySecret: "sk", env: {}, runtime, ...extra });

  it("the account of a set of credentials is asked once per runtime", async () => {
    const sts = await scriptedServer([json(200, identity)]);
    try {
      const [a, b] = [new ClientRuntime(), new ClientRuntime()];
      const on = (r: ClientRuntime) => client(r, sts.endpoint, { stsEndpoint: sts.endpoint });
      assert.equal((await on(a).callerIdentity()).accountId, identity.AccountId);
      assert.equal((await on(a).callerIdentity()).accountId, identity.AccountId);
      assert.equal(sts.requests.length, 1, "a second client of the same runtime knows the account");
      assert.equal((await on(b).callerIdentity()).accountId, identity.AccountId);
      assert.equal(sts.requests.length, 2, "the other runtime asks for itself");
      await Promise.all([a.close(), b.close()]);
    } finally {
      await sts.close();
    }
  });

  it("pacing: the same endpoint, key and action pace separately in each runtime, each on its own clock", async () => {
    const srv = await scriptedServer([json(200, plan)]);
    try {
      const clock = fakeClock();
      const waits: Array<[string, number]> = [];
      const paced = (r: ClientRuntime, name: string) =>
        client(r, srv.endpoint, {
          clock,
          rateLimits: { DescribePackageState: 1 },
          onEvent: (e: ClientEvent) => void (e.kind === "throttled-locally" && waits.push([name, e.delayMs])),
        });
      // A runtime with a clock paces on it, whichever client asks first.
      const [a, b] = [new ClientRuntime({ clock }), new ClientRuntime({ clock })];
      await paced(a, "a1").call("DescribePackageState", {});
      await paced(a, "a2").call("DescribePackageState", {});
      await paced(b, "b1").call("DescribePackageState", {});
      assert.deepEqual(waits, [["a2", 1000]], "a2 waits for a1's slot; b1 takes its runtime's first");
      await Promise.all([a.close(), b.close()]);
    } finally {
      await srv.close();
    }
  });

  it("connections: every connection of one runtime busy does not hold a call of the other", async () => {
    const held: ServerResponse[] = [];
    const answer = json(200, plan);
    const srv = await scriptedServer([
      (req, res) => (String(req.headers["user-agent"]).includes("held") ? held.push(res) : answer(req, res)),
    ]);
    const [a, b] = [new ClientRuntime(), new ClientRuntime()];
    try {
      const busy = Array.from({ length: MAX_CONNECTIONS }, () =>
        client(a, srv.endpoint, { userAgent: "held", rateLimits: false }).call("DescribePackageState", {}),
      );
      await until(() => held.length === MAX_CONNECTIONS);
      const other = await client(b, srv.endpoint, { rateLimits: false }).call("DescribePackageState", {});
      assert.equal(other.TotalCount, 10);
      assert.equal(held.length, MAX_CONNECTIONS, "runtime a's calls are still held");
      for (const res of held) answer({} as never, res);
      assert.equal((await Promise.all(busy)).length, MAX_CONNECTIONS);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await srv.close();
    }
  });
});

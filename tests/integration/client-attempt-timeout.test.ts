import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CasClient } from "../../provider/cas/client";
import { ClientRuntime } from "../../provider/cas/client-runtime";
import { Deadline } from "../../provider/cas/deadline";
import { CasOutcomeUnknownError, CasTransportError } from "../../provider/cas/errors";
import { MAX_CONNECTIONS } from "../../provider/cas/transport";
import { fakeClock } from "../support/clock";
import { manualTimers } from "../support/scripted-server";

const OK = JSON.stringify({
  RequestId: "R",
  TotalCount: 10,
  UsedCount: 1,
  IssuedCount: 0,
  ProductCode: "digicert-free-1-free",
});

/** A loopback server that holds the first `held` requests until `release()`, and answers the rest at once. */
async function holdingServer(held: number) {
  const waiting: ServerResponse[] = [];
  let seen = 0;
  let onSeen = () => undefined as void;
  const answer = (res: ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end(OK);
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (++seen <= held) waiting.push(res);
      else answer(res);
      onSeen();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: () => seen,
    /** Resolves once `n` requests have arrived. */
    arrived: (n: number) =>
      new Promise<void>((r) => {
        onSeen = () => void (seen >= n && r());
        onSeen();
      }),
    release: () => waiting.splice(0).forEach(answer),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const client = (runtime: ClientRuntime, endpoint: string, attemptTimeoutMs: number, clock = fakeClock()) =>
  new CasClient({
    endpoint,
    accessKeyId: "ak",
    accessKeySecret: "sk",
    env: {},
    clock,
    rateLimits: false,
    attemptTimeoutMs,
    retry: { maxAttempts: 1 },
    runtime,
  });

const create = {
  Domain: "a.example.com",
  Username: "u",
  Phone: "13800001111",
  Email: "a@example.com",
  ValidateType: "DNS" as const,
};

// An attempt's timer measures the endpoint: it starts when the request has a connection. A call
// queued behind this process's busy connections has not been sent, so its wait must not make it
// fail as "no answer within N ms" (nor, for a create, leave the outcome unknown). Each test has a
// runtime of its own (its own pool) whose timers fire when the test says: no real time is waited.
describe("CasClient: the per-attempt timeout starts when the request is sent", function () {
  this.timeout(60_000);

  it("a call that waited longer than its attempt timeout for a free connection is still answered", async () => {
    const timers = manualTimers();
    const runtime = new ClientRuntime({ timers });
    const srv = await holdingServer(MAX_CONNECTIONS);
    // Every connection of the runtime's pool to this origin is taken by a slow call.
    const slow = Array.from({ length: MAX_CONNECTIONS }, () =>
      client(runtime, srv.endpoint, 60_000).call("DescribePackageState", {}),
    );
    await srv.arrived(MAX_CONNECTIONS);
    const clock = fakeClock();
    const queued = client(runtime, srv.endpoint, 2000, clock).call(
      "DescribePackageState",
      {},
      { deadline: Deadline.after(clock.now(), 80_000) },
    );
    queued.catch(() => undefined); // awaited below; a rejection meanwhile is not unhandled
    // Its deadline's bound is taken just before it asks the pool for a connection.
    await timers.whenCreated((ms) => ms === 80_000);
    await new Promise((r) => setImmediate(r));
    // 2.5 s pass, longer than the queued call's attempt timeout, all of it waiting for a connection.
    assert.equal(
      timers.fire(2500),
      0,
      "no timer of 2.5 s or less runs: the queued call's attempt timer has not started",
    );
    assert.ok(!timers.created.includes(2000));
    assert.equal(srv.seen(), MAX_CONNECTIONS, "the queued call must not have been sent yet");
    srv.release();
    assert.equal((await queued).TotalCount, 10);
    assert.ok(timers.created.includes(2000), "its attempt timer started once it had a connection");
    assert.equal((await Promise.all(slow)).length, MAX_CONNECTIONS);
    assert.equal(srv.seen(), MAX_CONNECTIONS + 1);
    await srv.close();
    await runtime.close();
  });

  it("a create whose deadline passes while it waits for a connection was not sent: not an unknown outcome", async () => {
    // The create's deadline (300 ms, and what is left of it on each retry) is spent at once.
    const timers = manualTimers({ firesSoon: (ms) => ms <= 300 });
    const runtime = new ClientRuntime({ timers });
    const srv = await holdingServer(MAX_CONNECTIONS);
    const slow = Array.from({ length: MAX_CONNECTIONS }, () =>
      client(runtime, srv.endpoint, 60_000).call("DescribePackageState", {}),
    );
    await srv.arrived(MAX_CONNECTIONS);
    const clock = fakeClock();
    const c = client(runtime, srv.endpoint, 60_000, clock);
    await assert.rejects(
      c.call("CreateCertificateRequest", create, { deadline: Deadline.after(clock.now(), 300) }),
      (e: Error) =>
        e instanceof CasTransportError &&
        !(e instanceof CasOutcomeUnknownError) &&
        /not sent/.test(e.message),
    );
    assert.equal(srv.seen(), MAX_CONNECTIONS);
    srv.release();
    await Promise.all(slow);
    await srv.close();
    await runtime.close();
  });
});

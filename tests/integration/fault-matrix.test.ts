import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { FaultRule } from "../../emulator/faults";
import { provider, configureProvider, resetProvider, emulatorConfig } from "../support/in-process-provider";

const ORDERS = 50;
/**
 * The grace after a lost answer that found nothing. Against CAS it is 3 s, a guess at how long a
 * request may still be processed. This emulator processes a request at once, or after its injected
 * latency (600 ms at most, counted from arrival), so 1 s covers every request still on its way, and
 * the provider decides exactly as with 3 s; the rounds of the matrix only wait less.
 */
const EMULATOR_GRACE_MS = "1000";
const contact = { username: "u", phone: "13800001111", email: "a@example.com" };

/** Every kind of failure at `rate` in total, on every action; ambiguous creates at `rate`. */
function faults(rate: number): FaultRule[] {
  return [
    { action: "*", kind: "error", rate: rate / 4 },
    { action: "*", kind: "reset", rate: rate / 4 },
    { action: "*", kind: "latency", rate: rate / 4, latencyMs: 600 },
    { action: "*", kind: "throttle", rate: rate / 4 },
    { action: "CreateCertificateRequest", kind: "ambiguous", rate },
  ];
}

for (const rate of [0.05, 0.2, 0.5]) {
  describe(`fault matrix: ${ORDERS} orders through the provider with ${rate * 100}% injected faults`, function () {
    this.timeout(300_000);
    let emu: RunningEmulator;
    let config: Record<string, string> = {};
    // The provider's log lines, from the sink it is configured with, for the audit below.
    const logged: string[] = [];
    const sink = (line: string) => void logged.push(line);
    before(async () => {
      emu = await startEmulator({
        seed: Math.round(rate * 1000),
        faults: faults(rate),
        lifecycle: { validation: "manual" },
      });
      config = emulatorConfig(emu, {
        "alicloud-cas:attemptTimeoutMs": "300",
        "alicloud-cas:lostAnswerGraceMs": EMULATOR_GRACE_MS,
        // Nothing is in flight once the grace has passed (above): a later run need not wait.
        "alicloud-cas:lostAnswerWindowSeconds": "0",
      });
      await configureProvider(config, sink);
    });
    after(async () => {
      await resetProvider();
      await emu.close();
    });

    it("every order exists exactly once with complete outputs; destroy leaves none; quota matches", async () => {
      const domains = Array.from({ length: ORDERS }, (_, i) => `f${i}.example.com`);
      const state = new Map<string, { id: string; outs: Record<string, unknown> }>();
      // What the user sets after an error listing the candidates (the fix the error names).
      const adopt = new Map<string, string>();
      let stopped = 0;
      // Like a user re-running `pulumi up` until it succeeds: the engine creates what the stack does
      // not hold and updates what an earlier run kept as a partial failure (a placeholder or an
      // order whose read-back failed), as here.
      const done = new Set<string>();
      for (let round = 0; round < 15 && done.size < ORDERS; round++) {
        await Promise.all(
          domains
            .filter((d) => !done.has(d))
            .map(async (domain) => {
              const { inputs } = await provider.check(
                {},
                { domain, ...contact, quotaCheck: "off", adoptOrderId: adopt.get(domain) },
              );
              const held = state.get(domain);
              try {
                if (held)
                  state.set(domain, {
                    id: held.id,
                    outs: (await provider.update(held.id, held.outs, inputs)).outs,
                  });
                else state.set(domain, await provider.create(inputs));
                done.add(domain);
              } catch (e) {
                logged.push((e as Error).message);
                const candidates = (e as { candidates?: Array<{ orderId: string; names: string[] }> })
                  .candidates;
                if (candidates?.length) {
                  // One resource per name in this program: its only candidate is its own order.
                  stopped++;
                  assert.equal(candidates.length, 1, (e as Error).message);
                  assert.deepEqual(candidates[0]!.names, [domain]);
                  adopt.set(domain, candidates[0]!.orderId);
                }
                // A partial failure carries an id: the engine records it with its properties, as here.
                const partial = e as { id?: string; properties?: Record<string, unknown> };
                if (partial.id) state.set(domain, { id: partial.id, outs: partial.properties ?? {} });
              }
            }),
        );
      }
      assert.equal(done.size, ORDERS, "every order created within 15 rounds");
      const orders = await emu.control.orders();
      for (const d of domains) {
        const mine = orders.filter((o) => o.domains[0] === d);
        assert.equal(mine.length, 1, `${d}: ${mine.length} orders`);
        const { id } = state.get(d)!;
        let { outs } = state.get(d)!;
        assert.equal(mine[0]!.orderId, outs.orderId);
        if (id !== outs.orderId || outs.status === "unknown") {
          // The next refresh (re-run under the same faults until it succeeds) takes the order's id.
          let refreshed: Awaited<ReturnType<typeof provider.read>> | undefined;
          for (let run = 0; run < 10 && !refreshed; run++)
            refreshed = await provider.read(id, outs).catch(() => undefined);
          assert.equal(refreshed?.id, outs.orderId);
          outs = refreshed!.props;
        }
        assert.equal(outs.status, "pending_validation");
        assert.match(
          String((outs.validationRecords as Record<string, { value: string }>)[d]?.value),
          /^\d{8}[0-9a-z]{48}$/,
        );
      }

      // `pulumi destroy` runs in a new provider process, which knows nothing of what this one's
      // creates took (in the same process, a delete leaves an order a create took to that resource).
      await configureProvider(config, sink);
      const remaining = new Set(domains);
      for (let round = 0; round < 15 && remaining.size > 0; round++) {
        await Promise.all(
          [...remaining].map(async (d) => {
            const { id, outs } = state.get(d)!;
            try {
              await provider.delete(id, outs);
              remaining.delete(d);
            } catch {
              /* next `destroy` */
            }
          }),
        );
      }
      assert.equal(remaining.size, 0);
      assert.deepEqual(await emu.control.orders(), []);
      emu.control.setFaults([]);
      const api = new CasClient({
        endpoint: emu.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        env: {},
      });
      const plan = await api.call("DescribePackageState", { ProductCode: "digicert-free-1-free" });
      assert.deepEqual([plan.TotalCount, plan.UsedCount, plan.IssuedCount], [100, 0, 0]);
      assert.deepEqual(emu.control.plan("digicert-free-1-free"), { total: 100, used: 0, issued: 0 });
      const log = emu.control.requests();
      const injected = log.filter(
        (r) => r.outcome !== "OK" && !/^(NotFoundOrder|OrderStateError)$/.test(r.outcome),
      ).length;
      assert.ok(injected > 0, "faults were injected");
      // Every create whose answer was dropped after the order was committed stopped with its candidate.
      const lost = log.filter((r) => r.action === "CreateCertificateRequest" && r.outcome === "ambiguous");
      assert.ok(stopped >= lost.length, `${stopped} stops for ${lost.length} lost answers`);
      // The provider's lines reached the sink: each lost answer said it was looking before ordering again.
      assert.ok(
        logged.some((l) =>
          /^\[alicloud-cas\] CreateCertificateRequest for f\d+\.example\.com: no answer \(.*\); looking for the order$/.test(
            l,
          ),
        ),
      );
      // Secret audit: provider logs and error messages never carry the access-key secret.
      assert.ok(!logged.some((l) => l.includes(emu.accessKeySecret) || /PRIVATE KEY/.test(l)));
    });
  });
}

for (const policy of ["stop", "unique"] as const) {
  describe(`two-owner race: two resources for each name in one program, lost create answers (adoptAfterLostAnswer=${policy})`, function () {
    this.timeout(120_000);
    let emu: RunningEmulator;
    before(async () => {
      emu = await startEmulator({
        seed: policy === "stop" ? 7 : 11,
        faults: [{ action: "CreateCertificateRequest", kind: "ambiguous", rate: 0.5 }],
        lifecycle: { validation: "manual" },
      });
      const config = emulatorConfig(emu, {
        "alicloud-cas:adoptAfterLostAnswer": policy,
        "alicloud-cas:lostAnswerGraceMs": EMULATOR_GRACE_MS,
      });
      // Log lines are not checked here: a sink that drops them keeps them off the test output.
      await configureProvider(config, () => undefined);
    });
    after(async () => {
      await resetProvider();
      await emu.close();
    });

    it("no resource holds, cancels or revokes another's order; each order is held once or listed as a candidate", async () => {
      const names = Array.from({ length: 10 }, (_, i) => `race${i}.example.com`);
      const owners = names.flatMap((domain) => ["a", "b"].map((who) => ({ who, domain })));
      const results = await Promise.all(
        owners.map(async ({ who, domain }) => {
          const { inputs } = await provider.check(
            {},
            { domain, ...contact, quotaCheck: "off", onDelete: "revoke" },
          );
          try {
            return { who, domain, held: await provider.create(inputs) };
          } catch (e) {
            // Kept in the stack as a placeholder with what was listed (maybe nothing: the sibling's order is held).
            const { id, candidates } = e as {
              id?: string;
              candidates?: Array<{ orderId: string; names: string[] }>;
            };
            assert.match(String(id), /^unresolved-\d+$/, (e as Error).message);
            return { who, domain, candidates: candidates ?? [] };
          }
        }),
      );
      const held = results.filter((r) => r.held).map((r) => ({ domain: r.domain, ...r.held! }));
      const ids = held.map((h) => h.id);
      assert.equal(new Set(ids).size, ids.length, "two resources hold one order");
      const orders = await emu.control.orders();
      for (const h of held) {
        assert.deepEqual(orders.find((o) => o.orderId === h.id)?.domains, [h.domain]);
        assert.ok(
          h.outs.ownership === "placed" || (policy === "unique" && h.outs.ownership === "reconciled"),
        );
      }
      const listed = new Set(results.flatMap((r) => r.candidates ?? []).map((c) => c.orderId));
      for (const id of listed) assert.ok(!ids.includes(id), `candidate ${id} is held by a resource`);
      // Every order is held by exactly one resource or was named to the user as a candidate.
      for (const o of orders)
        assert.ok(ids.includes(o.orderId) || listed.has(o.orderId), `stray ${o.orderId}`);
      assert.ok(
        results.some((r) => r.candidates?.length || r.held?.outs.ownership === "reconciled"),
        "the race lost some answers",
      );

      // Issue everything, then destroy what the resources hold (onDelete: revoke).
      for (const o of orders) await emu.control.issue(o.orderId);
      for (const h of held) await provider.delete(h.id, h.outs);
      const after = await emu.control.orders();
      for (const o of after) {
        const mine = held.find((h) => h.id === o.orderId);
        const revokes = mine && mine.outs.ownership === "placed";
        assert.equal(o.state, revokes ? "revoked" : "certificate", `order ${o.orderId}`);
      }
      const touched = emu.control
        .requests()
        .filter((r) => /^Cancel|^Delete/.test(r.action))
        .map((r) => String(r.orderId));
      for (const id of touched) assert.ok(ids.includes(id), `destroy touched ${id}, which no resource holds`);
    });
  });
}

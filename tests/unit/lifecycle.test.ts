import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ORDER_TYPES } from "../../provider/cas/schemas";
import {
  EXPIRED,
  ISSUED,
  LIFECYCLE,
  phaseOf,
  UNKNOWN_TYPE,
  type OrderPhase,
} from "../../provider/order/lifecycle";
import { STATUS_REASON } from "../../provider/order/outputs";
import { isExpired } from "../../provider/order/renewal";
import { waitForIssuance } from "../../provider/order/waiter";
import { fakeClock } from "../support/clock";

/** The `Type` values the official SDK documents in DescribeCertificateStateResponseBody's `type` remarks. */
function sdkOrderTypes(): string[] {
  const src = readFileSync(require.resolve("@alicloud/cas20200407/src/client.ts"), "utf8");
  const body = src.slice(src.indexOf("export class DescribeCertificateStateResponseBody "));
  const remark = body.slice(0, body.indexOf("  type?: string;"));
  const list = remark.slice(remark.lastIndexOf("The status of the certificate application order"));
  return [...list.matchAll(/^\s*\*\s+\*\s+\*\*([a-z_]+)\*\*:/gm)].map((m) => m[1]!);
}

describe("order life cycle table", () => {
  it("has one row for every state the official SDK documents, and no other", () => {
    const documented = sdkOrderTypes();
    assert.ok(documented.length >= 6, `parsed ${JSON.stringify(documented)} from the SDK remark`);
    assert.deepEqual(Object.keys(LIFECYCLE).sort(), [...documented].sort());
    assert.deepEqual([...ORDER_TYPES].sort(), [...documented].sort());
    for (const type of documented) assert.equal(phaseOf(type).type, type);
  });

  it("delete gives quota back the documented way in each state (cas-api.md §4.6)", () => {
    // CancelOrderRequest only from domain_verify/process (→ payed), DeleteCertificateRequest only
    // from verify_fail/payed, revoke only from certificate; an unknown state is never dropped.
    const expected: Record<string, OrderPhase["onDelete"]["kind"] | string[]> = {
      domain_verify: ["CancelOrderRequest", "DeleteCertificateRequest"],
      process: ["CancelOrderRequest", "DeleteCertificateRequest"],
      verify_fail: ["DeleteCertificateRequest"],
      payed: ["DeleteCertificateRequest"],
      certificate: "keepOrRevoke",
      unknow: "refuse",
    };
    for (const [type, phase] of Object.entries(LIFECYCLE)) {
      const plan = phase.onDelete;
      assert.deepEqual(plan.kind === "withdraw" ? [...plan.calls] : plan.kind, expected[type], type);
    }
  });

  it("maps each state to its status, and only failed or pending-application orders carry a reason", () => {
    const statuses = Object.fromEntries(Object.entries(LIFECYCLE).map(([type, p]) => [type, p.status]));
    assert.deepEqual(statuses, {
      domain_verify: "pending_validation",
      process: "under_review",
      certificate: "issued",
      verify_fail: "failed",
      payed: "pending_application",
      unknow: "unknown",
    });
    assert.deepEqual(Object.keys(STATUS_REASON).sort(), ["payed", "verify_fail"]);
    for (const [type, phase] of Object.entries(LIFECYCLE))
      if (phase.wait.kind === "stop") assert.ok(phase.reason, `${type} stops the waiter with a reason`);
  });

  it("only domain_verify carries validation data and only certificate the certificate", () => {
    const flagged = (k: "awaitsValidation" | "issued") =>
      Object.entries(LIFECYCLE)
        .filter(([, p]) => p[k])
        .map(([type]) => type);
    assert.deepEqual(flagged("awaitsValidation"), ["domain_verify"]);
    assert.deepEqual(flagged("issued"), ["certificate"]);
    assert.equal(ISSUED, "issued");
  });

  it("a state newer than this provider is unknown: kept on delete, polled, named in the log", () => {
    const p = phaseOf("revoked");
    assert.equal(p.status, "unknown");
    assert.equal(p.onDelete.kind, "refuse");
    assert.equal(p.wait.kind, "poll");
    assert.equal(p.label, "state revoked");
    assert.equal(phaseOf(UNKNOWN_TYPE).status, "unknown");
  });

  it("an issued certificate is expired at or after notAfter, or once marked expired", () => {
    const notAfter = Date.parse("2027-01-01T00:00:00Z");
    assert.equal(isExpired(ISSUED, notAfter, notAfter - 1), false);
    assert.equal(isExpired(ISSUED, notAfter, notAfter), true);
    assert.equal(isExpired(EXPIRED, NaN, 0), true);
    assert.equal(isExpired(ISSUED, NaN, notAfter), false, "no notAfter: not expired");
    assert.equal(isExpired("pending_validation", notAfter, notAfter + 1), false);
  });
});

describe("the waiter follows the table", () => {
  const opts = { timeoutMinutes: 1, pollIntervalSeconds: 1, maxPollIntervalSeconds: 1 };
  for (const type of [...ORDER_TYPES, "revoked"]) {
    const phase = phaseOf(type);
    it(`${type}: ${phase.wait.kind}`, async () => {
      const seq = [type, "certificate"];
      let i = 0;
      const lines: string[] = [];
      const describe = async () =>
        ({ RequestId: "R", Type: seq[Math.min(i++, seq.length - 1)]!, Certificate: "PEM" }) as never;
      const run = waitForIssuance(describe, "7", opts, fakeClock(), (l) => lines.push(l));
      if (phase.wait.kind === "stop") {
        const code = phase.wait.code;
        await assert.rejects(
          run,
          (e: Error & { code?: string }) => e.code === code && e.message.includes(phase.reason!),
        );
        assert.equal(i, 1, "stops at once");
      } else {
        assert.equal((await run).Type, "certificate");
        assert.equal(
          i,
          phase.wait.kind === "done" ? 1 : 2,
          phase.wait.kind === "done" ? "done at once" : "polled again",
        );
      }
      assert.equal(lines[0], `order 7: ${phase.label}`);
    });
  }
});

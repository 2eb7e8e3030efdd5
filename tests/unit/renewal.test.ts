import assert from "node:assert/strict";
import { DAY_MS, renewalBeyondValidity, renewalDue, withExpiry } from "../../provider/order/renewal";

describe("renewal: one rule for expiry and renewBeforeDays, at a given now", () => {
  const notAfter = Date.parse("2026-06-30T00:00:00.000Z");
  const issued = { status: "issued", notAfter: new Date(notAfter).toISOString() };

  it("is due within renewBeforeDays of notAfter, counting whole days left", () => {
    assert.equal(renewalDue(notAfter - 30 * DAY_MS - 1, issued, 30), undefined);
    assert.deepEqual(renewalDue(notAfter - 30 * DAY_MS, issued, 30), {
      kind: "due",
      notAfter,
      daysLeft: 30,
      renewBeforeDays: 30,
    });
    assert.deepEqual(renewalDue(notAfter - DAY_MS / 2, issued, 30), {
      kind: "due",
      notAfter,
      daysLeft: 0,
      renewBeforeDays: 30,
    });
    assert.equal(renewalDue(notAfter - 10 * DAY_MS, issued, null), undefined, "no renewBeforeDays");
    assert.equal(renewalDue(notAfter - DAY_MS, { ...issued, status: "pending_validation" }, 30), undefined);
  });

  it("is expired at notAfter, or when a read marked it expired, whatever renewBeforeDays says", () => {
    assert.deepEqual(renewalDue(notAfter, issued, null), { kind: "expired", notAfter });
    assert.equal(renewalDue(0, { status: "expired", notAfter: null }, null)?.kind, "expired");
  });

  it("withExpiry marks an issued certificate past notAfter expired, with the reason", () => {
    const outs = { ...issued, statusReason: null };
    assert.equal(withExpiry(outs, notAfter - 1), outs);
    const expired = withExpiry(outs, notAfter);
    assert.equal(expired.status, "expired");
    assert.match(
      String(expired.statusReason),
      /expired 2026-06-30T00:00:00\.000Z; the next pulumi up orders a replacement/,
    );
  });

  it("renewBeforeDays at or above the validity is refused, with a value that works", () => {
    const dates = { notBefore: "2026-01-01T00:00:00.000Z", notAfter: "2026-04-01T00:00:00.000Z" };
    assert.equal(renewalBeyondValidity(dates, 89), undefined);
    assert.match(
      String(renewalBeyondValidity(dates, 90)),
      /validity of 90 days.*below 90 \(for example 30\)/,
    );
    assert.equal(renewalBeyondValidity({ notBefore: null, notAfter: null }, 90), undefined);
  });
});

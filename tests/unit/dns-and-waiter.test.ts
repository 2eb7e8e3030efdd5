import assert from "node:assert/strict";
import { alidnsRecordArgs } from "../../sdk/dns";
import { dnsRecordsFor } from "../../provider/order/outputs";
import { waitForIssuance } from "../../provider/order/waiter";
import { fakeClock } from "../support/scripted-server";
import { CasApiError } from "../../provider/cas/errors";

describe("DNS validation records", () => {
  it("apex: the record sits one label below the zone", () => {
    const recs = dnsRecordsFor(["example.com"], "_dnsauth", "TXT", "v");
    assert.deepEqual(alidnsRecordArgs(recs, "example.com"), [
      { domainName: "example.com", rr: "_dnsauth", type: "TXT", value: "v", ttl: 600 },
    ]);
  });
  it("subdomain: the host record includes the labels below the apex", () => {
    const recs = dnsRecordsFor(["www.example.com"], "_dnsauth", "TXT", "v");
    assert.equal(recs[0]!.fqdn, "_dnsauth.www.example.com");
    assert.deepEqual(alidnsRecordArgs(recs, "example.com")[0]!.rr, "_dnsauth.www");
    assert.deepEqual(alidnsRecordArgs(recs, "www.example.com")[0]!.rr, "_dnsauth");
  });
  it("wildcard and apex share one record", () => {
    const recs = dnsRecordsFor(["*.example.com", "example.com"], "_dnsauth", "CNAME", "x.dnsauth.example");
    assert.equal(recs.length, 1);
    assert.deepEqual(alidnsRecordArgs([...recs, ...recs], "example.com", 300), [
      { domainName: "example.com", rr: "_dnsauth", type: "CNAME", value: "x.dnsauth.example", ttl: 300 },
    ]);
  });
  it("multi-level zones: name the zone, the host record follows", () => {
    const recs = dnsRecordsFor(["shop.example.co.uk"], "_dnsauth", "TXT", "v", "example.co.uk");
    assert.deepEqual([recs[0]!.zone, recs[0]!.rr], ["example.co.uk", "_dnsauth.shop"]);
    assert.equal(alidnsRecordArgs(recs, "example.co.uk")[0]!.rr, "_dnsauth.shop");
  });
  it("a RecordDomain that is already a full name is taken as such", () => {
    assert.equal(
      dnsRecordsFor(["www.example.com"], "_dnsauth.www.example.com", "TXT", "v")[0]!.fqdn,
      "_dnsauth.www.example.com",
    );
  });
  it("refuses a record outside the zone", () => {
    assert.throws(
      () => alidnsRecordArgs(dnsRecordsFor(["www.example.org"], "_dnsauth", "TXT", "v"), "example.com"),
      /not in zone example\.com/,
    );
  });
});

describe("waitForIssuance", () => {
  const states = (seq: string[]) => {
    let i = 0;
    return async () =>
      ({ RequestId: "R", Type: seq[Math.min(i++, seq.length - 1)]!, Certificate: "PEM" }) as never;
  };
  const opts = { timeoutMinutes: 1, pollIntervalSeconds: 2, maxPollIntervalSeconds: 5 };

  it("polls with growing intervals and logs one line per state change", async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const res = await waitForIssuance(
      states(["domain_verify", "domain_verify", "process", "process", "certificate"]),
      "9",
      opts,
      clock,
      (l) => lines.push(l),
    );
    assert.equal(res.Type, "certificate");
    assert.deepEqual(clock.sleeps, [2000, 3000, 4500, 5000]);
    assert.deepEqual(lines, [
      "order 9: waiting for domain validation (publish the DNS record or file)",
      "order 9: validated; the CA is reviewing (after 5s)",
      "order 9: issued (after 15s)",
    ]);
  });
  it("fails fast with the reason on verify_fail", async () => {
    await assert.rejects(
      waitForIssuance(states(["domain_verify", "verify_fail"]), "9", opts, fakeClock(), () => undefined),
      /failed validation \(verify_fail\)/,
    );
  });
  it("stops at its own deadline with a message that says the next up resumes", async () => {
    const clock = fakeClock();
    await assert.rejects(
      waitForIssuance(states(["domain_verify"]), "9", opts, clock, () => undefined),
      (e: Error & { code?: string }) =>
        e.code === "WaitTimedOut" && /run pulumi up again to keep waiting on the same order/.test(e.message),
    );
    assert.equal(
      clock.sleeps.reduce((a, b) => a + b, 0),
      60_000,
    );
  });
  it("resumes on the same order: a second wait after a timeout completes without ordering", async () => {
    const describe = states(["domain_verify", "domain_verify", "domain_verify", "certificate"]);
    const short = { ...opts, timeoutMinutes: 0.05 };
    await assert.rejects(
      waitForIssuance(describe, "9", short, fakeClock(), () => undefined),
      /still domain_verify/,
    );
    assert.equal(
      (await waitForIssuance(describe, "9", short, fakeClock(), () => undefined)).Type,
      "certificate",
    );
  });
  it("explains an order that disappeared", async () => {
    const gone = async () => {
      throw new CasApiError({
        code: "NotFoundOrder",
        message: "x",
        httpStatus: 404,
        requestId: null,
        hostId: null,
        recommend: null,
        action: "DescribeCertificateState",
        retryable: false,
      });
    };
    await assert.rejects(
      waitForIssuance(gone, "9", opts, fakeClock(), () => undefined),
      /does not exist in CAS any more/,
    );
  });
});

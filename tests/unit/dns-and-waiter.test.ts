import assert from "node:assert/strict";
import { alidnsRecordArgs } from "../../sdk/dns";
import { dnsRecordsFor, refreshChanges, toOutputs } from "../../provider/order/outputs";
import type { OrderInputs } from "../../provider/order/inputs";
import { describeCertificateStateResponse } from "../../provider/cas/schemas";
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
  it("takes allValidationRecords as resolved (keyed by ordered name) as well as a list", () => {
    const keyed = {
      "www.example.com": {
        fqdn: "_dnsauth.www.example.com",
        rr: "_dnsauth.www",
        zone: "example.com",
        type: "TXT",
        value: "v1",
      },
      "api.example.com": {
        fqdn: "_dnsauth.api.example.com",
        rr: "_dnsauth.api",
        zone: "example.com",
        type: "TXT",
        value: "v2",
      },
    };
    assert.deepEqual(alidnsRecordArgs(keyed, "example.com"), [
      { domainName: "example.com", rr: "_dnsauth.www", type: "TXT", value: "v1", ttl: 600 },
      { domainName: "example.com", rr: "_dnsauth.api", type: "TXT", value: "v2", ttl: 600 },
    ]);
    // A keyed name outside the zone is named by its key, like a listed record by its domain.
    assert.throws(() => alidnsRecordArgs(keyed, "example.org"), /pass the zone that holds www\.example\.com/);
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
  describe("whichever form CAS gives RecordDomain in, the record is the same", () => {
    // The form CAS would return for each name: relative to the name, to the zone, or full.
    const forms: Record<string, (name: string) => string> = {
      name: () => "_dnsauth",
      zone: (name) =>
        name === "example.com" ? "_dnsauth" : `_dnsauth.${name.slice(0, -".example.com".length)}`,
      fqdn: (name) => `_dnsauth.${name}`,
    };
    for (const [style, rd] of Object.entries(forms)) {
      it(`${style}: www, a.b below the apex, and the apex`, () => {
        for (const [name, rr] of [
          ["www.example.com", "_dnsauth.www"],
          ["a.b.example.com", "_dnsauth.a.b"],
          ["example.com", "_dnsauth"],
          ["*.www.example.com", "_dnsauth.www"],
        ] as const) {
          const [rec] = dnsRecordsFor([name], rd(name.replace(/^\*\./, "")), "TXT", "v");
          assert.equal(rec!.fqdn, `${rr}.example.com`, `${style} ${name}`);
          assert.equal(rec!.rr, rr);
          assert.deepEqual(alidnsRecordArgs([rec!], "example.com")[0]!.rr, rr);
        }
      });
      it(`${style}: one RecordDomain (for the first name) serves every name of the order`, () => {
        const names = ["www.example.com", "api.example.com", "example.com"];
        const recs = dnsRecordsFor(names, rd(names[0]!), "TXT", "v");
        assert.deepEqual(
          recs.map((r) => [r.domain, r.fqdn]),
          names.map((n) => [n, `_dnsauth.${n}`]),
        );
      });
    }
  });
  it("refuses a record outside the zone, by whole labels", () => {
    assert.throws(
      () => alidnsRecordArgs(dnsRecordsFor(["anexample.com"], "_dnsauth", "TXT", "v"), "example.com"),
      /not in zone example\.com/,
    );
    assert.throws(
      () => alidnsRecordArgs(dnsRecordsFor(["www.example.org"], "_dnsauth", "TXT", "v"), "example.com"),
      /not in zone example\.com/,
    );
  });
});

describe("validationRecords: each name gets its own record, by exact labels", () => {
  const inputs = { productCode: "digicert-free-1-free", validateType: "DNS" } as OrderInputs;
  const pending = (RecordDomain: string) =>
    describeCertificateStateResponse.parse({
      RequestId: "R",
      Type: "domain_verify",
      ValidateType: "DNS",
      RecordDomain,
      RecordType: "TXT",
      RecordValue: "v",
    });
  const keyed = async (domains: string[], rd = "_dnsauth") => {
    const outs = await toOutputs(inputs, "1", "CreateCertificateForPackageRequest", domains, pending(rd));
    return Object.fromEntries(Object.entries(outs.validationRecords).map(([k, r]) => [k, r.fqdn]));
  };
  it("www.example.com and example.com in one order", async () => {
    assert.deepEqual(await keyed(["www.example.com", "example.com"]), {
      "www.example.com": "_dnsauth.www.example.com",
      "example.com": "_dnsauth.example.com",
    });
  });
  it("anexample.com is not example.com; email. is not mail.", async () => {
    assert.deepEqual(await keyed(["anexample.com", "example.com"]), {
      "anexample.com": "_dnsauth.anexample.com",
      "example.com": "_dnsauth.example.com",
    });
    assert.deepEqual(await keyed(["email.example.com", "mail.example.com"], "_dnsauth.email"), {
      "email.example.com": "_dnsauth.email.example.com",
      "mail.example.com": "_dnsauth.mail.example.com",
    });
  });
  it("an apex and its wildcard share one record, and say so", async () => {
    const outs = await toOutputs(
      inputs,
      "1",
      "CreateCertificateForPackageRequest",
      ["*.example.com", "example.com"],
      pending("_dnsauth"),
    );
    assert.ok(outs.validation?.method === "DNS");
    assert.deepEqual(
      outs.validation.records.map((r) => [r.fqdn, r.names]),
      [["_dnsauth.example.com", ["*.example.com", "example.com"]]],
    );
    assert.deepEqual(
      Object.entries(outs.validationRecords).map(([k, r]) => [k, r.domain, r.fqdn]),
      [
        ["*.example.com", "*.example.com", "_dnsauth.example.com"],
        ["example.com", "example.com", "_dnsauth.example.com"],
      ],
    );
  });
  it("FILE validation names the host CAS gives in Domain, with Uri and Content", async () => {
    const outs = await toOutputs(
      { ...inputs, validateType: "FILE" },
      "1",
      "CreateCertificateRequest",
      ["*.example.com"],
      describeCertificateStateResponse.parse({
        RequestId: "R",
        Type: "domain_verify",
        ValidateType: "FILE",
        Domain: "www.example.com",
        Uri: "/.well-known/pki-validation/fileauth.txt",
        Content: "token",
      }),
    );
    assert.deepEqual(outs.validation, {
      method: "FILE",
      files: [
        {
          domain: "www.example.com",
          path: "/.well-known/pki-validation/fileauth.txt",
          content: "token",
          url: "http://www.example.com/.well-known/pki-validation/fileauth.txt",
        },
      ],
    });
  });
});

describe("refreshChanges: what read saw change", () => {
  const outs = (o: Record<string, unknown>) => o as never;
  it("names status, serial and expiry, old → new", () => {
    assert.equal(
      refreshChanges(
        { status: "pending_validation", serialNumber: null },
        outs({ status: "issued", serialNumber: "0a1b", notAfter: "2027-01-01T00:00:00.000Z" }),
      ),
      "status pending_validation → issued, serial none → 0a1b, expiry none → 2027-01-01T00:00:00.000Z",
    );
  });
  it("nothing when nothing changed", () => {
    const same = { status: "issued", serialNumber: "0a1b", notAfter: "2027-01-01T00:00:00.000Z" };
    assert.equal(refreshChanges(same, outs({ ...same })), null);
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
  it("verify_fail: the CA's review failed; says how to replace the order", async () => {
    await assert.rejects(
      waitForIssuance(states(["domain_verify", "verify_fail"]), "9", opts, fakeClock(), () => undefined),
      (e: Error & { code?: string }) =>
        e.code === "ValidationFailed" &&
        /review failed \(verify_fail\)/.test(e.message) &&
        /application information/.test(e.message) &&
        /pulumi up --replace <urn>/.test(e.message),
    );
  });
  it("payed: pending application; says the console step, not that the order is dead", async () => {
    const lines: string[] = [];
    await assert.rejects(
      waitForIssuance(states(["payed"]), "9", opts, fakeClock(), (l) => lines.push(l)),
      (e: Error & { code?: string }) =>
        e.code === "PendingApplication" &&
        /pending application/.test(e.message) &&
        /CAS console/.test(e.message) &&
        !/never be issued|withdrawn \(payed\)/.test(e.message),
    );
    assert.deepEqual(lines, ["order 9: pending application (not submitted to the CA)"]);
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

import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { alidnsRecordArgs } from "../../sdk/dns";
import {
  certificateFields,
  dnsRecordsFor,
  recordFor,
  refreshChanges,
  stripUndefined,
  toOutputs,
} from "../../provider/order/outputs";
import { orderInputsSchema } from "../../provider/order/inputs";
import { providerLog } from "../../provider/order/log";
import { CertIdHints } from "../../provider/order/certificate-link";
import type { OutputsIo } from "../../provider/order/outputs";

/** Where toOutputs' log lines go (a test sets it to read them). */
let sink: (line: string) => void = () => undefined;
const io: OutputsIo = {
  api: () => {
    throw new Error("no API call expected");
  },
  log: providerLog((line) => sink(line)),
  certIds: new CertIdHints(),
};
import { readRecordDomain, recordGroups, registrableDomain } from "../../provider/order/record-name";
import { describeCertificateStateResponse } from "../../provider/cas/schemas";
import { loadX509 } from "../../provider/pki/x509";

describe("DNS validation records", () => {
  it("apex: the record sits one label below the zone", () => {
    const recs = dnsRecordsFor(["example.com"], "_dnsauth", "TXT", "v");
    assert.deepEqual(alidnsRecordArgs(recs, "example.com"), [
      { domainName: "example.com", rr: "_dnsauth", type: "TXT", value: "v", ttl: 600 },
    ]);
  });
  it("subdomain: the host record includes the labels below the apex", () => {
    const recs = dnsRecordsFor(["www.example.com"], "_dnsauth.www.example.com", "TXT", "v");
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
  it("publishRecords: false returns nothing to publish (CAS validates the zone itself), still checking the zone", () => {
    const recs = dnsRecordsFor(["www.example.com"], "_dnsauth.www.example.com", "TXT", "v");
    assert.equal(alidnsRecordArgs(recs, "example.com", { ttl: 60 })[0]!.ttl, 60);
    assert.deepEqual(alidnsRecordArgs(recs, "example.com", { publishRecords: false }), []);
    assert.throws(
      () => alidnsRecordArgs(recs, "example.org", { publishRecords: false }),
      /not in zone example\.org/,
    );
  });
  it("multi-level zones: name the zone, the host record follows", () => {
    const recs = dnsRecordsFor(["shop.example.co.uk"], "_dnsauth", "TXT", "v", "example.co.uk");
    assert.deepEqual([recs[0]!.zone, recs[0]!.rr], ["example.co.uk", "_dnsauth.shop"]);
    assert.equal(alidnsRecordArgs(recs, "example.co.uk")[0]!.rr, "_dnsauth.shop");
  });

  describe("RecordDomain read against the registrable domain (Public Suffix List)", () => {
    it("CAS naming the parent of www (DigiCert's check): the record is published at that name", () => {
      const [rec, ...rest] = dnsRecordsFor(["www.example.com"], "_dnsauth.example.com", "TXT", "v");
      assert.deepEqual(rest, []);
      assert.deepEqual(
        [rec!.fqdn, rec!.rr, rec!.zone, rec!.names],
        ["_dnsauth.example.com", "_dnsauth", "example.com", ["www.example.com"]],
      );
    });
    it("www.example.co.uk is in zone example.co.uk (not co.uk), whichever form CAS answers in", () => {
      for (const rd of ["_dnsauth.www.example.co.uk", "_dnsauth.www", "_dnsauth"]) {
        const [rec] = dnsRecordsFor(["www.example.co.uk"], rd, "TXT", "v");
        assert.deepEqual(
          [rec!.fqdn, rec!.rr, rec!.zone],
          ["_dnsauth.www.example.co.uk", "_dnsauth.www", "example.co.uk"],
          rd,
        );
      }
      assert.deepEqual(
        [registrableDomain("a.b.example.com.cn"), registrableDomain("*.shop.example.co.uk")],
        ["example.com.cn", "example.co.uk"],
      );
    });
    it("a full value is taken as given, even one that does not start with the ordered name's labels", () => {
      assert.deepEqual(readRecordDomain("www.example.com", "_dnsauth.www.example.com"), {
        fqdn: "_dnsauth.www.example.com",
        base: "example.com",
        reading: "full",
      });
      assert.deepEqual(readRecordDomain("a.b.example.com", "_DNSAUTH.b.example.com."), {
        fqdn: "_dnsauth.b.example.com",
        base: "example.com",
        reading: "full",
      });
    });
    it("a dotted value is relative to the registrable domain, not to the zone the user gives", () => {
      const [rec] = dnsRecordsFor(
        ["www.shop.example.com"],
        "_dnsauth.www.shop",
        "TXT",
        "v",
        "shop.example.com",
      );
      assert.deepEqual(
        [rec!.fqdn, rec!.rr, rec!.zone],
        ["_dnsauth.www.shop.example.com", "_dnsauth.www", "shop.example.com"],
      );
    });
    it("a bare label is prefixed to the ordered name (a named guess)", () => {
      assert.deepEqual(readRecordDomain("*.www.example.com", "_dnsauth"), {
        fqdn: "_dnsauth.www.example.com",
        base: "example.com",
        reading: "relative to the ordered name",
      });
    });
  });

  describe("whichever form CAS gives RecordDomain in, a single name's record is the same", () => {
    // The form CAS may return for each name: full, relative to the registrable domain, or bare.
    const forms: Record<string, (name: string) => string> = {
      fqdn: (name) => `_dnsauth.${name}`,
      zone: (name) =>
        name === "example.com" ? "_dnsauth" : `_dnsauth.${name.slice(0, -".example.com".length)}`,
      name: () => "_dnsauth",
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
      it(`${style}: the one RecordDomain (for the first name) is one record for every name under its registrable domain`, () => {
        const names = ["www.example.com", "api.example.com", "example.com"];
        const recs = dnsRecordsFor(names, rd(names[0]!), "TXT", "v");
        assert.deepEqual(
          recs.map((r) => [r.domain, r.names, r.fqdn, r.zone]),
          [["www.example.com", names, "_dnsauth.www.example.com", "example.com"]],
        );
      });
    }
  });

  it("names under another registrable domain get the same value at <label>.<name> (a named guess)", () => {
    const recs = dnsRecordsFor(
      ["www.example.com", "www.example.org", "*.example.org", "example.org", "shop.example.com"],
      "_dnsauth.example.com",
      "TXT",
      "v",
    );
    assert.deepEqual(
      recs.map((r) => [r.fqdn, r.rr, r.zone, r.names]),
      [
        ["_dnsauth.example.com", "_dnsauth", "example.com", ["www.example.com", "shop.example.com"]],
        ["_dnsauth.www.example.org", "_dnsauth.www", "example.org", ["www.example.org"]],
        ["_dnsauth.example.org", "_dnsauth", "example.org", ["*.example.org", "example.org"]],
      ],
    );
  });
  it("a full value ending with a later name's registrable domain answers for that name", () => {
    const recs = dnsRecordsFor(["a.example.org", "www.example.com"], "_dnsauth.example.com", "TXT", "v");
    assert.deepEqual(
      recs.map((r) => [r.fqdn, r.names]),
      [
        ["_dnsauth.a.example.org", ["a.example.org"]],
        ["_dnsauth.example.com", ["www.example.com"]],
      ],
    );
  });
  it("ManagedCertificate's groups at preview are the records' groups once CAS answers for the first name", () => {
    const names = ["www.example.com", "example.com", "www.example.org", "*.example.net", "example.net"];
    for (const rd of ["_dnsauth.www.example.com", "_dnsauth.example.com", "_dnsauth.www", "_dnsauth"])
      assert.deepEqual(
        recordGroups(names),
        dnsRecordsFor(names, rd, "TXT", "v").map((r) => r.names),
        rd,
      );
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

describe("validationRecords: each name's record, by exact names", () => {
  const inputs = orderInputsSchema.parse({ validateType: "DNS" });
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
    const outs = await toOutputs(io, inputs, "1", "CreateCertificateForPackageRequest", domains, pending(rd));
    return Object.fromEntries(Object.entries(outs.validationRecords).map(([k, r]) => [k, r.fqdn]));
  };
  let logged: string[] = [];
  beforeEach(() => {
    logged = [];
    sink = (l) => void logged.push(l);
  });
  afterEach(() => (sink = () => undefined));

  it("www.example.com answered _dnsauth.example.com: published at _dnsauth.example.com, and the log says why", async () => {
    const outs = await toOutputs(
      io,
      inputs,
      "12000001",
      "CreateCertificateRequest",
      ["www.example.com"],
      pending("_dnsauth.example.com"),
    );
    assert.deepEqual(
      [outs.validationRecords["www.example.com"]?.fqdn, outs.validationRecords["www.example.com"]?.rr],
      ["_dnsauth.example.com", "_dnsauth"],
    );
    assert.deepEqual(logged, [
      '[alicloud-cas] order 12000001: publish TXT _dnsauth.example.com for www.example.com: host record _dnsauth in zone example.com (the registrable domain, by the Public Suffix List; set dnsZone if the DNS zone is another); RecordDomain "_dnsauth.example.com" is a full name (it ends with example.com)',
    ]);
    // The same answer read again (a refresh) is not said again; another value is.
    await toOutputs(
      io,
      inputs,
      "12000001",
      "CreateCertificateRequest",
      ["www.example.com"],
      pending("_dnsauth.example.com"),
      outs,
    );
    assert.equal(logged.length, 1);
    await toOutputs(
      io,
      inputs,
      "12000001",
      "CreateCertificateRequest",
      ["www.example.com"],
      pending("_dnsauth"),
      outs,
    );
    assert.equal(logged.length, 2);
    assert.match(
      logged[1]!,
      /publish TXT _dnsauth\.www\.example\.com .*has no dots: read relative to the ordered name \(a guess\)/,
    );
  });
  it("dnsZone as typed (case, spaces, a trailing dot) gives the zone as AlidnsRecord names it", () => {
    const [record] = dnsRecordsFor(
      ["www.example.com"],
      "_dnsauth.www.example.com",
      "TXT",
      "v",
      " Example.COM. ",
    );
    assert.deepEqual([record!.zone, record!.rr], ["example.com", "_dnsauth.www"]);
  });

  it("the log names dnsZone as the zone when it is given, and a record outside it", async () => {
    await toOutputs(
      io,
      orderInputsSchema.parse({ dnsZone: "www.example.com" }),
      "7",
      "CreateCertificateRequest",
      ["www.example.com"],
      pending("_dnsauth.example.com"),
    );
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /host record _dnsauth\.example\.com in zone www\.example\.com \(dnsZone\); /);
    assert.match(
      logged[0]!,
      /; _dnsauth\.example\.com is not in zone www\.example\.com: publish it in the zone that holds it$/,
    );
  });
  it("www.example.com and example.com in one order share the one record", async () => {
    assert.deepEqual(await keyed(["www.example.com", "example.com"]), {
      "www.example.com": "_dnsauth.www.example.com",
      "example.com": "_dnsauth.www.example.com",
    });
    assert.deepEqual(await keyed(["www.example.com", "example.com"], "_dnsauth.example.com"), {
      "www.example.com": "_dnsauth.example.com",
      "example.com": "_dnsauth.example.com",
    });
  });
  it("anexample.com is not under example.com: each has its record", async () => {
    assert.deepEqual(await keyed(["anexample.com", "example.com"]), {
      "anexample.com": "_dnsauth.anexample.com",
      "example.com": "_dnsauth.example.com",
    });
  });
  it("an apex and its wildcard share one record, and say so", async () => {
    const outs = await toOutputs(
      io,
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
      io,
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

/** A self-signed certificate for `names` with a fixed serial, valid for a year from `notBefore`. */
async function certificate(names: string[], serial: string, notBefore = new Date("2026-01-01T00:00:00Z")) {
  const x509 = loadX509();
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name: `CN=${names[0]}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 365 * 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: "dns" as const, value }))),
    ],
  });
  return cert.toString("pem") + "\n";
}

const state = (fields: Record<string, unknown>) =>
  describeCertificateStateResponse.parse({ RequestId: "R", ...fields });

describe("certificateFields: the issued certificate as outputs", () => {
  it("every field is null before issuance, even when a Certificate is present", async () => {
    const pem = await certificate(["www.example.com"], "0a1b");
    const fields = await certificateFields(state({ Type: "domain_verify", Certificate: pem }));
    assert.deepEqual(
      Object.values(fields),
      Object.values(fields).map(() => null),
    );
    assert.equal(Object.keys(fields).length, 8);
  });

  it("issued: the leaf, the chain after it, validity, serial, both fingerprints and the SANs sorted in lower case", async () => {
    const leaf = await certificate(["www.example.com", "API.example.com"], "0a1b2c3d");
    const root = await certificate(["root.example"], "01");
    const fields = await certificateFields(state({ Type: "certificate", Certificate: leaf + root }));
    const { X509Certificate } = await import("node:crypto");
    const node = new X509Certificate(leaf);
    assert.deepEqual(fields, {
      certificatePem: leaf,
      certificateChainPem: root,
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2027-01-01T00:00:00.000Z",
      serialNumber: "0a1b2c3d",
      fingerprintSha256: node.fingerprint256,
      fingerprintSha1: node.fingerprint,
      sans: ["api.example.com", "www.example.com"],
    });
    const alone = await certificateFields(state({ Type: "certificate", Certificate: leaf }));
    assert.equal(alone.certificateChainPem, null);
  });
});

describe("recordFor: the record that proves one name", () => {
  const records = dnsRecordsFor(
    ["*.example.com", "example.com", "www.example.com", "www.example.org"],
    "_dnsauth",
    "TXT",
    "v",
  );
  it("the record listing the name: names under one registrable domain share one, another domain has its own", () => {
    assert.equal(recordFor(records, "example.com")?.fqdn, "_dnsauth.example.com");
    assert.equal(recordFor(records, "*.example.com")?.fqdn, "_dnsauth.example.com");
    assert.equal(recordFor(records, "www.example.com")?.fqdn, "_dnsauth.example.com");
    assert.equal(recordFor(records, "www.example.org")?.fqdn, "_dnsauth.www.example.org");
  });
  it("never by suffix: a name the order does not have has none", () => {
    assert.equal(recordFor(records, "api.example.com"), undefined);
    assert.equal(recordFor(records, "ple.com"), undefined);
    assert.equal(recordFor([], "example.com"), undefined);
  });
});

describe("stripUndefined: plain JSON for Pulumi", () => {
  it("drops undefined at every depth and keeps null, arrays and nested values", () => {
    assert.deepEqual(stripUndefined({ a: 1, b: undefined, c: { d: undefined, e: null, f: [1, "x"] } }), {
      a: 1,
      c: { e: null, f: [1, "x"] },
    });
  });
});

describe("toOutputs: one DescribeCertificateState answer as outputs", () => {
  // The records' log lines are asserted above; here they would only be noise.
  before(() => (sink = () => undefined));
  const pending = state({
    Type: "domain_verify",
    ValidateType: "DNS",
    RecordDomain: "_dnsauth",
    RecordType: "TXT",
    RecordValue: "token",
  });
  const action = "CreateCertificateForPackageRequest";

  it("carries the normalized inputs without undefined, and the order id, action and names", async () => {
    const inputs = orderInputsSchema.parse({ domain: "www.example.com", email: undefined });
    const outs = await toOutputs(io, inputs, "12000001", action, ["www.example.com"], pending);
    assert.deepEqual(
      [outs.orderId, outs.action, outs.domains, outs.domain, outs.onDelete, outs.type],
      ["12000001", action, ["www.example.com"], "www.example.com", "cancel", "domain_verify"],
    );
    assert.ok(!Object.keys(outs).includes("email"), "no undefined input in the outputs");
    assert.ok(!Object.values(outs).includes(undefined));
  });

  it("dnsZone names the zone of every record", async () => {
    const inputs = orderInputsSchema.parse({ dnsZone: "example.co.uk" });
    const outs = await toOutputs(io, inputs, "1", action, ["shop.example.co.uk"], pending);
    assert.deepEqual(
      [outs.validationRecords["shop.example.co.uk"]?.zone, outs.validationRecords["shop.example.co.uk"]?.rr],
      ["example.co.uk", "_dnsauth.shop"],
    );
  });

  it("FILE validation without a Domain: one file per distinct host of the ordered names", async () => {
    const outs = await toOutputs(
      io,
      orderInputsSchema.parse({ validateType: "FILE" }),
      "1",
      action,
      ["*.example.com", "example.com", "www.example.com"],
      state({
        Type: "domain_verify",
        ValidateType: "FILE",
        Uri: "/.well-known/pki-validation/f.txt",
        Content: "c",
      }),
    );
    assert.ok(outs.validation?.method === "FILE");
    assert.deepEqual(
      outs.validation.files.map((f) => f.url),
      [
        "http://example.com/.well-known/pki-validation/f.txt",
        "http://www.example.com/.well-known/pki-validation/f.txt",
      ],
    );
    assert.deepEqual(outs.validationRecords, {});
  });

  it("a state past validation keeps the validation it had; a first read of one has none", async () => {
    const inputs = orderInputsSchema.parse({});
    const first = await toOutputs(io, inputs, "1", action, ["www.example.com"], pending);
    const later = await toOutputs(
      io,
      inputs,
      "1",
      action,
      ["www.example.com"],
      state({ Type: "process" }),
      first,
    );
    assert.deepEqual(later.validation, first.validation);
    assert.equal(
      (await toOutputs(io, inputs, "1", action, ["www.example.com"], state({ Type: "process" }))).validation,
      null,
    );
  });

  it("the generated key: from the answer when CAS returns it, otherwise the one kept in state", async () => {
    const inputs = orderInputsSchema.parse({});
    const withKey = state({ Type: "domain_verify", PrivateKey: "KEY-1" });
    assert.equal(
      (await toOutputs(io, inputs, "1", action, ["a.example.com"], withKey)).privateKeyPem,
      "KEY-1",
    );
    const kept = await toOutputs(io, inputs, "1", action, ["a.example.com"], pending, {
      privateKeyPem: "KEY-0",
    });
    assert.equal(kept.privateKeyPem, "KEY-0");
    assert.equal((await toOutputs(io, inputs, "1", action, ["a.example.com"], pending)).privateKeyPem, null);
  });

  it("issued: the certificate outputs, and the CAS ids kept from state while the serial is the same", async () => {
    const pem = await certificate(["www.example.com"], "0a1b2c3d");
    const issued = state({ Type: "certificate", Certificate: pem });
    // No client is configured here: a look-up would fail, so the ids can only come from state.
    const outs = await toOutputs(io, orderInputsSchema.parse({}), "1", action, ["www.example.com"], issued, {
      serialNumber: "0A:1B:2C:3D",
      certificateId: "7000001",
      certIdentifier: "7000001-cn-hangzhou",
    });
    assert.deepEqual(
      [outs.serialNumber, outs.certificatePem, outs.certificateId, outs.certIdentifier, outs.validation],
      ["0a1b2c3d", pem, "7000001", "7000001-cn-hangzhou", null],
    );
  });
});

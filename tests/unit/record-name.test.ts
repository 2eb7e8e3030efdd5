import assert from "node:assert/strict";
import { uniqueRecordBases, uniqueRecords } from "../../provider/order/record-name";
import { publishListOfDetail, publishListOfState } from "../../provider/instance/instance-publish";
import { alidnsRecordArgs } from "../../sdk/dns";

describe("one record for an apex and its wildcard", () => {
  const txt = (fqdn: string, value = "v1", extra: Record<string, string> = {}) => ({
    type: "TXT",
    fqdn,
    value,
    ...extra,
  });

  it("keeps the first entry of each record (type, full name, value), in order", () => {
    const records = [
      txt("_dnsauth.example.com", "v1", { domain: "example.com" }),
      txt("_dnsauth.example.org", "v2", { domain: "example.org" }),
      txt("_dnsauth.example.com", "v1", { domain: "*.example.com" }),
    ];
    assert.deepEqual(uniqueRecords(records), [
      txt("_dnsauth.example.com", "v1", { domain: "example.com" }),
      txt("_dnsauth.example.org", "v2", { domain: "example.org" }),
    ]);
  });

  it("keeps entries that differ in type, name or value apart", () => {
    const records = [
      txt("_dnsauth.example.com", "v1"),
      txt("_dnsauth.example.com", "v2"),
      { type: "CNAME", fqdn: "_dnsauth.example.com", value: "v1" },
      txt("_dnsauth.www.example.com", "v1"),
    ];
    assert.deepEqual(uniqueRecords(records), records);
  });

  it("compares names as given (callers normalize them)", () => {
    assert.equal(uniqueRecords([txt("_dnsauth.example.com"), txt("_DNSAUTH.example.com.")]).length, 2);
  });

  it("is not fooled by a separator inside a value", () => {
    const records = [
      { type: "TXT", fqdn: "a|TXT", value: "b" },
      { type: "TXT", fqdn: "a", value: "TXT|b" },
    ];
    assert.equal(uniqueRecords(records).length, 2);
  });

  it("keeps one name per record base: the first of an apex and its wildcard, in order", () => {
    assert.deepEqual(
      uniqueRecordBases(["*.example.com", "www.example.org", "example.com", "api.example.com"]),
      ["*.example.com", "www.example.org", "api.example.com"],
    );
    assert.deepEqual(uniqueRecordBases(["Example.COM", "*.example.com."]), ["Example.COM"]);
    assert.deepEqual(uniqueRecordBases([]), []);
  });

  it("is the rule of the instance's publish line and of alidnsRecordArgs", () => {
    const validationRecords = {
      "example.com": txt("_dnsauth.example.com"),
      "*.example.com": txt("_dnsauth.example.com"),
    };
    assert.equal(
      publishListOfState({
        status: "pending_validation",
        validationRecords,
        files: [],
      } as unknown as Parameters<typeof publishListOfState>[0]),
      'TXT _dnsauth.example.com = "v1"',
    );
    const detail = {
      Status: "pending",
      DomainValidationList: ["example.com", "*.example.com"].map((Domain) => ({
        Domain,
        RootDomain: "example.com",
        ValidationType: "TXT",
        ValidationKey: "_dnsauth",
        ValidationValue: "v1",
      })),
    } as unknown as Parameters<typeof publishListOfDetail>[0];
    assert.equal(publishListOfDetail(detail), 'TXT _dnsauth.example.com = "v1"');
    assert.deepEqual(
      alidnsRecordArgs(
        { "example.com": txt("_dnsauth.example.com"), "*.example.com": txt("_DNSAUTH.Example.com.") },
        "example.com",
      ),
      [{ domainName: "example.com", rr: "_dnsauth", type: "TXT", value: "v1", ttl: 600 }],
    );
  });
});

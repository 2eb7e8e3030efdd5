import assert from "node:assert/strict";
import { publishList, publishListFromState } from "../../provider/order/publish";
import { dnsRecordsFor } from "../../provider/order/outputs";

describe("what to publish", () => {
  const answer = (o: Record<string, string>) =>
    ({ RequestId: "R", Type: "domain_verify", ...o }) as unknown as Parameters<
      typeof publishListFromState
    >[0];

  it("lists each DNS record of an order as type, name and quoted value", () => {
    const records = dnsRecordsFor(
      ["www.example.com", "api.example.org"],
      "_dnsauth.www.example.com",
      "TXT",
      "v1",
    );
    assert.equal(
      publishList({ method: "DNS", records }),
      'TXT _dnsauth.www.example.com = "v1"; TXT _dnsauth.api.example.org = "v1"',
    );
  });

  it("lists a validation file by URL and content", () => {
    const files = [
      {
        domain: "example.com",
        path: "/.well-known/pki-validation/f.txt",
        content: "c",
        url: "http://example.com/.well-known/pki-validation/f.txt",
      },
    ];
    assert.equal(
      publishList({ method: "FILE", files }),
      'a file at http://example.com/.well-known/pki-validation/f.txt with content "c"',
    );
    assert.equal(publishList(null), null);
  });

  it("from a state answer: the program's record names, else RecordDomain, saying when it is relative", () => {
    const dns = answer({
      ValidateType: "DNS",
      RecordDomain: "_dnsauth.www.example.com",
      RecordType: "TXT",
      RecordValue: "v",
    });
    assert.equal(publishListFromState(dns), 'TXT _dnsauth.www.example.com = "v"');
    assert.equal(publishListFromState(dns, ["_dnsauth.a.example.com."]), 'TXT _dnsauth.a.example.com = "v"');
    const relative = publishListFromState({ ...dns, RecordDomain: "_dnsauth.www" });
    assert.match(
      relative!,
      /^TXT _dnsauth\.www = "v" \(CAS gave a relative name; the order's validation output has the full name\)$/,
    );
    const file = answer({
      ValidateType: "FILE",
      Domain: "example.com",
      Uri: "/.well-known/pki-validation/f.txt",
      Content: "c",
    });
    assert.equal(
      publishListFromState(file),
      'a file at http://example.com/.well-known/pki-validation/f.txt with content "c"',
    );
  });
});

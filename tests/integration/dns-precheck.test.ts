import assert from "node:assert/strict";
import { precheckDns } from "../../provider/order/dns-precheck";
import { dnsServer } from "../support/dns-server";

describe("DNS pre-check against a loopback DNS server", () => {
  it("reports visible, missing and wrong records per resolver, naming a TXT at the record name with another value", async () => {
    const server = await dnsServer([
      { name: "_dnsauth.www.example.com", type: "TXT", value: "right-value" },
      { name: "_dnsauth.api.example.com", type: "TXT", value: "stale-value" },
      // The expected value beside another: a record a stack manages and one CAS added, or an old one.
      { name: "_dnsauth.shop.example.com", type: "TXT", value: "right-value" },
      { name: "_dnsauth.shop.example.com", type: "TXT", value: "other-value" },
      { name: "_dnsauth.two.example.com", type: "TXT", value: "old-1" },
      { name: "_dnsauth.two.example.com", type: "TXT", value: "old-2" },
      { name: "_dnsauth.cdn.example.com", type: "CNAME", value: "abc.dnsauth.example.net" },
      { name: "_dnsauth.img.example.com", type: "CNAME", value: "old.dnsauth.example.net" },
    ]);
    const sameAccount =
      "if the zone is in Alibaba Cloud DNS of the order's account, CAS adds its TXT itself and deletes conflicting TXT records there (publishRecords: false leaves that name to CAS)";
    try {
      const results = await precheckDns(
        [
          { fqdn: "_dnsauth.www.example.com", type: "TXT", value: "right-value" },
          { fqdn: "_dnsauth.api.example.com", type: "TXT", value: "right-value" },
          { fqdn: "_dnsauth.shop.example.com", type: "TXT", value: "right-value" },
          { fqdn: "_dnsauth.two.example.com", type: "TXT", value: "right-value" },
          { fqdn: "_dnsauth.new.example.com", type: "TXT", value: "x" },
          { fqdn: "_dnsauth.cdn.example.com", type: "CNAME", value: "ABC.dnsauth.example.net." },
          { fqdn: "_dnsauth.img.example.com", type: "CNAME", value: "abc.dnsauth.example.net" },
        ],
        [server.address],
      );
      assert.deepEqual(
        results.map((r) => [r.fqdn, r.resolver, r.visible, r.otherValues, r.detail]),
        [
          ["_dnsauth.www.example.com", server.address, true, [], "TXT is visible"],
          [
            "_dnsauth.api.example.com",
            server.address,
            false,
            ["stale-value"],
            `a TXT at _dnsauth.api.example.com has another value ("stale-value"), not the expected one: update or remove it (an old order's value, or a record another tool manages; ${sameAccount})`,
          ],
          [
            "_dnsauth.shop.example.com",
            server.address,
            true,
            ["other-value"],
            `TXT is visible, beside a TXT at _dnsauth.shop.example.com with another value ("other-value"): ${sameAccount}`,
          ],
          [
            "_dnsauth.two.example.com",
            server.address,
            false,
            ["old-1", "old-2"],
            `TXT records at _dnsauth.two.example.com have other values ("old-1", "old-2"), not the expected one: update or remove them (an old order's value, or a record another tool manages; ${sameAccount})`,
          ],
          ["_dnsauth.new.example.com", server.address, false, [], "no such name yet (NXDOMAIN)"],
          ["_dnsauth.cdn.example.com", server.address, true, [], "CNAME is visible"],
          [
            "_dnsauth.img.example.com",
            server.address,
            false,
            ["old.dnsauth.example.net"],
            "a CNAME at _dnsauth.img.example.com points to old.dnsauth.example.net, not to abc.dnsauth.example.net: point it at the expected target",
          ],
        ],
      );
    } finally {
      server.close();
    }
  });
});

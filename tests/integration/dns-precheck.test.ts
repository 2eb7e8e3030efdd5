import assert from "node:assert/strict";
import { precheckDns } from "../../provider/order/dns-precheck";
import { dnsServer } from "../support/dns-server";

describe("DNS pre-check against a loopback DNS server", () => {
  it("reports visible, missing and wrong records per resolver", async () => {
    const server = await dnsServer([
      { name: "_dnsauth.www.example.com", type: "TXT", value: "right-value" },
      { name: "_dnsauth.api.example.com", type: "TXT", value: "stale-value" },
      { name: "_dnsauth.cdn.example.com", type: "CNAME", value: "abc.dnsauth.example.net" },
    ]);
    try {
      const results = await precheckDns(
        [
          { fqdn: "_dnsauth.www.example.com", type: "TXT", value: "right-value" },
          { fqdn: "_dnsauth.api.example.com", type: "TXT", value: "right-value" },
          { fqdn: "_dnsauth.new.example.com", type: "TXT", value: "x" },
          { fqdn: "_dnsauth.cdn.example.com", type: "CNAME", value: "ABC.dnsauth.example.net." },
        ],
        [server.address],
      );
      assert.deepEqual(
        results.map((r) => [r.fqdn, r.resolver, r.visible, r.detail]),
        [
          ["_dnsauth.www.example.com", server.address, true, "TXT is visible"],
          [
            "_dnsauth.api.example.com",
            server.address,
            false,
            "TXT has other values (stale-value), not the expected one",
          ],
          ["_dnsauth.new.example.com", server.address, false, "no such name yet (NXDOMAIN)"],
          ["_dnsauth.cdn.example.com", server.address, true, "CNAME is visible"],
        ],
      );
    } finally {
      server.close();
    }
  });
});

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { pluginProvider } from "../../provider/plugin/plugin";
import { MANAGED_CERTIFICATE_TOKEN } from "../../provider/plugin/managed-certificate";

// The plugin's construct refuses what it cannot build before it registers anything; the component
// itself runs under the real engine (tests/e2e/plugin-managed-certificate.test.ts).
describe("the plugin's construct", () => {
  const construct = pluginProvider({ version: "0.0.0", schema: () => "{}" }).provider.construct!;

  it("serves ManagedCertificate only, naming the component it serves", async () => {
    await assert.rejects(construct("x", "alicloudcas:index:Other", {}, {}), {
      message: `alicloudcas:index:Other is no component of the alicloudcas provider; it serves ${MANAGED_CERTIFICATE_TOKEN}`,
    });
  });

  it("refuses a dnsRecordType that is no type token as plain text, naming the property and what it takes", async () => {
    for (const [given, shown] of [
      ["AlidnsRecord", '"AlidnsRecord"'],
      [42, "42"],
      [pulumi.secret("AlidnsRecord"), '"AlidnsRecord"'],
    ] as const)
      await assert.rejects(
        construct("site", MANAGED_CERTIFICATE_TOKEN, { domain: "www.example.com", dnsRecordType: given }, {}),
        {
          message: `ManagedCertificate site: dnsRecordType must be a resource type token as plain text (package:module:Type, e.g. alicloud:dns:AlidnsRecord) whose inputs are domainName, rr, type, value and ttl; got ${shown}`,
        },
      );
  });
});

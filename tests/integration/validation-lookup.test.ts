import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { certificateOrderValidationStub } from "../../sdk/stubs";
import { dnsServer } from "../support/dns-server";
import { FAKE_CLOCK, startProviderHost } from "../support/provider-host";
import { stsFor } from "../support/sts";
import type { RunningEmulator } from "../../emulator/server";

const ORDER_ID = "9007199254740993";

/**
 * A loopback CAS that answers `ListUserCertificateOrder` as the SDK documents it: `Keyword`
 * matches the bound domain or the resource id, never an OrderId; CPACK items carry `OrderId`.
 * Parameters are read from the query and the form body, whichever the client uses.
 */
async function documentedCas(state: Record<string, unknown>) {
  const keywords: Array<string | null> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const params = new URLSearchParams(new URL(req.url ?? "/", "http://x").search);
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
      const action = String(req.headers["x-acs-action"] ?? params.get("Action"));
      res.writeHead(200, { "content-type": "application/json" });
      if (action === "DescribeCertificateState") {
        res.end(JSON.stringify({ RequestId: "R", ...state }));
        return;
      }
      const keyword = params.get("Keyword");
      keywords.push(keyword);
      const item = { OrderId: ORDER_ID, Domain: "www.example.com,example.org", ProductCode: "x" };
      const hits = !keyword || item.Domain.includes(keyword) ? [item] : [];
      res.end(JSON.stringify({ RequestId: "R", TotalCount: hits.length, CertificateOrderList: hits }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keywords,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe("CertificateOrderValidation finds the order's names as the API documents Keyword", function () {
  this.timeout(60_000);
  const cfg = { "alicloud:accessKey": "LTAItestkey", "alicloud:secretKey": "test-secret" };
  let sts: RunningEmulator;
  before(async () => (sts = await stsFor(cfg)));
  after(() => sts?.close());

  it("the DNS pre-check checks the record of every name of the order, found without Keyword: orderId", async () => {
    const cas = await documentedCas({
      Type: "domain_verify",
      ValidateType: "DNS",
      RecordDomain: "_dnsauth",
      RecordType: "TXT",
      RecordValue: "token",
    });
    const dns = await dnsServer([{ name: "_dnsauth.www.example.com", type: "TXT", value: "token" }]);
    const host = await startProviderHost(certificateOrderValidationStub, cfg, {
      ALIBABA_CLOUD_ENDPOINT_CAS: cas.endpoint,
      ALIBABA_CLOUD_ENDPOINT_STS: sts.endpoint,
      // The scripted CAS never moves on: the wait to the deadline runs on a fake clock.
      ...FAKE_CLOCK,
    });
    try {
      // The order never issues here: the wait stops at its deadline, after the pre-check.
      await assert.rejects(
        host.create({
          orderId: ORDER_ID,
          timeoutMinutes: 0.02,
          pollIntervalSeconds: 1,
          dnsPrecheck: { resolvers: [dns.address] },
        }),
      );
      await host.waitForStderr(/DNS pre-check _dnsauth\.www\.example\.com at [\d.:]+: TXT is visible/);
      // A name under another registrable domain has its own record (the same value).
      await host.waitForStderr(/DNS pre-check _dnsauth\.example\.org at [\d.:]+: /);
      assert.ok(!cas.keywords.includes(ORDER_ID), `looked up with Keyword=${ORDER_ID}`);
    } finally {
      host.stop();
      dns.close();
      await cas.close();
    }
  });

  it("FILE validation: says which host serves the file (the response's Domain)", async () => {
    const cas = await documentedCas({
      Type: "domain_verify",
      ValidateType: "FILE",
      Domain: "www.example.com",
      Uri: "/.well-known/pki-validation/fileauth.txt",
      Content: "token",
    });
    const host = await startProviderHost(certificateOrderValidationStub, cfg, {
      ALIBABA_CLOUD_ENDPOINT_CAS: cas.endpoint,
      ALIBABA_CLOUD_ENDPOINT_STS: sts.endpoint,
      // The scripted CAS never moves on: the wait to the deadline runs on a fake clock.
      ...FAKE_CLOCK,
    });
    try {
      await assert.rejects(
        host.create({ orderId: ORDER_ID, timeoutMinutes: 0.02, pollIntervalSeconds: 1, dnsPrecheck: true }),
      );
      await host.waitForStderr(
        /FILE validation: serve the given content at http:\/\/www\.example\.com\/\.well-known\/pki-validation\/fileauth\.txt/,
      );
    } finally {
      host.stop();
      await cas.close();
    }
  });
});

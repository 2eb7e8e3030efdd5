import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

const contact = { Username: "Keller", Phone: "13811112222", Email: "ops@example.com" };

// Orders are issued lazily, when a read finds them due. A read does that work only for the orders
// its answer can show, and an order due to several concurrent reads is issued once: otherwise one
// list call for one name issued every due order of the account (an RSA key each), answered after
// the client's attempt timeout, and the reads queued behind it timed out too (the API-calls
// benchmark: 72 ListUserCertificateOrder calls with "no answer within 10000 ms").
describe("emulator: lazy issuance", function () {
  let emu: RunningEmulator;
  let api: CasClient;
  const orders: string[] = [];

  beforeEach(async () => {
    // Due at once: every order is issued by the first read that brings it up to date.
    emu = await startEmulator({ lifecycle: { validateAfterMs: 0, issueAfterMs: 0 } });
    api = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
      rateLimits: false,
    });
    orders.length = 0;
    for (let i = 0; i < 8; i++) {
      const { OrderId } = await api.call("CreateCertificateRequest", {
        Domain: `n${i}.example.com`,
        ValidateType: "DNS",
        ...contact,
      });
      orders.push(String(OrderId));
    }
  });
  afterEach(async () => {
    await emu.close();
  });

  const issuedCount = async () => Number((await api.call("DescribePackageState", {})).IssuedCount);

  it("a CERT list for one name issues only that name's due order", async () => {
    const list = await api.call("ListUserCertificateOrder", {
      OrderType: "CERT",
      Keyword: "n3.example.com",
      CurrentPage: 1,
      ShowSize: 50,
    });
    assert.deepEqual(
      list.CertificateOrderList.map((c) => c.Sans),
      ["n3.example.com"],
    );
    assert.equal(await issuedCount(), 1);
    // The others are issued when read, as before.
    assert.equal((await api.call("DescribeCertificateState", { OrderId: orders[5]! })).Type, "certificate");
    assert.equal(await issuedCount(), 2);
  });

  it("concurrent reads of one due order get the same single certificate", async () => {
    const reads = await Promise.all(
      Array.from({ length: 6 }, () => api.call("DescribeCertificateState", { OrderId: orders[0]! })),
    );
    assert.equal(new Set(reads.map((r) => r.Certificate)).size, 1);
    assert.match(String(reads[0]!.Certificate), /BEGIN CERTIFICATE/);
    assert.equal(await issuedCount(), 1);
    const certs = await api.call("ListUserCertificateOrder", {
      OrderType: "CERT",
      Keyword: "n0.example.com",
      CurrentPage: 1,
      ShowSize: 50,
    });
    assert.equal(certs.TotalCount, 1);
  });
});

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { certificateOrderStub } from "../../sdk/stubs";
import { startProviderHost } from "../support/provider-host";
import { stsFor } from "../support/sts";
import type { RunningEmulator } from "../../emulator/server";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };
const config = { "alicloud:accessKey": "LTAIxxxxxxxxxxxx", "alicloud:secretKey": "secretsecretsecret" };
const hostile = "\u001b[2J\u001b[31mPWNED\u001b[0m\u0007\nerror: a fake second line";

/** A loopback CAS that answers each action with `answer(action, query)`; `"reset"` drops the connection. */
async function fakeCas(answer: (action: string, q: URLSearchParams) => unknown) {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const out = answer(String(req.headers["x-acs-action"]), new URL(req.url!, "http://x").searchParams);
      if (out === "reset") return req.socket.destroy();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const plan = {
  RequestId: "r",
  TotalCount: 100,
  UsedCount: 0,
  IssuedCount: 0,
  ProductCode: "digicert-free-1-free",
};

async function createError(answer: (action: string, q: URLSearchParams) => unknown, inputs: object) {
  const cas = await fakeCas(answer);
  const host = await startProviderHost(certificateOrderStub, config, {
    ALIBABA_CLOUD_ENDPOINT_CAS: cas.endpoint,
    ALIBABA_CLOUD_ENDPOINT_STS: sts.endpoint,
  });
  try {
    const { inputs: checked, failures } = await host.check({ ...inputs, ...contact });
    assert.deepEqual(failures, []);
    return await host.create(checked).then(
      (r) => assert.fail(`create succeeded: ${r.id}`),
      (e: Error) => e.message,
    );
  } finally {
    host.stop();
    cas.close();
  }
}

let sts: RunningEmulator;

describe("server text in ownership errors is bounded and has no control characters", function () {
  this.timeout(120_000);
  before(async () => (sts = await stsFor(config)));
  after(() => sts?.close());

  it("a lost create answer with 200 candidates whose Status holds escapes and a line break", async () => {
    const total = 200;
    const message = await createError(
      (action, q) => {
        if (action === "DescribePackageState") return plan;
        if (action === "CreateCertificateRequest") return "reset";
        if (action === "ListUserCertificateOrder") {
          const page = Number(q.get("CurrentPage"));
          return {
            RequestId: "r",
            TotalCount: total,
            CertificateOrderList: Array.from({ length: Math.min(50, total - (page - 1) * 50) }, (_, i) => ({
              OrderId: String(10_000_000 + page * 100 + i),
              Domain: "big.example.com",
              ProductCode: "digicert-free-1-free",
              BuyDate: Date.now(),
              Status: hostile + "S".repeat(5000),
            })),
          };
        }
        return { RequestId: "r" };
      },
      { domain: "big.example.com" },
    );
    assert.match(message, /got no answer, so an order may exist/);
    assert.match(message, /; and 195 more \(200 in all\)/);
    assert.deepEqual(
      ["\u001b", "\u0007", "\n"].filter((c) => message.includes(c)),
      [],
      "control characters",
    );
    assert.ok(message.length < 3000, `${message.length} characters`);
  });

  it("an adoptOrderId whose listed product is 300 KB of text with terminal escapes", async () => {
    const message = await createError(
      (action) => {
        if (action === "DescribePackageState") return plan;
        if (action === "ListUserCertificateOrder")
          return {
            RequestId: "r",
            TotalCount: 1,
            CertificateOrderList: [
              {
                OrderId: "123",
                Domain: "adopt.example.com",
                ProductCode: "\u001b]0;owned\u0007" + "P".repeat(300_000),
                Status: "CHECKING",
              },
            ],
          };
        return { RequestId: "r" };
      },
      { domain: "adopt.example.com", adoptOrderId: "123" },
    );
    assert.match(
      message,
      /adoptOrderId 123: the order is for product {2}\]0;owned P+… \(\d+ more characters\) but productCode is digicert-free-1-free/,
    );
    assert.deepEqual(
      ["\u001b", "\u0007"].filter((c) => message.includes(c)),
      [],
      "control characters",
    );
    assert.ok(message.length < 2000, `${message.length} characters`);
  });
});

import assert from "node:assert/strict";
import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderStub } from "../../sdk/stubs";
import { startProviderHost, type ProviderHost } from "../support/provider-host";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };
/** The provider's grace before it looks again for a create whose answer was lost (stack config). */
const GRACE_MS = 500;
/** How long B's answer is held at most: longer than A's grace. */
const HOLD_MS = 1_500;

/**
 * Two resources of one deployment order the same name. A's create never reaches CAS (connection
 * reset); B's create starts after A's first look-up found nothing. B's create is processed at once, but its answer is held until A lists the orders (so A
 * sees B's order while B's answer is still on its way), or for 1.5 s if A waits for B instead. A's
 * grace before it looks again is 0.5 s (stack config), shorter than that hold.
 */
describe("a lost create answer never takes a sibling's order whose answer is still on its way", function () {
  this.timeout(120_000);

  for (const policy of ["stop", "unique"] as const)
    it(`adoptAfterLostAnswer=${policy}: each resource ends with its own order`, async () => {
      const emu: RunningEmulator = await startEmulator({ lifecycle: { validation: "manual" } });
      const upstream = new URL(emu.endpoint);
      let creates = 0;
      let aListed!: () => void;
      const aHasListed = new Promise<void>((r) => (aListed = r));
      let heldB: (() => void) | undefined;
      let bForwarded = false;
      const forward = (body: Buffer, headers: NodeJS.Dict<string | string[]>, method: string, path: string) =>
        new Promise<{ status: number; headers: NodeJS.Dict<string | string[]>; body: Buffer }>(
          (resolve, reject) => {
            const req = request(
              { host: upstream.hostname, port: upstream.port, method, path, headers },
              (r) => {
                const chunks: Buffer[] = [];
                r.on("data", (c: Buffer) => chunks.push(c));
                r.on("end", () =>
                  resolve({ status: r.statusCode ?? 500, headers: r.headers, body: Buffer.concat(chunks) }),
                );
              },
            );
            req.on("error", reject);
            req.end(body);
          },
        );
      const send = (res: ServerResponse, a: Awaited<ReturnType<typeof forward>>) => {
        res.writeHead(a.status, a.headers);
        res.end(a.body);
      };
      const proxy: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          void (async () => {
            const action = req.headers["x-acs-action"];
            if (action === "CreateCertificateRequest") {
              const n = ++creates;
              if (n === 1) {
                req.socket.destroy(); // A: never reached CAS
                return;
              }
              const answer = await forward(Buffer.concat(chunks), req.headers, req.method!, req.url!);
              if (n === 2) {
                bForwarded = true;
                heldB = () => send(res, answer); // B: processed, answer held
                // A provider that waits for B before listing never lists meanwhile: let the answer go
                // after a while (longer than A's grace, well within the client's 10 s attempt timeout).
                setTimeout(() => {
                  const release = heldB;
                  heldB = undefined;
                  release?.();
                }, HOLD_MS);
                return;
              }
              send(res, answer);
              return;
            }
            const answer = await forward(Buffer.concat(chunks), req.headers, req.method!, req.url!);
            send(res, answer);
            if (action === "ListUserCertificateOrder") aListed();
            // A listed while B's order exists and B's answer is held: now let B's answer go.
            if (action === "ListUserCertificateOrder" && bForwarded && heldB) {
              const release = heldB;
              heldB = undefined;
              setTimeout(release, 100);
            }
          })();
        });
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      let host: ProviderHost | undefined;
      try {
        host = await startProviderHost(
          certificateOrderStub,
          {
            "alicloud:accessKey": emu.accessKeyId,
            "alicloud:secretKey": emu.accessKeySecret,
            "alicloud-cas:lostAnswerGraceMs": String(GRACE_MS),
            ...(policy === "unique" ? { "alicloud-cas:adoptAfterLostAnswer": "unique" } : {}),
          },
          { ALIBABA_CLOUD_ENDPOINT_CAS: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
        );
        const { inputs } = await host.check({ domain: "twin.example.com", ...contact, quotaCheck: "off" });
        const a = host.create(inputs);
        // B starts after A's first look-up, while A waits to look again.
        await aHasListed;
        const b = host.create(inputs);
        const [ra, rb] = await Promise.allSettled([a, b]);
        // A never takes B's order, and never orders a second time in the operation whose answer it
        // lost: it stays in the stack with its request, which the next `up` resolves.
        assert.equal(ra.status, "rejected");
        assert.match(
          String(ra.reason),
          /no second order was placed\. The resource is kept in the stack as unresolved-\d+ with this request/,
        );
        assert.equal(rb.status, "fulfilled", rb.status === "rejected" ? String(rb.reason) : "");
        const ib = (rb as PromiseFulfilledResult<{ id: string; outs: Record<string, unknown> }>).value;
        assert.equal(ib.outs.ownership, "placed");
        assert.deepEqual(
          (await emu.control.orders()).map((o) => o.orderId),
          [ib.id],
          "only B's order exists",
        );
      } finally {
        host?.stop();
        heldB?.();
        proxy.close();
        await emu.close();
      }
    });
});

describe("a create that timed out is never followed by a second order in the same operation", function () {
  this.timeout(120_000);

  it("stops with the outcome-unknown error; the late order is the only one", async () => {
    const emu: RunningEmulator = await startEmulator({ lifecycle: { validation: "manual" } });
    let host: ProviderHost | undefined;
    try {
      host = await startProviderHost(
        certificateOrderStub,
        {
          "alicloud:accessKey": emu.accessKeyId,
          "alicloud:secretKey": emu.accessKeySecret,
          "alicloud-cas:attemptTimeoutMs": "1000",
          "alicloud-cas:lostAnswerGraceMs": String(GRACE_MS),
        },
        { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
      );
      // CAS places the order only after the attempt timeout (1 s) and the look-ups' grace (0.5 s).
      emu.control.setFaults([
        { action: "CreateCertificateRequest", kind: "latency", latencyMs: 4000, rate: 1, limit: 1 },
      ]);
      const { inputs } = await host.check({ domain: "late.example.com", ...contact });
      await assert.rejects(
        host.create(inputs),
        /CreateCertificateRequest for late\.example\.com got no answer within the attempt timeout, so CAS may have placed the order\. .*listed no order.*no second order was placed.*kept in the stack as unresolved-\d+ with this request/,
      );
      // The late request lands eventually: it must be the only create sent and the only order.
      const creates = () => emu.control.requests().filter((r) => r.action === "CreateCertificateRequest");
      for (let i = 0; i < 100 && !creates()[0]?.orderId; i++) await new Promise((r) => setTimeout(r, 200));
      assert.ok(creates()[0]?.orderId, "the late create was processed");
      assert.equal(creates().length, 1, "a second create was sent");
      assert.equal((await emu.control.orders()).length, 1);
    } finally {
      host?.stop();
      await emu.close();
    }
  });
});

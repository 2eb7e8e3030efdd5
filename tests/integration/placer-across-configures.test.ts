import assert from "node:assert/strict";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator } from "../../emulator/server";
import { createProviders } from "../../provider/hosted";

const contact = { username: "u", phone: "13800001111", email: "a@example.com" };

/**
 * What CertificateOrder's placer remembers (creates in flight, lost answers) must survive the other
 * providers' configures: Pulumi's host configures a CertificateOrderValidation (or an
 * InstanceCertificate) the first time it uses one, which in a stack of several orders happens while
 * other orders are still being created. B1's create is placed but its answer held; then another
 * provider is configured; then B2, for the same name, loses its answer. B2 must wait for B1 and
 * stop, never take B1's order.
 */
describe("the order placer outlives the validation and instance providers' configures", function () {
  this.timeout(60_000);

  for (const scope of ["validation", "instance"] as const)
    it(`a ${scope} configure between two creates of one name: the lost answer waits for the create in flight`, async () => {
      const emu = await startEmulator({ lifecycle: { validation: "manual" } });
      const upstream = new URL(emu.endpoint);
      let creates = 0;
      let releaseB1: (() => void) | undefined;
      let b1Placed!: () => void;
      const placed = new Promise<void>((r) => (b1Placed = r));
      const forward = (body: Buffer, method: string, path: string, headers: IncomingHttpHeaders) =>
        new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const r = request(
            { host: upstream.hostname, port: upstream.port, method, path, headers },
            (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () =>
                resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }),
              );
            },
          );
          r.on("error", reject);
          r.end(body);
        });
      const proxy: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          void (async () => {
            const create = req.headers["x-acs-action"] === "CreateCertificateRequest";
            const n = create ? ++creates : 0;
            // B2's create: the connection drops before CAS sees it (its answer is lost).
            if (n === 2) return req.socket.destroy();
            const a = await forward(Buffer.concat(chunks), req.method ?? "POST", req.url ?? "/", req.headers);
            const send = () => res.writeHead(a.status, a.headers).end(a.body);
            // B1's create: placed in CAS, its answer held until B2 has had its chance.
            if (n === 1) {
              releaseB1 = () => {
                releaseB1 = undefined;
                send();
              };
              b1Placed();
            } else send();
          })();
        });
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      const config: Record<string, string> = {
        "alicloud:accessKey": emu.accessKeyId,
        "alicloud:secretKey": emu.accessKeySecret,
        "alicloud:endpoints": JSON.stringify([
          { cas: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
        ]),
        "alicloud-cas:adoptAfterLostAnswer": "unique",
        "alicloud-cas:lostAnswerGraceMs": "200",
      };
      const req = { config: { get: (k: string) => config[k] }, log: () => undefined };
      const providers = createProviders();
      try {
        await providers.order.configure(req);
        const { inputs } = await providers.order.check(
          {},
          { domain: "twin.example.com", ...contact, quotaCheck: "off" },
        );
        const settle = (p: Promise<{ id: string; outs: { orderId: string; ownership: string } }>) =>
          p.then(
            (r) => ({ ok: r.outs }),
            (e: Error) => ({ error: e.message }),
          );
        const b1 = settle(providers.order.create(inputs));
        await placed;
        const placer = providers.context().placer();
        await providers[scope].configure(req);
        assert.equal(providers.context().placer(), placer, `a ${scope} configure kept the order placer`);
        const b2 = settle(providers.order.create(inputs));
        const release = setTimeout(() => releaseB1?.(), 1_500);
        const [r1, r2] = await Promise.all([b1, b2]);
        clearTimeout(release);
        assert.deepEqual(r1, {
          ok: { ...("ok" in r1 ? r1.ok : {}), orderId: "12000001", ownership: "placed" },
        });
        assert.ok("error" in r2, `B2 took an order: ${JSON.stringify(r2)}`);
        assert.match(r2.error, /no second order was placed/);
        assert.equal(creates, 2);
        // An order configure starts anew (its claims are new too).
        await providers.order.configure(req);
        assert.notEqual(providers.context().placer(), placer);
      } finally {
        releaseB1?.();
        proxy.closeAllConnections();
        await new Promise<void>((r) => proxy.close(() => r()));
        await emu.close();
      }
    });
});

// One provider operation acts for one account: the first its credentials are found to belong to.
// When the credentials switch to another account while it runs (a CLI profile rewritten between a
// create's attempts), the later calls are refused before they are sent (AccountChanged), so no order
// lands in an account the state does not record. A loopback proxy in front of the emulator rewrites
// the profile file at the exact moment of the first create and answers it with Throttling (refused
// before processing), so the client's retry meets the other account's key: no timing involved.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { createProviders } from "../../provider/hosted";
import { CONTACT } from "../support/emulator-host";

const A = "1968132000123456";
const B = "1111222233334444";
type Key = { accessKeyId: string; accessKeySecret: string };

/** Forwards to `target`; the first request of `action` runs `onFirst` and is answered with Throttling, unsent. */
async function switchingProxy(target: string, action: string, onFirst: () => void) {
  const to = new URL(target);
  let seen = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (!seen && req.headers["x-acs-action"] === action) {
        seen = true;
        onFirst();
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            RequestId: "REQ-T",
            Code: "Throttling.User",
            Message: "Request was denied due to user flow control.",
          }),
        );
        return;
      }
      const up = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on("error", () => req.socket.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe("one operation acts for one account: credentials switching mid-operation are refused, not followed", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let other: Key;
  let dir: string;
  let file: string;
  const profile = (k: Key) =>
    writeFileSync(
      file,
      JSON.stringify({
        current: "p",
        profiles: [
          { name: "p", mode: "AK", access_key_id: k.accessKeyId, access_key_secret: k.accessKeySecret },
        ],
      }),
    );

  beforeEach(async () => {
    emu = await startEmulator({
      accountId: A,
      testInstances: 1,
      lifecycle: { validation: "manual" },
    });
    other = emu.control.addAccessKey({ accountId: B });
    dir = mkdtempSync(join(tmpdir(), "acting-account-"));
    file = join(dir, "config.json");
    profile(emu);
  });
  afterEach(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const providers = async (cas: string) => {
    const p = createProviders();
    const config: Record<string, string> = {
      "alicloud:endpoints": JSON.stringify([{ cas, sts: emu.endpoint }]),
      "alicloud:sharedCredentialsFile": file,
    };
    const req = { config: { get: (k: string) => config[k] }, log: () => undefined };
    await p.order.configure(req);
    await p.instance.configure(req);
    return p;
  };

  it("CertificateOrder: a create retried after the profile switched to another account is refused (AccountChanged); no order in either account", async () => {
    const proxy = await switchingProxy(emu.endpoint, "CreateCertificateRequest", () => profile(other));
    try {
      const { order } = await providers(proxy.endpoint);
      const checked = await order.check({}, { domain: "switch.example.com", ...CONTACT, quotaCheck: "off" });
      assert.deepEqual(checked.failures, []);
      await assert.rejects(order.create(checked.inputs), (e: Error & { code?: string }) => {
        assert.equal(e.code, "AccountChanged", e.message);
        assert.match(
          e.message,
          new RegExp(`belong to account ${B}, and this operation acts for account ${A}`),
        );
        return true;
      });
      assert.deepEqual(await emu.control.orders(), [], "no order was placed, in either account");
    } finally {
      await proxy.close();
    }
  });

  it("InstanceCertificate: a delete whose credentials switch account after its check is refused, and the instance stays claimed", async () => {
    const { instance } = await providers(emu.endpoint);
    const checked = await instance.check(
      {},
      { instanceType: "TEST", domain: "inst.example.com", ...CONTACT },
    );
    assert.deepEqual(checked.failures, []);
    const created = await instance.create(checked.inputs);
    const proxy = await switchingProxy(emu.endpoint, "GetInstanceDetail", () => profile(other));
    try {
      const { instance: viaProxy } = await providers(proxy.endpoint);
      await assert.rejects(viaProxy.delete(created.id, created.outs), (e: Error & { code?: string }) => {
        assert.equal(e.code, "AccountChanged", e.message);
        return true;
      });
      const held = (await emu.control.instances()).find((i) => i.instanceId === created.id);
      assert.equal(held?.status, "pending", "the application was not cancelled");
    } finally {
      await proxy.close();
    }
  });
});

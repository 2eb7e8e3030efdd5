import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderStub, certificateOrderValidationStub } from "../../sdk/stubs";
import { FAKE_CLOCK, startProviderHost, type ProviderHost } from "../support/provider-host";

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("CertificateOrderValidation in the provider host, against the emulator", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let orders: ProviderHost;
  let waiter: ProviderHost;

  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    const cfg = { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret };
    // Validation is manual (control calls), so the providers' waits run on a fake clock.
    const env = { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint, ...FAKE_CLOCK };
    orders = await startProviderHost(certificateOrderStub, cfg, env);
    waiter = await startProviderHost(certificateOrderValidationStub, cfg, env);
  });
  after(async () => {
    orders?.stop();
    waiter?.stop();
    await emu?.close();
  });

  // What the next `pulumi up` does after a wait timed out: the order is in state and unchanged, so
  // the engine creates the validation again with the same orderId.
  it("after a wait timed out, the next create waits on the same order and no new order is placed", async () => {
    const checked = await orders.check({
      domain: "www.example.com",
      username: "u",
      phone: "13800001111",
      email: "a@example.com",
    });
    assert.deepEqual(checked.failures, []);
    const { id, outs: placed0 } = await orders.create(checked.inputs);
    // What to publish, in the create line, the waiter's first line and the timeout error alike.
    const value = (placed0.validation as { records: Array<{ value: string }> }).records[0]!.value;
    const record = `TXT _dnsauth.www.example.com = ${JSON.stringify(value)}`;
    await orders.waitForStderr(
      new RegExp(
        `order ${id} placed with CreateCertificateRequest for www.example.com: pending_validation; publish ${esc(record)}\n`,
      ),
    );
    // Below check's 1-minute minimum (create is called directly): the wait stops after about a second.
    const wait = { orderId: id, timeoutMinutes: 0.02, pollIntervalSeconds: 1 };
    await assert.rejects(
      waiter.create(wait),
      new RegExp(
        `order ${id} is still pending_validation after 0.02 minute\\(s\\); still to publish: ${esc(record)}\\. .*run pulumi up again to keep waiting on the same order`,
      ),
    );
    await waiter.waitForStderr(
      new RegExp(`order ${id}: waiting for domain validation; publish ${esc(record)}\n`),
    );
    await emu.control.issue(id);
    const { outs } = await waiter.create(wait);
    assert.equal(outs.orderId, id);
    assert.equal(outs.status, "issued", "current in the up that waits, unlike the order's");
    assert.match(String(outs.serialNumber), /^[0-9a-f]+$/);
    const placed = await emu.control.orders();
    assert.deepEqual(
      placed.map((o) => [o.orderId, o.state]),
      [[id, "certificate"]],
    );
    const creates = emu.control.requests().filter((r) => r.action.startsWith("Create"));
    assert.deepEqual(
      creates.map((r) => r.outcome),
      ["OK"],
    );
    // A refresh reads the status again: CAS keeps an ended certificate's order as issued, so the
    // certificate's validity says expired.
    assert.equal((await waiter.read(`${id}-validation`, outs)).props.status, "issued");
    await emu.control.expire(id);
    assert.equal((await waiter.read(`${id}-validation`, outs)).props.status, "expired");
  });
  it("a FILE order names the URL and content to serve when placed, while waiting and in the timeout error", async () => {
    const checked = await orders.check({
      domain: "files.example.com",
      validateType: "FILE",
      username: "u",
      phone: "13800001111",
      email: "a@example.com",
    });
    assert.deepEqual(checked.failures, []);
    const { id, outs } = await orders.create(checked.inputs);
    const file = (outs.validation as { files: Array<{ url: string; content: string }> }).files[0]!;
    assert.match(file.url, /^http:\/\/files\.example\.com\/\S+$/);
    const serve = `a file at ${file.url} with content ${JSON.stringify(file.content)}`;
    await orders.waitForStderr(
      new RegExp(`order ${id} placed .*: pending_validation; publish ${esc(serve)}\n`),
    );
    await assert.rejects(
      waiter.create({ orderId: id, timeoutMinutes: 0.02, pollIntervalSeconds: 1 }),
      new RegExp(`order ${id} is still pending_validation .*; still to publish: ${esc(serve)}\\. `),
    );
    await waiter.waitForStderr(
      new RegExp(`order ${id}: waiting for domain validation; publish ${esc(serve)}\n`),
    );
  });
});

import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { SCHEMA_VERSION } from "../../provider/order/outputs";
import { makeCsr } from "../support/keys";
import { configureProvider, emulatorConfig, provider, resetProvider } from "../support/in-process-provider";

const contact = { username: "u", phone: "13800001111", email: "a@example.com", quotaCheck: "off" };

/** What the next operations do with a create kept in the stack, and with a CSR kept from 0.1.0. */
describe("a pending create and a kept CSR, in the provider against the emulator", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
  });
  after(async () => {
    await resetProvider();
    await emu.close();
  });

  it("a pending create whose program now names other names never takes the earlier request's order", async () => {
    await configureProvider(
      emulatorConfig(emu, {
        "alicloud-cas:adoptAfterLostAnswer": "unique",
        "alicloud-cas:lostAnswerWindowSeconds": "0",
      }),
      () => undefined,
    );
    // What the lost request placed (for the old name), as CAS lists it.
    const api = new CasClient({ ...emulatorConfigFor(emu), env: {} });
    const { OrderId: earlier } = await api.call("CreateCertificateRequest", {
      ProductCode: "digicert-free-1-free",
      Domain: "old.example.com",
      Username: "u",
      Phone: "13800001111",
      Email: "a@example.com",
      ValidateType: "DNS",
    });
    const sentAt = new Date(Date.now() - 1000).toISOString();
    const pending = {
      domain: "old.example.com",
      ...contact,
      productCode: "digicert-free-1-free",
      schemaVersion: SCHEMA_VERSION,
      orderId: "unresolved-1",
      action: "CreateCertificateRequest",
      domains: ["old.example.com"],
      status: "unknown",
      ownership: "unknown",
      pendingCreate: {
        action: "CreateCertificateRequest",
        productCode: "digicert-free-1-free",
        names: ["old.example.com"],
        sentAt,
        candidates: [],
      },
    };
    const { inputs } = await provider.check(pending, { domain: "new.example.com", ...contact });
    assert.deepEqual(await provider.diff("unresolved-1", pending, inputs), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const { outs } = await provider.update("unresolved-1", pending, inputs);
    assert.notEqual(outs.orderId, earlier);
    assert.deepEqual(outs.domains, ["new.example.com"]);
    assert.equal(outs.ownership, "placed");
    const orders = await emu.control.orders();
    assert.deepEqual(orders.find((o) => o.orderId === earlier)?.domains, ["old.example.com"], "left in CAS");
    assert.deepEqual(orders.find((o) => o.orderId === outs.orderId)?.domains, ["new.example.com"]);
  });

  it("three pending creates of one CSR resolved at once: one takes the order CAS lists, the others order their own", async () => {
    // A fast emulator answers the listings close together: the window between one resource finding
    // the order unclaimed and another taking it is as small as it gets.
    const fast = await startEmulator({ lifecycle: { validation: "manual" }, qps: 1000 });
    try {
      await configureProvider(
        emulatorConfig(fast, {
          "alicloud-cas:adoptAfterLostAnswer": "unique",
          "alicloud-cas:lostAnswerWindowSeconds": "0",
        }),
        () => undefined,
      );
      const { pem } = await makeCsr("dup.example.com");
      const api = new CasClient({ ...emulatorConfigFor(fast), env: {} });
      const { OrderId } = await api.call("CreateCertificateWithCsrRequest", {
        ProductCode: "digicert-free-1-free",
        Csr: pem,
        Username: "u",
        Phone: "13800001111",
        Email: "a@example.com",
        ValidateType: "DNS",
      });
      const sentAt = new Date(Date.now() - 1000).toISOString();
      const pending = (n: number) => ({
        csr: pem,
        ...contact,
        productCode: "digicert-free-1-free",
        schemaVersion: SCHEMA_VERSION,
        orderId: `unresolved-${n}`,
        action: "CreateCertificateWithCsrRequest",
        domains: ["dup.example.com"],
        status: "unknown",
        ownership: "unknown",
        pendingCreate: {
          action: "CreateCertificateWithCsrRequest",
          productCode: "digicert-free-1-free",
          names: ["dup.example.com"],
          sentAt,
          candidates: [],
        },
      });
      const { inputs } = await provider.check({}, { csr: pem, ...contact });
      const results = await Promise.all(
        [0, 1, 2].map((n) => provider.update(`unresolved-${n}`, pending(n), inputs)),
      );
      const held = results.map((r) => String(r.outs.orderId));
      assert.equal(held.filter((id) => id === String(OrderId)).length, 1, held.join(", "));
      assert.equal(new Set(held).size, 3, `each resource holds its own order: ${held.join(", ")}`);
      assert.equal((await fast.control.orders()).length, 3);
    } finally {
      await fast.close();
    }
  });

  it("a CSR of several names kept from 0.1.0 passes check, but a change that needs a new order fails the diff", async () => {
    await configureProvider(emulatorConfig(emu), () => undefined);
    const { pem } = await makeCsr("a.example.com", ["a.example.com", "b.example.com"]);
    const fresh = await provider.check({}, { csr: pem, ...contact });
    assert.match(JSON.stringify(fresh.failures), /CAS binds only the CSR's CN \(a\.example\.com\)/);
    const old = {
      csr: pem,
      ...contact,
      productCode: "digicert-free-1-free",
      validateType: "DNS",
      schemaVersion: SCHEMA_VERSION,
      orderId: "12000099",
      action: "CreateCertificateWithCsrRequest",
      domains: ["a.example.com"],
      status: "pending_validation",
      ownership: "placed",
    };
    const kept = await provider.check(old, { csr: pem, ...contact });
    assert.deepEqual(kept.failures, [], "the order it holds keeps its CSR");
    assert.deepEqual((await provider.diff("12000099", old, kept.inputs)).replaces, []);
    const other = await provider.check(old, { csr: pem, ...contact, productCode: "symantec-free-1-free" });
    await assert.rejects(
      provider.diff("12000099", old, other.inputs),
      /productCode: .* A new order cannot take this CSR: CAS binds only the CSR's CN \(a\.example\.com\)/,
    );
  });
});

function emulatorConfigFor(emu: RunningEmulator) {
  return { endpoint: emu.endpoint, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret };
}

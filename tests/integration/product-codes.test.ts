import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { provider, configureProvider, resetProvider, emulatorConfig } from "../support/in-process-provider";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

describe("product codes the SDK does not document, against the emulator", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  const logged: string[] = [];
  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    await configureProvider(emulatorConfig(emu), (l) => void logged.push(l));
  });
  after(async () => {
    await resetProvider();
    await emu.close();
  });
  beforeEach(() => {
    logged.length = 0;
    emu.control.clearRequests();
  });

  it("vtrus-dv-w-starter (seen in real programs): check warns, the order goes through CreateCertificateForPackageRequest", async () => {
    const { inputs, failures } = await provider.check(
      {},
      { domain: "*.vtrus.example.com", productCode: "vtrus-dv-w-starter", ...contact },
    );
    assert.deepEqual(failures, []);
    assert.ok(
      logged.some((l) =>
        /warning: productCode "vtrus-dv-w-starter" is not one of the documented product codes/.test(l),
      ),
      logged.join("\n"),
    );
    // Said once per provider process (a deployment), not on every check of every resource.
    await provider.check(
      {},
      { domain: "*.vtrus2.example.com", productCode: "vtrus-dv-w-starter", ...contact },
    );
    assert.equal(
      logged.filter((l) => l.includes('productCode "vtrus-dv-w-starter"')).length,
      1,
      logged.join("\n"),
    );
    const { outs } = await provider.create(inputs);
    assert.equal(outs.action, "CreateCertificateForPackageRequest");
    assert.equal(outs.status, "pending_validation");
    const [order] = await emu.control.orders();
    assert.deepEqual([order!.productCode, order!.domains], ["vtrus-dv-w-starter", ["*.vtrus.example.com"]]);
  });

  it("a code CAS does not know: check warns, and the create fails with CAS's answer naming ProductCode; nothing is placed", async () => {
    const before = (await emu.control.orders()).length;
    const { inputs, failures } = await provider.check(
      {},
      { domain: "www.example.com", productCode: "acme-dv-1-basic", ...contact, quotaCheck: "off" },
    );
    assert.deepEqual(failures, []);
    assert.ok(logged.some((l) => l.includes('productCode "acme-dv-1-basic" is not one of the documented')));
    await assert.rejects(provider.create(inputs), (e: Error & { code?: string }) => {
      assert.equal(e.code, "InvalidParameter");
      assert.match(
        e.message,
        /^\[InvalidParameter\] CreateCertificateForPackageRequest failed: InvalidParameter: .*ProductCode.*acme-dv-1-basic/,
      );
      return true;
    });
    assert.equal((await emu.control.orders()).length, before);
  });
});

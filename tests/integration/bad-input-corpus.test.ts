import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderStub } from "../../sdk/stubs";
import { BAD_INPUTS, corpusContext, type CorpusContext } from "../support/bad-inputs";
import { startProviderHost, type ProviderHost } from "../support/provider-host";

describe("bad-input corpus through check() in the provider host", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let host: ProviderHost;
  let ctx: CorpusContext;

  before(async () => {
    emu = await startEmulator();
    host = await startProviderHost(
      certificateOrderStub,
      { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret },
      { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
    );
    ctx = await corpusContext();
    emu.control.clearRequests();
  });
  after(async () => {
    host?.stop();
    await emu?.close();
  });

  it(`rejects all ${BAD_INPUTS.length} cases (at least 60) with the property named, and none reaches the API`, async () => {
    assert.ok(BAD_INPUTS.length >= 60, `${BAD_INPUTS.length} cases`);
    const wrong: string[] = [];
    for (const [name, make, property] of BAD_INPUTS) {
      const { failures } = await host.check(await make(ctx));
      if (failures[0]?.property !== property) wrong.push(`${name}: ${JSON.stringify(failures)}`);
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(emu.control.requests(), [], "no bad input produced an API request");
  });

  it("leaves the host serving: a good input still checks and creates", async () => {
    const { inputs, failures } = await host.check({
      domain: "after.example.com",
      username: "u",
      phone: "13800001111",
      email: "a@example.com",
    });
    assert.deepEqual(failures, []);
    const { id } = await host.create(inputs);
    assert.match(id, /^\d+$/);
  });
});

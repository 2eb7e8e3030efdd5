import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderStub, certificateOrderValidationStub } from "../../sdk/stubs";
import { BAD_INPUTS, BAD_VALIDATION_INPUTS, corpusContext, type CorpusContext } from "../support/bad-inputs";
import { startProviderHost, type ProviderHost } from "../support/provider-host";
import { INPUT_DEFAULTS } from "../../provider/order/inputs";

type Failure = { property: string; reason: string };

/** Every difference between the failures check() returned and the expected list (property and reason, in order). */
function differences(name: string, got: Failure[], expected: Array<[string, RegExp]>): string[] {
  const props = JSON.stringify(got.map((f) => f.property)) !== JSON.stringify(expected.map(([p]) => p));
  const reasons = got.some((f, i) => expected[i] && !expected[i][1].test(f.reason));
  return props || reasons ? [`${name}: ${JSON.stringify(got)}`] : [];
}

/**
 * The failures as the provider reports them through the host: one about an input the program left
 * to its default names no property (the engine would render it as `value {<nil>}`), and its reason
 * starts with the property and its default (`productCode (default digicert-free-1-free): …`).
 */
function asTheHostReports(
  inputs: Record<string, unknown>,
  expected: Array<[string, RegExp]>,
): Array<[string, RegExp]> {
  return expected.map(([property, reason]) => {
    const value = (INPUT_DEFAULTS as Record<string, unknown>)[property];
    if (inputs[property] !== undefined || (typeof value !== "string" && typeof value !== "number"))
      return [property, reason];
    const prefix = `${property} (default ${String(value)}): `.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return ["", new RegExp(`^${prefix}.*(?:${reason.source})`, reason.flags)];
  });
}

/**
 * The host's stderr up to now. A line may arrive after the reply that caused it, so a test that
 * asserts a line is absent first has the host write a known line of its own (a retain delete logs
 * one and sends no API request) and waits for it: stderr is one ordered stream, so everything
 * written before the marker has arrived once the marker has.
 */
async function stderrSoFar(host: ProviderHost, markerId: string): Promise<string> {
  await host.delete(markerId, { onDelete: "retain" });
  return host.waitForStderr(new RegExp(`order ${markerId}: onDelete=retain`));
}

describe("bad-input corpus through check() in the provider host", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let host: ProviderHost;
  let waiter: ProviderHost;
  let ctx: CorpusContext;

  before(async () => {
    emu = await startEmulator();
    const cfg = { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret };
    host = await startProviderHost(certificateOrderStub, cfg, { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint });
    waiter = await startProviderHost(certificateOrderValidationStub, cfg, {
      ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
    });
    ctx = await corpusContext();
    emu.control.clearRequests();
  });
  after(async () => {
    host?.stop();
    waiter?.stop();
    await emu?.close();
  });

  const total = BAD_INPUTS.length + BAD_VALIDATION_INPUTS.length;
  it(`rejects all ${total} cases with every failure's property and reason, and none reaches the API`, async () => {
    const wrong: string[] = [];
    for (const [name, make, expected] of BAD_INPUTS) {
      const inputs = await make(ctx);
      wrong.push(
        ...differences(name, (await host.check(inputs)).failures, asTheHostReports(inputs, expected)),
      );
    }
    for (const [name, inputs, expected] of BAD_VALIDATION_INPUTS)
      wrong.push(...differences(name, (await waiter.check(inputs)).failures, expected));
    assert.deepEqual(wrong, []);
    assert.deepEqual(emu.control.requests(), [], "no bad input produced an API request");
  });

  it("never prints a private key passed as csr (text, bytes, list, object) or pasted elsewhere: not in the failures, not on the host's stderr", async () => {
    const body = ctx.privateKey.split("\n")[1]!;
    // How the engine shows bytes: {45} per byte; the host or a reason could also print them as a list.
    const bytes = [...Buffer.from(body.slice(0, 12))];
    const leaks = (text: string) =>
      text.includes(body) || text.includes(bytes.join(",")) || text.includes(bytes.join(", "));
    const forms: Array<Record<string, unknown>> = [
      { csr: ctx.privateKey },
      { csr: { ...Buffer.from(ctx.privateKey) } },
      { csr: [ctx.privateKey] },
      { csr: { pem: ctx.privateKey } },
      { domain: ctx.privateKey },
      { domain: "www.example.com", tags: { key: ctx.privateKey } },
    ];
    for (const form of forms) {
      const { failures } = await host.check({
        ...form,
        username: "u",
        phone: "13800001111",
        email: "a@example.com",
      });
      assert.deepEqual(
        failures.map((f) => f.property),
        [""],
        `no property named (the engine prints a named property's value): ${Object.keys(form).join(", ")}`,
      );
      assert.match(failures[0]!.reason, /contains a private key/);
      assert.ok(!leaks(JSON.stringify(failures)));
    }
    assert.ok(!leaks(await stderrSoFar(host, "900000001")));
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

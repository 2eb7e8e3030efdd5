import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

// The provider exactly as the host loads it: by package name.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provider = require("pulumi-alicloud-cas/provider").order as {
  configure(req: { config: { get(k: string): string | undefined } }): Promise<void>;
  check(olds: object, news: object): Promise<{ inputs: Record<string, unknown>; failures: unknown[] }>;
  create(inputs: object): Promise<{ id: string }>;
};

describe("quota taken by another stack between preview and up", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ planSize: 1, lifecycle: { validation: "manual" } });
    const config: Record<string, string> = {
      "alicloud:accessKey": emu.accessKeyId,
      "alicloud:secretKey": emu.accessKeySecret,
      "alicloud:endpoints": JSON.stringify([{ cas: emu.endpoint }]),
    };
    await provider.configure({ config: { get: (k) => config[k] } });
  });
  after(() => emu.close());

  it("NotRemainCount says the plan, used/total now, that someone else took the slots, and what to do", async () => {
    const contact = { username: "u", phone: "13800001111", email: "a@example.com" };
    // Both previews pass the quota check (one slot left each time it looks).
    const first = await provider.check({}, { domain: "a.example.com", ...contact });
    const second = await provider.check({}, { domain: "b.example.com", ...contact, quotaCheck: "off" });
    assert.deepEqual([first.failures, second.failures], [[], []]);
    await provider.create(first.inputs); // "the other stack" takes the last slot
    await assert.rejects(
      provider.create(second.inputs),
      (e: Error & { code?: string }) =>
        e.code === "NotRemainCount" &&
        /the digicert-free-1-free plan has no orders left \(it has used 1 of 1 now\)/.test(e.message) &&
        /another stack or user on this account/.test(e.message) &&
        /Buy more of this plan in the CAS console/.test(e.message),
    );
    assert.equal((await emu.control.orders()).length, 1);
  });
});

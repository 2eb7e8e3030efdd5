import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { provider, configureProvider, resetProvider, emulatorConfig } from "../support/in-process-provider";

describe("quota taken by another stack between preview and up", () => {
  let emu: RunningEmulator;
  const logged: string[] = [];
  before(async () => {
    emu = await startEmulator({ planSize: 1, lifecycle: { validation: "manual" } });
    await configureProvider(emulatorConfig(emu), (l) => void logged.push(l));
  });
  after(async () => {
    await resetProvider();
    await emu.close();
  });

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
    // The refused create placed nothing: the only order the log names is the first.
    assert.deepEqual(
      logged.filter((l) => / placed with /.test(l)).map((l) => /for ([^\s:]+)/.exec(l)?.[1]),
      ["a.example.com"],
      logged.join("\n"),
    );
  });
});

describe("quota already used up when this deployment's check ran (quotaCheck: warn)", () => {
  let emu: RunningEmulator;
  const logged: string[] = [];
  // Its own product code: the provider remembers a plan's figures for a minute per code.
  const productCode = "symantec-free-1-free";
  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    emu.control.setQuota(productCode, 1);
    await configureProvider(emulatorConfig(emu), (l) => void logged.push(l));
  });
  after(async () => {
    await resetProvider();
    await emu.close();
  });

  it("NotRemainCount says the check saw none left and only warned, not that someone else took them", async () => {
    const contact = { username: "u", phone: "13800001111", email: "a@example.com" };
    // The plan's one order goes to a resource without the check, before this deployment looks.
    const first = await provider.check(
      {},
      { domain: "first.example.com", productCode, ...contact, quotaCheck: "off" },
    );
    await provider.create(first.inputs);
    const checked = await provider.check({}, { domain: "full.example.com", productCode, ...contact });
    assert.deepEqual(checked.failures, []);
    assert.ok(
      logged.some((l) => l.includes(`warning: the ${productCode} plan has 0 order(s) left`)),
      logged.join("\n"),
    );
    await assert.rejects(provider.create(checked.inputs), (e: Error & { code?: string }) => {
      assert.equal(e.code, "NotRemainCount");
      assert.match(
        e.message,
        new RegExp(`the ${productCode} plan has no orders left \\(it has used 1 of 1 now\\)`),
      );
      assert.match(
        e.message,
        /this deployment's quota check saw 0 order\(s\) left for the 1 it plans and only warned.*quotaCheck: "fail"/,
      );
      assert.doesNotMatch(e.message, /another stack or user/);
      return true;
    });
    assert.equal((await emu.control.orders()).length, 1);
  });
});

// The preview's view of the TEST pool inside Pulumi's dynamic-provider host, against the emulator:
// `check` of a new InstanceCertificate taking from the pool and `diff` of one replaced from it count
// as takers against GetInstanceSummary's InactiveCount; one named by instanceId does not; the
// warning names both numbers and the fixes, and the preview does not fail.
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { instanceCertificateStub } from "../../sdk/stubs";
import type { ProviderHost } from "../support/provider-host";
import { CONTACT, startEmulatorHost } from "../support/emulator-host";

describe("InstanceCertificate: the preview's TEST pool view (GetInstanceSummary) in the provider host", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  const hosts: ProviderHost[] = [];
  const newHost = async () => {
    const host = await startEmulatorHost(instanceCertificateStub, emu);
    hosts.push(host);
    return host;
  };

  before(async () => {
    emu = await startEmulator({ testInstances: 2, lifecycle: { validation: "manual" } });
  });
  after(async () => {
    for (const h of hosts) h.stop();
    await emu?.close();
  });

  it("new and replaced pool takers past InactiveCount warn with the numbers and the fix; a named instance and a second check of one taker do not count", async () => {
    // One instance of the two is taken by an earlier deployment (another provider process).
    const earlier = await newHost();
    const first = await earlier.check({ instanceType: "TEST", domain: "old.example.com", ...CONTACT });
    const created = await earlier.create(first.inputs);
    assert.equal((await emu.control.instances()).filter((i) => i.status === "inactive").length, 1);

    const preview = await newHost();
    const bought = emu.control.addInstance({ instanceType: "BUY" });
    const a = await preview.check({ instanceType: "TEST", domain: "a.example.com", ...CONTACT });
    assert.deepEqual(a.failures, []);
    const pinned = await preview.check({
      instanceId: bought.instanceId,
      domain: "p.example.com",
      ...CONTACT,
    });
    assert.deepEqual(pinned.failures, []);
    // The earlier resource's name changes: its replacement takes another instance from the pool.
    const renamed = await preview.diff(created.id, created.outs, {
      ...first.inputs,
      domain: "new.example.com",
    });
    assert.deepEqual(renamed.replaces, ["domains"]);
    await preview.waitForStderr(
      /warning: the account has 1 inactive TEST certificate instance\(s\) \(GetInstanceSummary InactiveCount\) and this deployment takes 2 \(instanceType: "TEST"\); get free test instances in the CAS console \(20 a year per account\), destroy an InstanceCertificate still pending to free one, or name a bought instance with instanceId/,
    );
    const again = await preview.check({ instanceType: "TEST", domain: "a.example.com", ...CONTACT });
    assert.deepEqual(again.failures, []);
    const b = await preview.check({ instanceType: "TEST", domain: "b.example.com", ...CONTACT });
    assert.deepEqual(b.failures, [], "the view warns; it never fails a preview");
    // A second diff of the same replacement (it counts once) logs its line after any line of the
    // checks above: once it is there, so is every warning they gave.
    await preview.diff(created.id, created.outs, { ...first.inputs, domain: "new.example.com" });
    const lines = await preview.waitForStderr(/(a new application replaces this one[\s\S]*){2}/);
    assert.deepEqual(
      [...lines.matchAll(/warning: the account has (\d+) inactive .* this deployment takes (\d+) /g)].map(
        (m) => [m[1], m[2]],
      ),
      [
        ["1", "2"],
        ["1", "3"],
      ],
    );
  });
});

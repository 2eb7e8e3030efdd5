// A lost answer on the way to an application, inside Pulumi's dynamic-provider host against the
// emulator's fault injection: an ApplyCertificate processed whose answer never came, one dropped
// before it was processed, and a create that fails after its claim. Each ends with at most one
// instance held by the resource, found by its claim mark, one application at most, and no other
// instance of the pool marked.
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Instance } from "../../emulator/state";
import { instanceCertificateStub } from "../../sdk/stubs";
import { FAKE_CLOCK, type ProviderHost } from "../support/provider-host";
import { CLAIM_TAG, CONTACT, startEmulatorHost } from "../support/emulator-host";

describe("InstanceCertificate: a lost ApplyCertificate answer (emulator faults, provider host)", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let host: ProviderHost;

  before(async () => {
    emu = await startEmulator({ testInstances: 3, lifecycle: { validation: "manual" } });
    host = await startEmulatorHost(instanceCertificateStub, emu, {}, FAKE_CLOCK);
  });
  after(async () => {
    host?.stop();
    await emu?.close();
  });
  /** The state of each resource created, for the clean-up. */
  const held = new Map<string, Record<string, unknown>>();
  afterEach(async () => {
    emu.control.setFaults([]);
    // Each case starts from a full pool of three: pending applications are cancelled, as destroy does.
    for (const [id, outs] of held) await host.delete(id, outs);
    held.clear();
  });

  const claimOf = (i: Instance) => i.tags.find((t) => t.TagKey === CLAIM_TAG)?.TagValue || undefined;
  const applications = () => emu.control.requests().filter((r) => r.action === "ApplyCertificate");

  async function create(domain: string) {
    const checked = await host.check({ instanceType: "TEST", domain, ...CONTACT });
    assert.deepEqual(checked.failures, []);
    const made = await host.create(checked.inputs);
    held.set(made.id, made.outs);
    return made;
  }

  it("processed, answer lost: the instance is read back and kept as this resource's; one application, no other instance taken", async () => {
    emu.control.clearRequests();
    emu.control.setFaults([{ action: "ApplyCertificate", kind: "ambiguous", rate: 1, limit: 1 }]);
    const { id, outs } = await create("lost.example.com");
    assert.deepEqual(
      applications().map((r) => r.outcome),
      ["ambiguous"],
      "ApplyCertificate was sent once and never again",
    );
    const all = await emu.control.instances();
    const marked = all.filter((i) => claimOf(i) !== undefined);
    assert.deepEqual(
      marked.map((i) => [i.instanceId, claimOf(i), i.status]),
      [[id, outs.claim, "pending"]],
      "exactly one instance held, found by this resource's claim mark",
    );
    assert.deepEqual(marked[0]!.application!.domains, ["lost.example.com"]);
    assert.equal(outs.status, "pending_validation");
    assert.equal(all.filter((i) => i.status === "inactive").length, 2);
  });

  it("dropped before it was processed: the read-back finds no application, so it is sent again on the same instance; one application, no other instance taken", async () => {
    emu.control.clearRequests();
    emu.control.setFaults([{ action: "ApplyCertificate", kind: "reset", rate: 1, limit: 1 }]);
    const { id, outs } = await create("dropped.example.com");
    const sent = applications();
    assert.equal(sent.length, 2);
    assert.deepEqual(
      sent.map((r) => r.outcome),
      ["reset", "OK"],
    );
    const all = await emu.control.instances();
    const marked = all.filter((i) => claimOf(i) !== undefined);
    assert.deepEqual(
      marked.map((i) => [i.instanceId, claimOf(i), i.status]),
      [[id, outs.claim, "pending"]],
    );
    assert.equal(all.filter((i) => i.status === "pending").length, 1, "one application");
    assert.equal(all.filter((i) => i.status === "inactive").length, 2);
  });

  it("dropped twice: the create fails after two sends (never a third), and releases its mark", async () => {
    emu.control.clearRequests();
    emu.control.setFaults([{ action: "ApplyCertificate", kind: "reset", rate: 1, limit: 2 }]);
    const checked = await host.check({ instanceType: "TEST", domain: "twice.example.com", ...CONTACT });
    await assert.rejects(host.create(checked.inputs), (e: Error) => {
      assert.match(e.message, /ApplyCertificate did not leave the application under review/);
      // The error says what the failed create gave back.
      assert.match(e.message, /instance cas-cn-\w+, marked by this create, was released/);
      return true;
    });
    assert.deepEqual(
      applications().map((r) => r.outcome),
      ["reset", "reset"],
    );
    const all = await emu.control.instances();
    assert.deepEqual(
      all.filter((i) => claimOf(i) !== undefined).map((i) => i.instanceId),
      [],
    );
    assert.equal(all.filter((i) => i.status === "inactive").length, 3);
  });

  it("a create that fails after its claim releases the mark: the pool keeps the instance for the next resource", async () => {
    emu.control.clearRequests();
    const checked = await host.check({
      instanceType: "TEST",
      domain: "refused.example.com",
      contactIds: ["999999"],
    });
    assert.deepEqual(checked.failures, []);
    await assert.rejects(host.create(checked.inputs), /NotFound\.Contact|contact/i);
    const all = await emu.control.instances();
    assert.deepEqual(
      all.filter((i) => claimOf(i) !== undefined).map((i) => i.instanceId),
      [],
      "no instance left marked by a resource that does not exist",
    );
    assert.equal(all.filter((i) => i.status === "inactive").length, 3);
    assert.equal(applications().length, 0);
  });
});

// Claims that carry the resource's URN (the plugin's create receives it), against the emulator: a
// later create of the same resource takes again an instance an earlier one marked and never applied
// on before its process stopped; an application under the URN's mark is never taken by a create
// (it may be the replaced resource's), but can be imported into that URN; a resource of another URN
// takes none of it.
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { CasClient } from "../../provider/cas/client";
import { urnMark } from "../../provider/instance/claim";
import { pluginProvider } from "../../provider/plugin/plugin";
import { CLAIM_TAG, CONTACT } from "../support/emulator-host";

type Obj = Record<string, unknown>;
const urnOf = (name: string) => `urn:pulumi:dev::site::alicloudcas:index:InstanceCertificate::${name}`;

describe("InstanceCertificate claims carry the resource's URN under the plugin, against the emulator", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let api: CasClient;
  const plugin = pluginProvider({ version: "0.0.0", schema: () => "{}" });
  const P = plugin.provider;
  const lines: string[] = [];
  const saved = process.env.ALIBABA_CLOUD_ENDPOINT_CAS;

  before(async () => {
    emu = await startEmulator({ testInstances: 1, lifecycle: { validation: "manual" } });
    process.env.ALIBABA_CLOUD_ENDPOINT_CAS = emu.endpoint;
    await plugin.configure(
      { "alicloudcas:accessKey": emu.accessKeyId, "alicloudcas:secretKey": emu.accessKeySecret },
      {},
      (line) => lines.push(line),
    );
    api = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
    });
  });
  after(async () => {
    if (saved === undefined) delete process.env.ALIBABA_CLOUD_ENDPOINT_CAS;
    else process.env.ALIBABA_CLOUD_ENDPOINT_CAS = saved;
    await emu?.close();
  });

  const instance = async (id: string) => (await emu.control.instances()).find((i) => i.instanceId === id)!;
  const claimOn = async (id: string) =>
    (await instance(id)).tags.find((t) => t.TagKey === CLAIM_TAG)?.TagValue;
  /** A create as the engine makes one: checked first, with the old inputs in a replacement. */
  const create = async (urn: string, inputs: Obj, olds: Obj = {}) => {
    const checked = await P.check!(urn, olds, inputs);
    assert.deepEqual(checked.failures, []);
    const r = await P.create!(urn, checked.inputs);
    return { id: r.id, outs: r.outs as Obj };
  };
  const applies = () => emu.control.requests().filter((r) => r.action === "ApplyCertificate").length;
  /** What an earlier create whose process stopped left: the mark, and with `domain` the application. */
  const earlierCreate = async (id: string, claim: string, domain?: string) => {
    if (!domain) {
      await api.call("UpdateInstance", { InstanceId: id, Tags: [{ TagKey: CLAIM_TAG, TagValue: claim }] });
      return;
    }
    const contact = await api.call("CreateContact", { Name: CONTACT.username, Mobile: CONTACT.phone });
    await api.call("UpdateInstance", {
      InstanceId: id,
      GenerateCsrMethod: "online",
      Domain: domain,
      ValidationMethod: "DNS",
      ContactIdList: [contact.ContactId],
      Tags: [{ TagKey: CLAIM_TAG, TagValue: claim }],
    });
    await api.call("ApplyCertificate", { InstanceId: id });
  };

  it("a pool instance an earlier create of the resource marked is taken again; another resource never takes it, nor a replacement the replaced one's", async () => {
    const web = urnOf("web");
    const [pooled] = (await emu.control.instances()).filter((i) => i.status === "inactive");
    const earlier = `${urnMark(web)}stopped-before-the-state-write`;
    await earlierCreate(pooled!.instanceId, earlier);
    // The only inactive instance carries a mark of `web`: another resource finds the pool empty.
    await assert.rejects(
      create(urnOf("api"), { instanceType: "TEST", domain: "api.example.com", ...CONTACT }),
      (e: Error) => {
        assert.match(e.message, /NoInactiveTestInstance/);
        return true;
      },
    );
    assert.equal(await claimOn(pooled!.instanceId), earlier);

    const first = await create(web, { instanceType: "TEST", domain: "www.example.com", ...CONTACT });
    assert.equal(first.id, pooled!.instanceId);
    const claim = String(first.outs.claim);
    assert.ok(claim.startsWith(urnMark(web)) && claim !== earlier, claim);
    assert.equal(await claimOn(first.id), claim);
    assert.equal((await instance(first.id)).status, "pending");
    assert.ok(
      lines.some((l) => l.includes(`instance ${first.id}: marked by an earlier create of this resource`)),
      lines.join("\n"),
    );

    // A replacement (create before delete): the same URN, a new create. It takes another instance,
    // and the replaced resource's delete then acts on its own instance only.
    const spare = emu.control.addInstance({ instanceType: "TEST" });
    const inputs = { instanceType: "TEST", domain: "www.example.com", ...CONTACT };
    const second = await create(web, inputs, inputs);
    assert.equal(second.id, spare.instanceId);
    assert.notEqual(second.outs.claim, claim);
    await P.delete!(first.id, web, first.outs);
    assert.equal(
      (await instance(first.id)).status,
      "inactive",
      "the replaced resource's application is cancelled",
    );
    assert.equal(await claimOn(first.id), "");
    assert.equal((await instance(second.id)).status, "pending", "the replacement's is left alone");
    assert.equal(await claimOn(second.id), second.outs.claim);
  });

  it("a named instance: marked and never applied on, taken again; applied under the URN's mark, refused with both fixes, and importable into that URN", async () => {
    const site = urnOf("site");
    const declared = (id: string) => ({ instanceId: id, domain: "n.example.com", ...CONTACT });

    const marked = emu.control.addInstance({ instanceType: "BUY" });
    await earlierCreate(marked.instanceId, `${urnMark(site)}stopped-before-apply`);
    const sent = applies();
    const taken = await create(site, declared(marked.instanceId));
    assert.equal(taken.outs.status, "pending_validation");
    assert.equal(applies(), sent + 1);
    assert.ok(String(taken.outs.claim).startsWith(urnMark(site)));
    assert.equal(await claimOn(marked.instanceId), taken.outs.claim);
    await P.delete!(taken.id, site, taken.outs);

    // Applied under the URN's mark by another create: the resource this one replaces (`--replace`
    // creates first, without asking the provider) or a create that stopped. Nothing is taken.
    const applied = emu.control.addInstance({ instanceType: "BUY" });
    const earlier = `${urnMark(site)}stopped-after-apply`;
    await earlierCreate(applied.instanceId, earlier, "n.example.com");
    for (const urn of [site, urnOf("other")])
      await assert.rejects(create(urn, declared(applied.instanceId)), (e: Error) => {
        assert.match(e.message, /InstanceHeld/);
        assert.ok(e.message.includes(`${CLAIM_TAG}=${earlier}`), e.message);
        if (urn === site) {
          assert.match(e.message, /another claim of this resource's URN/);
          assert.match(e.message, /deleteBeforeReplace/);
          assert.match(e.message, /pulumi import alicloudcas:index:InstanceCertificate <name> cas-/);
        } else assert.match(e.message, /held by another InstanceCertificate/);
        return true;
      });
    assert.equal((await instance(applied.instanceId)).status, "pending");
    assert.equal(await claimOn(applied.instanceId), earlier);

    // Once issued, `pulumi import` into the URN takes it (the engine imports only into a URN the
    // stack does not hold); into another URN it is held.
    await emu.control.issueInstance(applied.instanceId);
    await assert.rejects(P.read!(applied.instanceId, urnOf("other"), {}), /InstanceHeld/);
    const imported = await P.read!(applied.instanceId, site, {});
    assert.equal(imported.id, applied.instanceId);
    const claim = await claimOn(applied.instanceId);
    assert.ok(claim && claim !== earlier, claim);
    assert.equal((imported.props as Obj).claim, claim);
  });

  it("an import whose preview marked the instance and was abandoned: a create of the resource names both fixes, the import takes it", async () => {
    const site = urnOf("imported");
    const bought = emu.control.addInstance({ instanceType: "BUY" });
    await earlierCreate(bought.instanceId, "released-by-its-stack", "i.example.com");
    await emu.control.issueInstance(bought.instanceId);
    await api.call("UpdateInstance", {
      InstanceId: bought.instanceId,
      Tags: [{ TagKey: CLAIM_TAG, TagValue: "" }],
    });
    // The import's preview reads (and marks) the instance; the user goes no further.
    await P.read!(bought.instanceId, site, {});
    const marked = await claimOn(bought.instanceId);
    assert.ok(marked?.startsWith(`${urnMark(site)}import-`), marked);
    await assert.rejects(
      create(site, { instanceId: bought.instanceId, domain: "i.example.com", ...CONTACT }),
      (e: Error) => {
        assert.match(e.message, /another claim of this resource's URN/);
        assert.match(e.message, /pulumi import alicloudcas:index:InstanceCertificate <name> /);
        return true;
      },
    );
    const imported = await P.read!(bought.instanceId, site, {});
    assert.equal((imported.props as Obj).claim, marked);
  });

  it("an input unknown until apply that an application is made of is a possible replacement, as an order's", async () => {
    const web = urnOf("unknown");
    const made = await create(web, { instanceType: "TEST", domain: "u.example.com", ...CONTACT });
    const d = await P.diff!(made.id, web, made.outs, {
      instanceType: "TEST",
      domain: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      ...CONTACT,
    });
    assert.deepEqual([d.changes, d.replaces], [true, ["domain"]]);
    assert.ok(
      lines.some((l) => l.includes("domain is not known until apply; a new application may be needed")),
    );
  });
});

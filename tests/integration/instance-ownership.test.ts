// Whose application an InstanceCertificate acts on, against the emulator: a named instance is
// claimed like a pool one (a second resource naming it is refused; destroy and refresh touch only
// this resource's claim), a validation takes a certificate only for the application's names, a
// failed create releases what it marked, two stacks racing on one TEST pool end with each
// application held by its resource, and autoReissue and contact changes reach CAS.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { CasClient } from "../../provider/cas/client";
import { createProviders } from "../../provider/hosted";
import { CLAIM_TAG, CONTACT } from "../support/emulator-host";

/** This file's own providers: a context of their own, apart from every other file's. */
const { instance: P, validation: V } = createProviders();

type Obj = Record<string, unknown>;
type Call = (this: CasClient, action: string, ...rest: unknown[]) => Promise<unknown>;

describe("InstanceCertificate acts only on its own claim, against the emulator", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let api: CasClient;
  const saved = process.env.ALIBABA_CLOUD_ENDPOINT_CAS;
  const lines: string[] = [];
  const original = CasClient.prototype.call as unknown as Call;

  before(async () => {
    emu = await startEmulator({ testInstances: 8, lifecycle: { validation: "manual" } });
    process.env.ALIBABA_CLOUD_ENDPOINT_CAS = emu.endpoint;
    const config: Record<string, string> = {
      "alicloud:accessKey": emu.accessKeyId,
      "alicloud:secretKey": emu.accessKeySecret,
    };
    const cfg = { config: { get: (k: string) => config[k] }, log: (l: string) => void lines.push(l) };
    await P.configure(cfg);
    await V.configure(cfg);
    api = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
    });
  });
  afterEach(() => {
    (CasClient.prototype as unknown as { call: Call }).call = original;
    emu.control.setFaults([]);
  });
  after(async () => {
    if (saved === undefined) delete process.env.ALIBABA_CLOUD_ENDPOINT_CAS;
    else process.env.ALIBABA_CLOUD_ENDPOINT_CAS = saved;
    await emu?.close();
  });

  const instance = async (id: string) => (await emu.control.instances()).find((i) => i.instanceId === id)!;
  const claimOn = async (id: string) =>
    (await instance(id)).tags.find((t) => t.TagKey === CLAIM_TAG)?.TagValue;
  const create = async (inputs: Obj) => {
    const checked = await P.check({}, inputs);
    assert.deepEqual(checked.failures, []);
    const r = await P.create(checked.inputs);
    return { id: r.id, outs: r.outs as unknown as Obj, inputs };
  };
  /** What another stack does on an instance with its own claim: mark it, apply for `domain`. */
  const foreignApply = async (id: string, claim: string, domain: string) => {
    const contactId = (await api.call("ListContact", { ShowSize: 50 })).ContactList[0]!.ContactId!;
    await api.call("UpdateInstance", {
      InstanceId: id,
      GenerateCsrMethod: "online",
      Domain: domain,
      ValidationMethod: "DNS",
      ContactIdList: [contactId],
      Tags: [{ TagKey: CLAIM_TAG, TagValue: claim }],
    });
    await api.call("ApplyCertificate", { InstanceId: id });
  };
  /** Runs `before` once, just before the first call of `action` made through any CAS client. */
  const beforeCall = (action: string, run: () => Promise<void>) => {
    let done = false;
    (CasClient.prototype as unknown as { call: Call }).call = async function (a, ...rest) {
      if (a === action && !done) {
        done = true;
        await run();
      }
      return original.call(this, a, ...rest);
    };
  };

  it("a named instance is claimed: a second resource naming it is refused with the holder and the fix, and the first one's certificate stays", async () => {
    const bought = emu.control.addInstance({ instanceType: "BUY" });
    const a = await create({ instanceId: bought.instanceId, domain: "a.example.com", ...CONTACT });
    assert.equal(await claimOn(bought.instanceId), a.outs.claim);
    await emu.control.issueInstance(bought.instanceId);
    const b = { instanceId: bought.instanceId, domain: "b.example.com", ...CONTACT };
    await assert.rejects(P.create((await P.check({}, b)).inputs), (e: Error) => {
      assert.match(e.message, /InstanceHeld|held by another InstanceCertificate/);
      assert.ok(e.message.includes(`${CLAIM_TAG}=${String(a.outs.claim)}`), e.message);
      assert.match(e.message, /a\.example\.com/);
      assert.match(e.message, /aliases/);
      assert.match(e.message, /destroy the resource holding it first/);
      return true;
    });
    const held = await instance(bought.instanceId);
    assert.equal(held.status, "normal");
    assert.deepEqual(held.application!.domains, ["a.example.com"]);
    assert.equal(await claimOn(bought.instanceId), a.outs.claim);
    // Destroying the holder releases the claim (the certificate is kept): then another may name it.
    const read = await P.read(a.id, a.outs);
    await P.delete(a.id, read.props);
    assert.equal((await instance(bought.instanceId)).certificate!.revokedAt, null);
    assert.equal(await claimOn(bought.instanceId), "");
    const next = await create(b);
    assert.equal(next.outs.status, "pending_validation");
    assert.equal(await claimOn(bought.instanceId), next.outs.claim);
  });

  it("destroy and refresh of a resource whose instance now carries another claim leave that application alone", async () => {
    const bought = emu.control.addInstance({ instanceType: "BUY" });
    const a = await create({
      instanceId: bought.instanceId,
      domain: "a.example.com",
      onDelete: "revoke",
      ...CONTACT,
    });
    await emu.control.issueInstance(bought.instanceId);
    const issued = (await P.read(a.id, a.outs)).props as Obj;
    assert.equal(issued.status, "issued");
    // Another stack's resource took the instance (its tag cleared in the console, then claimed).
    await foreignApply(bought.instanceId, "other-stack", "b.example.com");
    const refreshed = (await P.read(a.id, issued)).props as Obj;
    assert.equal(refreshed.status, "issued", "the last outputs read while it was this resource's");
    assert.deepEqual(refreshed.validationRecords, issued.validationRecords, "not the other's records");
    assert.match(String(refreshed.statusReason), /another claim \(pulumi-alicloud-cas:claim=other-stack\)/);
    await P.delete(a.id, refreshed);
    let after = await instance(bought.instanceId);
    assert.equal(after.status, "pending", "the other's application is not cancelled");
    assert.deepEqual(after.application!.domains, ["b.example.com"]);
    assert.equal(await claimOn(bought.instanceId), "other-stack");
    // Issued to the other: a destroy with onDelete revoke still does not revoke it.
    await emu.control.issueInstance(bought.instanceId);
    await P.delete(a.id, refreshed);
    after = await instance(bought.instanceId);
    assert.equal(after.certificate!.revokedAt, null);
    assert.deepEqual(after.certificate!.domains, ["b.example.com"]);
  });

  it("a validation by instanceId and a refresh take no certificate for other names than the application's", async () => {
    const bought = emu.control.addInstance({ instanceType: "BUY" });
    const a = await create({ instanceId: bought.instanceId, domain: "a.example.com", ...CONTACT });
    await emu.control.issueInstance(bought.instanceId);
    await P.delete(a.id, (await P.read(a.id, a.outs)).props);
    const b = await create({ instanceId: bought.instanceId, domain: "b.example.com", ...CONTACT });
    // The application for b is cancelled (CAS console): the certificate for a stays the current one.
    await api.call("CancelPendingCertificate", { InstanceId: bought.instanceId });
    // The cancel settles after reads (instanceAnswersAfterReads), not after time.
    for (let i = 0; i < 50; i++) {
      const d = await api.call("GetInstanceDetail", { InstanceId: bought.instanceId });
      if (d.Status !== "pending") break;
    }
    const held = await instance(bought.instanceId);
    assert.deepEqual(held.certificate!.domains, ["a.example.com"]);
    const checked = await V.check({}, { instanceId: bought.instanceId, timeoutMinutes: 1 });
    assert.deepEqual(checked.failures, []);
    await assert.rejects(V.create(checked.inputs), (e: Error) => {
      assert.match(e.message, /is for a\.example\.com, not for the application's b\.example\.com/);
      assert.match(e.message, /replace the InstanceCertificate/);
      return true;
    });
    const read = (await P.read(b.id, b.outs)).props as Obj;
    assert.equal(read.status, "cancelled");
    assert.equal(read.certificateId, null);
    assert.match(String(read.statusReason), /not for b\.example\.com/);
  });

  it("check refuses a wildcard on a TEST instance, naming the property", async () => {
    for (const [inputs, property] of [
      [{ domain: "*.example.com" }, "domain"],
      [{ domains: ["*.example.com"] }, "domains"],
    ] as const) {
      const r = await P.check({}, { instanceType: "TEST", ...inputs, ...CONTACT });
      assert.deepEqual(
        r.failures.map((f) => f.property),
        [property],
      );
      assert.match(
        r.failures[0]!.reason,
        /\*\.example\.com: a TEST instance takes a single name, not a wildcard/,
      );
    }
    const bought = await P.check({}, { instanceId: "cas-cn-bought1", domain: "*.example.com", ...CONTACT });
    assert.deepEqual(bought.failures, []);
  });

  it("a create that fails after marking a TEST instance releases it, and says so when the release fails too", async () => {
    const inactiveFree = async () =>
      (await emu.control.instances()).filter(
        (i) => i.instanceType === "TEST" && i.status === "inactive" && !i.tags.some((t) => t.TagValue),
      ).length;
    const before = await inactiveFree();
    emu.control.setFaults([
      { action: "ApplyCertificate", kind: "error", code: "InvalidParameter", status: 400, rate: 1, limit: 1 },
    ]);
    const inputs = { instanceType: "TEST", domain: "www.example.org", ...CONTACT };
    await assert.rejects(P.create((await P.check({}, inputs)).inputs), (e: Error) => {
      assert.match(e.message, /InvalidParameter/);
      assert.match(e.message, /instance cas-cn-\S+, marked by this create, was released/);
      return true;
    });
    assert.equal(await inactiveFree(), before, "every TEST instance is free again");
    // The release itself fails: the error names the instance, the claim and the fix.
    beforeCall("ApplyCertificate", async () =>
      emu.control.setFaults([
        {
          action: "ApplyCertificate",
          kind: "error",
          code: "InvalidParameter",
          status: 400,
          rate: 1,
          limit: 1,
        },
        {
          action: "GetInstanceDetail",
          kind: "error",
          code: "InvalidParameter",
          status: 400,
          rate: 1,
          limit: 1,
        },
      ]),
    );
    await assert.rejects(P.create((await P.check({}, inputs)).inputs), (e: Error) => {
      assert.match(e.message, /is still marked by this create \(pulumi-alicloud-cas:claim=[0-9a-f-]{36}\)/);
      assert.match(e.message, /release failed/);
      assert.match(e.message, /set that tag to an empty value in the CAS console/);
      return true;
    });
    assert.equal(await inactiveFree(), before - 1);
    // A later create still finds a free instance.
    const ok = await create(inputs);
    assert.equal(ok.outs.status, "pending_validation");
    await P.delete(ok.id, ok.outs);
  });

  it("UpdateInstance refused because another stack applied on the claimed TEST instance: takes another one", async () => {
    let first = "";
    let marks = 0;
    (CasClient.prototype as unknown as { call: Call }).call = async function (a, ...rest) {
      const params = rest[0] as { InstanceId?: string; Domain?: string };
      // The application's UpdateInstance (it carries Domain) comes after the mark was read back.
      if (a === "UpdateInstance" && params.Domain === "race1.example.org" && !first) {
        first = params.InstanceId!;
        await foreignApply(first, "other-stack", "taken1.example.org");
      }
      if (a === "UpdateInstance") marks++;
      return original.call(this, a, ...rest);
    };
    const r = await create({ instanceType: "TEST", domain: "race1.example.org", ...CONTACT });
    assert.ok(marks > 0);
    assert.notEqual(r.id, first);
    const other = await instance(first);
    assert.equal(other.status, "pending");
    assert.deepEqual(other.application!.domains, ["taken1.example.org"]);
    assert.equal(await claimOn(first), "other-stack");
    assert.deepEqual((await instance(r.id)).application!.domains, ["race1.example.org"]);
    await P.delete(r.id, r.outs);
    await api.call("CancelPendingCertificate", { InstanceId: first });
  });

  it("a claim landing between the application's UpdateInstance and ApplyCertificate: the instance is not applied on (no application without an owner), another is taken", async () => {
    let first = "";
    (CasClient.prototype as unknown as { call: Call }).call = async function (a, ...rest) {
      const params = rest[0] as { InstanceId?: string; Domain?: string };
      const answer = await original.call(this, a, ...rest);
      if (a === "UpdateInstance" && params.Domain === "race2.example.org" && !first) {
        first = params.InstanceId!;
        // Another stack marks the instance between this one's UpdateInstance and ApplyCertificate.
        await original.call(this, "UpdateInstance", {
          InstanceId: first,
          Tags: [{ TagKey: CLAIM_TAG, TagValue: "other-stack-2" }],
        });
      }
      return answer;
    };
    const r = await create({ instanceType: "TEST", domain: "race2.example.org", ...CONTACT });
    assert.ok(first);
    assert.notEqual(r.id, first);
    const other = await instance(first);
    assert.equal(other.status, "inactive", "nothing applied on the instance the other stack holds");
    assert.equal(await claimOn(first), "other-stack-2");
    assert.equal((await instance(r.id)).status, "pending");
    assert.equal(await claimOn(r.id), r.outs.claim);
    await P.delete(r.id, r.outs);
    await api.call("UpdateInstance", { InstanceId: first, Tags: [{ TagKey: CLAIM_TAG, TagValue: "" }] });
  });

  it("autoReissue and contact changes update in place and reach CAS; under review they are refused naming them", async () => {
    const inputs = { instanceType: "TEST", domain: "inplace.example.org", ...CONTACT, autoReissue: false };
    const c = await create(inputs);
    const news = {
      ...inputs,
      autoReissue: true,
      username: "Other",
      phone: "13900002222",
      email: "other@example.org",
    };
    const d = await P.diff(c.id, c.outs, news);
    assert.deepEqual(d.replaces, []);
    assert.equal(d.changes, true);
    await assert.rejects(P.update(c.id, c.outs, news), (e: Error) => {
      assert.match(
        e.message,
        /^\[InstanceUnderReview\] autoReissue, username, phone, email: instance \S+ has an application under review/,
      );
      return true;
    });
    await emu.control.issueInstance(c.id);
    const issued = (await P.read(c.id, c.outs)).props as Obj;
    const u = await P.update(c.id, issued, news);
    const outs = u.outs as Obj;
    const held = await instance(c.id);
    assert.equal(held.status, "normal");
    assert.equal(held.application!.autoReissue, true);
    assert.deepEqual(held.application!.contactIds, outs.contactIds);
    assert.notDeepEqual(outs.contactIds, c.outs.contactIds);
    const found = await api.call("ListContact", { Keyword: "other@example.org", ShowSize: 50 });
    assert.deepEqual(outs.contactIds, [found.ContactList[0]!.ContactId]);
    assert.deepEqual(
      held.application!.domains,
      ["inplace.example.org"],
      "the application is otherwise the same",
    );
    assert.equal(held.application!.keyAlgorithm, "RSA_2048");
    assert.equal(await claimOn(c.id), c.outs.claim);
    assert.equal(outs.autoReissue, true);
    // Its certificate is still the one issued for the name.
    const pem = await api.call("GetUserCertificateDetail", {
      CertId: String(held.certificate!.certId),
      CertFilter: false,
    });
    assert.match(new X509Certificate(pem.Cert!).subjectAltName!, /inplace\.example\.org/);
  });
});

// InstanceCertificate inside Pulumi's dynamic-provider host, against the emulator: a TEST instance
// claimed from the pool, records keyed by name, issuance through the published DNS record, a quiet
// diff, delete that keeps an issued certificate and cancels a pending one (inactive again), and two
// hosts (two stacks) taking from one pool at the same time never holding one instance.
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderValidationStub, instanceCertificateStub } from "../../sdk/stubs";
import { FAKE_CLOCK, type ProviderHost } from "../support/provider-host";
import { CLAIM_TAG, CONTACT, startEmulatorHost } from "../support/emulator-host";

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("InstanceCertificate inside Pulumi's dynamic-provider host, against the emulator", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  const hosts: ProviderHost[] = [];
  const newHost = async () => {
    const host = await startEmulatorHost(instanceCertificateStub, emu, {}, FAKE_CLOCK);
    hosts.push(host);
    return host;
  };
  let host: ProviderHost;

  // The emulator moves on by control calls (published records) and reads, not by the real time:
  // the providers' waits run on the hosts' fake clock.
  before(async () => {
    emu = await startEmulator({ testInstances: 6, lifecycle: { validation: "dns", issueAfterMs: 0 } });
    host = await newHost();
  });
  after(async () => {
    for (const h of hosts) h.stop();
    await emu?.close();
  });

  async function create(h: ProviderHost, inputs: Record<string, unknown>) {
    const checked = await h.check(inputs);
    assert.deepEqual(checked.failures, []);
    return { checked: checked.inputs, ...(await h.create(checked.inputs)) };
  }
  const instance = async (id: string) => (await emu.control.instances()).find((i) => i.instanceId === id)!;
  const inactive = async () => (await emu.control.instances()).filter((i) => i.status === "inactive").length;

  it("refuses inputs that name no instance source, no names or no contact, naming the property", async () => {
    const none = await host.check({ domain: "a.example.com", ...CONTACT });
    assert.deepEqual(
      none.failures.map((f) => f.property),
      ["instanceType"],
    );
    assert.match(none.failures[0]!.reason, /instanceId .* or instanceType: "TEST"/);
    const noContact = await host.check({ instanceType: "TEST", domain: "a.example.com" });
    assert.deepEqual(
      noContact.failures.map((f) => f.property),
      ["username"],
    );
    const two = await host.check({
      instanceType: "TEST",
      domain: "a.example.com",
      domains: ["b.example.com"],
      ...CONTACT,
    });
    assert.deepEqual(
      two.failures.map((f) => f.property),
      ["domains"],
    );
  });

  it("takes a TEST instance from the pool, is issued through its DNS record, diffs quietly, and keeps the issued certificate on delete", async () => {
    const before = await inactive();
    const { id, outs, checked } = await create(host, {
      instanceType: "TEST",
      domain: "www.example.com",
      ...CONTACT,
    });
    assert.match(id, /^cas-cn-/);
    assert.equal(outs.instanceId, id);
    assert.equal(outs.status, "pending_validation");
    assert.equal(outs.schemaVersion, 2);
    assert.equal(outs.accountId, emu.accountId);
    const rec = (
      outs.validationRecords as Record<string, Record<"fqdn" | "zone" | "rr" | "type" | "value", string>>
    )["www.example.com"]!;
    assert.equal(rec.fqdn, "_dnsauth.www.example.com");
    assert.equal(rec.zone, "example.com");
    assert.equal(rec.rr, "_dnsauth.www");
    assert.equal(rec.type, "TXT");
    const held = await instance(id);
    assert.equal(held.status, "pending");
    assert.deepEqual(held.tags, [{ TagKey: CLAIM_TAG, TagValue: outs.claim }]);
    assert.equal(await inactive(), before - 1);
    // A second `up` with the same program: nothing changes (domains instead of domain means the same).
    assert.deepEqual((await host.diff(id, outs, checked)).changes, 1); // DIFF_NONE
    const asList = (await host.check({ instanceType: "TEST", domains: ["WWW.example.com"], ...CONTACT }))
      .inputs;
    assert.equal((await host.diff(id, outs, asList)).changes, 1);
    const renamed = (await host.check({ instanceType: "TEST", domain: "api.example.com", ...CONTACT }))
      .inputs;
    assert.deepEqual((await host.diff(id, outs, renamed)).replaces, ["domains"]);
    emu.control.publishDnsRecord({ name: rec.fqdn, type: rec.type, value: rec.value });
    const read = await host.read(id, outs);
    assert.equal(read.props.status, "issued");
    assert.match(String(read.props.certificateId), /^\d+$/);
    assert.equal(read.props.certIdentifier, `${read.props.certificateId}-cn-hangzhou`);
    assert.ok(Date.parse(String(read.props.notAfter)) > Date.now());
    assert.deepEqual(read.props.validationRecords, outs.validationRecords, "records kept once issued");
    await host.delete(id, read.props);
    const kept = await instance(id);
    assert.equal(kept.status, "normal");
    assert.equal(kept.certificate!.revokedAt, null);
    await host.waitForStderr(/kept in CAS \(onDelete: keep\)/);
  });

  it("delete of a pending application cancels it and waits until the instance is inactive again, released for the pool", async () => {
    const before = await inactive();
    const { id, outs } = await create(host, {
      instanceType: "TEST",
      domain: "pending.example.com",
      ...CONTACT,
    });
    assert.equal(await inactive(), before - 1);
    await host.delete(id, outs);
    const back = await instance(id);
    assert.equal(back.status, "inactive");
    assert.deepEqual(back.tags, [{ TagKey: CLAIM_TAG, TagValue: "" }]);
    assert.equal(await inactive(), before);
  });

  it("two stacks taking from one pool at the same time hold different instances", async () => {
    const other = await newHost();
    const before = await inactive();
    assert.ok(before >= 2);
    const [a, b] = await Promise.all([
      create(host, { instanceType: "TEST", domain: "a.example.org", ...CONTACT }),
      create(other, { instanceType: "TEST", domain: "b.example.org", ...CONTACT }),
    ]);
    assert.notEqual(a.id, b.id);
    assert.equal((await instance(a.id)).application!.domains[0], "a.example.org");
    assert.equal((await instance(b.id)).application!.domains[0], "b.example.org");
    assert.equal(await inactive(), before - 2);
    await Promise.all([host.delete(a.id, a.outs), other.delete(b.id, b.outs)]);
    assert.equal(await inactive(), before);
  });

  it("CertificateOrderValidation with instanceId waits until the instance's certificate is issued and gives its PEM, CAS-made key and ids", async () => {
    const validation = await startEmulatorHost(certificateOrderValidationStub, emu, {}, FAKE_CLOCK);
    hosts.push(validation);
    const { id, outs } = await create(host, {
      instanceType: "TEST",
      domain: "issued.example.com",
      ...CONTACT,
    });
    const rec = (
      outs.validationRecords as Record<string, Record<"fqdn" | "zone" | "rr" | "type" | "value", string>>
    )["issued.example.com"]!;
    const checked = await validation.check({ instanceId: id, timeoutMinutes: 1, pollIntervalSeconds: 1 });
    assert.deepEqual(checked.failures, []);
    const waiting = validation.create(checked.inputs);
    emu.control.publishDnsRecord({ name: rec.fqdn, type: rec.type, value: rec.value });
    const v = await waiting;
    assert.equal(v.id, `${id}-validation`);
    assert.equal(v.outs.instanceId, id);
    assert.equal(v.outs.orderId, null);
    assert.equal(v.outs.schemaVersion, 5);
    assert.equal(v.outs.accountId, emu.accountId, "the account it waited in");
    assert.equal(v.outs.status, "issued");
    assert.match(String(v.outs.certificatePem), /BEGIN CERTIFICATE/);
    assert.match(String(v.outs.privateKeyPem), /PRIVATE KEY/);
    assert.deepEqual(v.outs.sans, ["issued.example.com"]);
    const held = await instance(id);
    assert.equal(v.outs.certificateId, held.certificate!.certId);
    assert.equal(v.outs.certIdentifier, `${held.certificate!.certId}-cn-hangzhou`);
    // A refresh with the same certificate changes nothing.
    const same = (await validation.read(v.id, v.outs)).props;
    assert.deepEqual([same.certificateId, same.status], [v.outs.certificateId, "issued"]);
    // Once the certificate has ended, a refresh says so in the validation's own status.
    await emu.control.expireInstance(id);
    const ended = (await validation.read(v.id, v.outs)).props;
    assert.deepEqual([ended.certificateId, ended.status], [v.outs.certificateId, "expired"]);
  });

  it("a named BUY instance is used only when named; a change on it deletes before it replaces", async () => {
    const bought = emu.control.addInstance({ instanceType: "BUY", domainCount: 2 });
    const { id, outs, checked } = await create(host, {
      instanceId: bought.instanceId,
      domains: ["shop.example.net", "www.shop.example.net"],
      ...CONTACT,
    });
    assert.equal(id, bought.instanceId);
    assert.deepEqual(Object.keys(outs.validationRecords as object).sort(), [
      "shop.example.net",
      "www.shop.example.net",
    ]);
    const more = { ...checked, keyAlgorithm: "ECC_256" };
    const d = await host.diff(id, outs, more);
    assert.deepEqual(d.replaces, ["keyAlgorithm"]);
    assert.equal(d.deleteBeforeReplace, true, "a pinned instance holds one application");
    // An in-place change says so too: the engine replaces it for `replaceOnChanges` (or `--replace`).
    const tagged = await host.diff(id, outs, { ...checked, tags: { team: "b" } });
    assert.deepEqual([tagged.changes, tagged.replaces, tagged.deleteBeforeReplace], [2, [], true]); // DIFF_SOME
    await host.delete(id, outs);
    assert.equal((await instance(id)).status, "inactive");
  });

  it("names each record still to publish in the create line, the validation's first line and its timeout error", async () => {
    const validation = await startEmulatorHost(certificateOrderValidationStub, emu, {}, FAKE_CLOCK);
    hosts.push(validation);
    const { id, outs } = await create(host, { instanceType: "TEST", domain: "shop.example.org", ...CONTACT });
    const rec = (
      outs.validationRecords as Record<string, Record<"fqdn" | "zone" | "rr" | "type" | "value", string>>
    )["shop.example.org"]!;
    const record = `TXT _dnsauth.shop.example.org = ${JSON.stringify(rec.value)}`;
    assert.equal(rec.fqdn, "_dnsauth.shop.example.org");
    await host.waitForStderr(
      new RegExp(
        `instance ${id} \\(from the TEST pool\\) applied for shop.example.org: pending_validation; publish ${esc(record)}\n`,
      ),
    );
    // Below check's 1-minute minimum (create is called directly): the wait stops after about a second.
    await assert.rejects(
      validation.create({ instanceId: id, timeoutMinutes: 0.02, pollIntervalSeconds: 1 }),
      new RegExp(
        `instance ${id} is still pending after 0\\.02 minute\\(s\\); still to publish: ${esc(record)}\\. Nothing was lost: run pulumi up again`,
      ),
    );
    await validation.waitForStderr(
      new RegExp(`instance ${id}: waiting for domain validation; publish ${esc(record)}\n`),
    );
    // Published: the next wait ends issued, and its state change is said without a record.
    emu.control.publishDnsRecord({ name: rec.fqdn, type: rec.type, value: rec.value });
    const v = await validation.create({ instanceId: id, timeoutMinutes: 1, pollIntervalSeconds: 1 });
    assert.match(String(v.outs.certificatePem), /BEGIN CERTIFICATE/);
    await validation.waitForStderr(new RegExp(`instance ${id}: issued( \\(after \\d+s\\))?\n`));
  });

  it("an HTTP application names the file's URL and content in the create line, while waiting and in the timeout error", async () => {
    const validation = await startEmulatorHost(certificateOrderValidationStub, emu, {}, FAKE_CLOCK);
    hosts.push(validation);
    const { id, outs } = await create(host, {
      instanceType: "TEST",
      domain: "files.example.org",
      validationMethod: "HTTP",
      ...CONTACT,
    });
    const file = (outs.files as Array<{ url: string; content: string }>)[0]!;
    assert.match(file.url, /^http:\/\/files\.example\.org\/\S+$/);
    const serve = `a file at ${file.url} with content ${JSON.stringify(file.content)}`;
    await host.waitForStderr(new RegExp(`instance ${id} .*: pending_validation; publish ${esc(serve)}\n`));
    await assert.rejects(
      validation.create({ instanceId: id, timeoutMinutes: 0.02, pollIntervalSeconds: 1 }),
      new RegExp(`instance ${id} is still pending .*; still to publish: ${esc(serve)}\\. `),
    );
    await validation.waitForStderr(
      new RegExp(`instance ${id}: waiting for domain validation; publish ${esc(serve)}\n`),
    );
    await host.delete(id, outs);
    assert.equal((await instance(id)).status, "inactive");
  });

  it("onDelete: retain is CertificateOrder's word for keep: stored as keep, no diff between the two, and an unknown value names all three", async () => {
    const inputs = { instanceType: "TEST", domain: "retain.example.org", ...CONTACT };
    const { id, outs } = await create(host, { ...inputs, onDelete: "retain" });
    assert.equal(outs.onDelete, "keep");
    for (const onDelete of ["keep", "retain", undefined]) {
      const checked = await host.check({ ...inputs, ...(onDelete ? { onDelete } : {}) });
      assert.deepEqual(checked.failures, []);
      assert.equal((await host.diff(id, outs, checked.inputs)).changes, 1, `${onDelete}: DIFF_NONE`);
    }
    const revoke = await host.check({ ...inputs, onDelete: "revoke" });
    assert.equal((await host.diff(id, outs, revoke.inputs)).changes, 2, "revoke: DIFF_SOME");
    const bad = await host.check({ ...inputs, onDelete: "cancel" });
    assert.deepEqual(
      bad.failures.map((f) => f.property),
      ["onDelete"],
    );
    assert.match(bad.failures[0]!.reason, /"keep" \(or "retain", the same\) and "revoke"/);
    await host.delete(id, outs);
    assert.equal((await instance(id)).status, "inactive");
  });
});

describe("InstanceCertificate on an instance CAS issues before the first read-back", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let host: ProviderHost;

  before(async () => {
    // The records show on the first read after ApplyCertificate, and auto validation issues on that
    // same read: the read-back already finds the certificate (as when CAS validates at once, or when
    // another resource's ApplyCertificate submitted this one's application in the claim window).
    emu = await startEmulator({
      testInstances: 2,
      lifecycle: { validation: "auto", validateAfterMs: 0, issueAfterMs: 0, instanceAnswersAfterReads: 0 },
    });
    host = await startEmulatorHost(instanceCertificateStub, emu, {}, FAKE_CLOCK);
  });
  after(async () => {
    host?.stop();
    await emu?.close();
  });

  it("a pool instance found issued under this resource's claim and names is this resource's certificate", async () => {
    const checked = await host.check({ instanceType: "TEST", domain: "fast.example.com", ...CONTACT });
    const { id, outs } = await host.create(checked.inputs);
    const [held] = (await emu.control.instances()).filter((i) =>
      i.tags.some((t) => t.TagKey === CLAIM_TAG && t.TagValue === outs.claim),
    );
    assert.equal(held!.instanceId, id);
    assert.equal(held!.status, "normal");
    assert.equal(outs.status, "issued");
    assert.equal(outs.certificateId, held!.certificate!.certId);
    assert.equal(
      emu.control.requests().filter((r) => r.action === "ApplyCertificate").length,
      1,
      "one application",
    );
  });
});

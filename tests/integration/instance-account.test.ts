// Which account an InstanceCertificate's instance is in, against the emulator (a second account
// added through its control API) and a plain web server answering 404 pages: only CAS's own
// NotFound.Instance answer may make a refresh drop an instance or a destroy succeed without
// cancelling, and never under credentials of another account than the one recorded.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { createProviders } from "../../provider/hosted";
import { CLAIM_TAG, CONTACT } from "../support/emulator-host";

/** This file's own providers: a context of their own, apart from every other file's. */
const { instance: P, validation: V } = createProviders();

const A = "1968132000123456";
const B = "1111222233334444";
type Obj = Record<string, unknown>;
type Key = { accessKeyId: string; accessKeySecret: string };

describe("InstanceCertificate acts only in the account its instance is in (emulator, a 404 web server)", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let web: http.Server;
  let page404: string;
  let other: Key & { accountId: string };
  const lines: string[] = [];

  before(async () => {
    emu = await startEmulator({ testInstances: 8, lifecycle: { validation: "manual" }, accountId: A });
    other = emu.control.addAccessKey({ accountId: B });
    web = http.createServer((_req, res) => {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><body>404 Not Found</body></html>");
    });
    await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
    page404 = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  });
  after(async () => {
    web?.close();
    await emu?.close();
  });

  /** Both providers configured with `key`, CAS at `cas` (the emulator's STS answers who the key is). */
  const configure = async (key: Key, cas = emu.endpoint) => {
    const config: Record<string, string> = {
      "alicloud:endpoints": JSON.stringify([{ cas, sts: emu.endpoint }]),
      "alicloud:accessKey": key.accessKeyId,
      "alicloud:secretKey": key.accessKeySecret,
    };
    const cfg = { config: { get: (k: string) => config[k] }, log: (l: string) => void lines.push(l) };
    await P.configure(cfg);
    await V.configure(cfg);
  };
  const instance = async (id: string) => (await emu.control.instances()).find((i) => i.instanceId === id)!;
  const claimOn = async (id: string) =>
    (await instance(id)).tags.find((t) => t.TagKey === CLAIM_TAG)?.TagValue;
  const create = async (domain: string) => {
    await configure(emu);
    const checked = await P.check({}, { instanceType: "TEST", domain, ...CONTACT });
    assert.deepEqual(checked.failures, []);
    const r = await P.create(checked.inputs);
    return { id: r.id, outs: r.outs as unknown as Obj, inputs: checked.inputs };
  };
  /** The instance still pending with the resource's claim: nothing cancelled or released. */
  const untouched = async (id: string, claim: unknown) => {
    assert.equal((await instance(id)).status, "pending");
    assert.equal(await claimOn(id), claim);
  };
  /** Destroys under account A (the instance's): the application is cancelled and released. */
  const cleanUp = async (id: string, outs: Obj) => {
    await configure(emu);
    await P.delete(id, outs);
    assert.equal((await instance(id)).status, "inactive");
  };
  const logged = (re: RegExp) =>
    assert.ok(
      lines.some((l) => re.test(l)),
      `no line matches ${re}:\n${lines.join("\n")}`,
    );

  it("create records the account id; refresh, update and destroy under another account's key fail before any CAS call, naming both accounts and the fix", async () => {
    const { id, outs, inputs } = await create("acct-b.example.com");
    assert.equal(outs.schemaVersion, 2);
    assert.equal(outs.accountId, A);
    await configure(other);
    emu.control.clearRequests();
    const refused = (doing: string) => (e: Error & { code?: string }) => {
      assert.equal(e.code, "InstanceInAnotherAccount");
      assert.ok(e.message.includes(`instance ${id} is in Alibaba Cloud account ${A}`), e.message);
      assert.ok(e.message.includes(`belong to account ${B}`), e.message);
      assert.ok(e.message.includes(`not ${doing}`), e.message);
      assert.ok(e.message.includes(`Use credentials of account ${A}`), e.message);
      assert.match(e.message, /pulumi state delete <urn>/);
      return true;
    };
    await assert.rejects(P.read(id, outs), refused("read"));
    await assert.rejects(P.update(id, outs, { ...inputs, tags: { team: "b" } }), refused("updated"));
    await assert.rejects(P.delete(id, outs), refused("cancelled, revoked, released or removed"));
    assert.deepEqual(
      emu.control.requests().map((r) => r.action),
      [],
      "no CAS call under account B",
    );
    await untouched(id, outs.claim);
    await cleanUp(id, outs);
  });

  it("a CAS endpoint answering a bare HTTP 404 page: refresh and destroy fail, the resource is kept and its application is not cancelled", async () => {
    const { id, outs } = await create("page404.example.com");
    await configure(emu, page404);
    const notCas = (e: Error & { code?: string }) => {
      assert.equal(e.code, "HTTP404");
      assert.match(e.message, /GetInstanceDetail/);
      return true;
    };
    await assert.rejects(P.read(id, outs), notCas);
    await assert.rejects(P.delete(id, outs), notCas);
    await untouched(id, outs.claim);
    await cleanUp(id, outs);
  });

  it("state of version 1 (no account id): NotFound.Instance under another account keeps it with a message and destroy refuses; its own account's read records the account, then another account is refused", async () => {
    const { id, outs } = await create("acct-old.example.com");
    const { accountId: _a, ...v2 } = outs;
    const v1 = { ...v2, schemaVersion: 1 };
    await configure(other);
    lines.length = 0;
    const kept = await P.read(id, v1);
    assert.equal(kept.id, id, "not dropped");
    assert.equal((kept.props as Obj).instanceId, id);
    assert.equal((kept.props as Obj).accountId, null);
    logged(
      new RegExp(
        `instance ${id}: CAS answered NotFound.Instance to account ${B} .*written before the account was recorded.*may be in another account.*it stays in the stack`,
      ),
    );
    await assert.rejects(P.delete(id, v1), (e: Error & { code?: string }) => {
      assert.equal(e.code, "InstanceElsewhere");
      assert.match(e.message, /written before the account was recorded.*it stays in the stack/);
      return true;
    });
    await untouched(id, outs.claim);
    // Under the account it is in, the first read records the account id.
    await configure(emu);
    const read = await P.read(id, v1);
    assert.equal(read.id, id);
    assert.equal((read.props as Obj).schemaVersion, 2);
    assert.equal((read.props as Obj).accountId, A);
    logged(new RegExp(`instance ${id}: in account ${A}, recorded`));
    await configure(other);
    await assert.rejects(
      P.read(id, read.props),
      /is in Alibaba Cloud account 1968132000123456.*belong to account 1111222233334444/,
    );
    await cleanUp(id, read.props);
  });

  it("with the account recorded, CAS's NotFound.Instance in that account drops the resource (refresh) and destroy has nothing to cancel", async () => {
    const { id, outs } = await create("acct-gone.example.com");
    await cleanUp(id, outs);
    // An instance id this account does not have (as after it is gone), recorded in account A.
    const gone = { ...outs, instanceId: "cas-cn-gone0000001" };
    lines.length = 0;
    assert.equal((await P.read("cas-cn-gone0000001", gone)).id, "");
    logged(
      new RegExp(
        `instance cas-cn-gone0000001: CAS answers NotFound.Instance to account ${A}, the account it was applied in; removing it from state`,
      ),
    );
    await P.delete("cas-cn-gone0000001", gone);
    logged(/instance cas-cn-gone0000001 was already gone from CAS/);
  });

  it("a validation by instanceId: a bare HTTP 404 is not InstanceGone and never drops it; another account is refused; NotFound.Instance names the account asked", async () => {
    const { id, outs } = await create("acct-validation.example.com");
    await emu.control.issueInstance(id);
    const validation = { instanceId: id, timeoutMinutes: 1 };
    const checked = await V.check({}, validation);
    assert.deepEqual(checked.failures, []);
    const done = await V.create(checked.inputs);
    assert.equal(done.id, `${id}-validation`);

    await configure(emu, page404);
    const notGone = (e: Error & { code?: string }) => {
      assert.equal(e.code, "HTTP404");
      assert.doesNotMatch(e.message, /does not exist/);
      return true;
    };
    await assert.rejects(V.create(checked.inputs), notGone);
    await assert.rejects(V.read(done.id, done.outs), notGone);

    await configure(other);
    await assert.rejects(V.create(checked.inputs), (e: Error & { code?: string }) => {
      assert.equal(e.code, "InstanceGone");
      assert.ok(e.message.includes(`CAS answers NotFound.Instance to account ${B}`), e.message);
      assert.match(e.message, /If it is in another account, use that account's credentials/);
      return true;
    });
    // The validation recorded account A: under B it is refused before any call, never dropped.
    await assert.rejects(V.read(done.id, done.outs), (e: Error & { code?: string }) => {
      assert.equal(e.code, "InstanceInAnotherAccount");
      assert.match(e.message, new RegExp(`waited in Alibaba Cloud account ${A}.*belong to account ${B}`));
      return true;
    });
    // In its own account, CAS's NotFound.Instance drops it, naming the account asked.
    await configure(emu);
    emu.control.setFaults([
      { action: "GetInstanceDetail", kind: "error", rate: 1, code: "NotFound.Instance", status: 404 },
    ]);
    lines.length = 0;
    try {
      assert.equal((await V.read(done.id, done.outs as Obj)).id, "");
    } finally {
      emu.control.setFaults([]);
    }
    logged(
      new RegExp(
        `instance ${id}: CAS answers NotFound.Instance to account ${A} .*Its validation is removed from state`,
      ),
    );
    assert.equal(((await P.read(id, outs)).props as Obj).status, "issued");
  });
});

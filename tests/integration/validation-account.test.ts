// Which account a CertificateOrderValidation waited in, against the emulator with two accounts (the
// second added through its control API): like its order, a validation records the account id, is
// read, updated and destroyed only under that account's credentials, and state written before the
// account was recorded (including a recorded release's) is never dropped on a NotFoundOrder alone.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { createProviders } from "../../provider/hosted";

/** This file's own providers: a context of their own, apart from every other file's. */
const { order: O, validation: V, instance: P } = createProviders();

const A = "1968132000123456";
const B = "1111222233334444";
type Obj = Record<string, unknown>;
type Key = { accessKeyId: string; accessKeySecret: string; securityToken?: string };
const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/** Compiled to dist/tests/integration; the fixtures live in the source tree. */
const RELEASE = join(
  __dirname,
  "..",
  "..",
  "..",
  "tests",
  "fixtures",
  "releases",
  "233a34f62f868177b3e743321ec4ae2ce8bc2014",
);

/** Both providers configured with `key` against `emu` (its STS answers whose key it is). */
async function configure(emu: RunningEmulator, key: Key, lines: string[]) {
  const config: Record<string, string> = {
    "alicloud:endpoints": JSON.stringify([{ cas: emu.endpoint, sts: emu.endpoint }]),
    "alicloud:accessKey": key.accessKeyId,
    "alicloud:secretKey": key.accessKeySecret,
    ...(key.securityToken ? { "alicloud:securityToken": key.securityToken } : {}),
  };
  const cfg = { config: { get: (k: string) => config[k] }, log: (l: string) => void lines.push(l) };
  await O.configure(cfg);
  await V.configure(cfg);
}

const logged = (lines: string[], re: RegExp) =>
  assert.ok(
    lines.some((l) => re.test(l)),
    `no line matches ${re}:\n${lines.join("\n")}`,
  );

const bothAccounts = (kind: string, id: string) =>
  new RegExp(
    `the CertificateOrderValidation of ${kind} ${id} waited in Alibaba Cloud account ${A}, but the credentials in use \\(stack config alicloud:accessKey / alicloud:secretKey[^)]*\\) belong to account ${B}.*Use credentials of account ${A}`,
  );

describe("CertificateOrderValidation records the account id and acts only in that account (emulator, two accounts)", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let other: Key & { accountId: string };
  let otherSts: Key & { accountId: string };
  const lines: string[] = [];

  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" }, accountId: A });
    other = emu.control.addAccessKey({ accountId: B });
    const sts = emu.control.addAccessKey({ accountId: B, securityTokens: ["token-of-b"] });
    otherSts = { ...sts, securityToken: "token-of-b" };
  });
  after(async () => emu?.close());

  /** An order placed and issued under account A, and its validation created there. */
  async function issuedValidation(domain: string) {
    await configure(emu, emu, lines);
    const checked = await O.check({}, { domain, ...contact });
    assert.deepEqual(checked.failures, []);
    const order = await O.create(checked.inputs);
    await emu.control.issue(order.id);
    const inputs = { orderId: order.id, timeoutMinutes: 1, pollIntervalSeconds: 1 };
    const v = await V.check({}, inputs);
    assert.deepEqual(v.failures, []);
    const done = await V.create(v.inputs);
    return { orderId: order.id, id: done.id, outs: done.outs as Obj, inputs: v.inputs };
  }

  it("create records the account id; read, update and destroy under another account's key or STS token fail before any CAS call, naming both accounts", async () => {
    const { orderId, id, outs, inputs } = await issuedValidation("vacct-key.example.com");
    assert.equal(outs.schemaVersion, 5);
    assert.equal(outs.accountId, A);
    assert.equal(outs.status, "issued");

    for (const key of [other, otherSts]) {
      await configure(emu, key, lines);
      emu.control.clearRequests();
      const both = bothAccounts("order", orderId);
      const refused = (doing: string) => (e: Error & { code?: string }) => {
        assert.equal(e.code, "OrderInAnotherAccount");
        assert.match(e.message, both);
        assert.match(e.message, new RegExp(`so it was not ${doing}`));
        return true;
      };
      await assert.rejects(V.read(id, outs), refused("read"));
      await assert.rejects(V.update(id, outs, { ...inputs, timeoutMinutes: 2 }), refused("updated"));
      await assert.rejects(V.delete(id, outs), refused("removed from the stack"));
      assert.deepEqual(emu.control.requests(), [], "no CAS request under the other account");
    }

    // Under its own account all three work, and the account stays recorded.
    await configure(emu, emu, lines);
    const read = await V.read(id, outs);
    assert.equal(read.id, id);
    assert.equal((read.props as Obj).accountId, A);
    assert.equal(((await V.update(id, outs, { ...inputs, timeoutMinutes: 2 })).outs as Obj).accountId, A);
    await V.delete(id, outs);
  });

  it("state of the release before (v4, no account id) is kept on NotFoundOrder under another account; its first successful read records the account, then another account is refused", async () => {
    const { orderId, id, outs } = await issuedValidation("vacct-old.example.com");
    const { accountId: _a, ...rest } = outs;
    const v4 = { ...rest, schemaVersion: 4 };

    await configure(emu, other, lines);
    lines.length = 0;
    const kept = await V.read(id, v4);
    assert.equal(kept.id, id, "not dropped on NotFoundOrder alone");
    assert.equal((kept.props as Obj).accountId, null);
    assert.equal((kept.props as Obj).certificatePem, outs.certificatePem);
    logged(
      lines,
      new RegExp(
        `order ${orderId}: CAS answered NotFoundOrder to account ${B} .*written before the account was recorded.*the validation stays in the stack`,
      ),
    );
    // Nothing recorded, so nothing to refuse: destroy (which does nothing in CAS) succeeds.
    await V.delete(id, v4);

    await configure(emu, emu, lines);
    lines.length = 0;
    const filled = await V.read(id, v4);
    assert.equal(filled.id, id);
    assert.equal((filled.props as Obj).schemaVersion, 5);
    assert.equal((filled.props as Obj).accountId, A);
    logged(
      lines,
      new RegExp(`order ${orderId}: its CertificateOrderValidation waited in account ${A}, recorded`),
    );

    await configure(emu, other, lines);
    await assert.rejects(V.read(id, filled.props), bothAccounts("order", orderId));
  });

  it("with the account recorded, NotFoundOrder in that account drops the validation (the order is gone)", async () => {
    const { orderId, id, outs } = await issuedValidation("vacct-gone.example.com");
    await configure(emu, emu, lines);
    emu.control.setFaults([
      { action: "DescribeCertificateState", kind: "error", rate: 1, code: "NotFoundOrder", status: 404 },
    ]);
    lines.length = 0;
    try {
      assert.equal((await V.read(id, outs)).id, "");
    } finally {
      emu.control.setFaults([]);
    }
    logged(
      lines,
      new RegExp(
        `order ${orderId}: CAS answers NotFoundOrder to account ${A}, the account its validation waited in, so its validation is removed from state`,
      ),
    );
  });

  it("a validation by instanceId records the account too; another account is refused with InstanceInAnotherAccount", async () => {
    await configure(emu, emu, lines);
    const [free] = (await emu.control.instances()).filter((i) => i.status === "inactive");
    assert.ok(free, "a TEST instance in account A's pool");
    await P.configure({
      config: {
        get: (k: string) =>
          ({
            "alicloud:endpoints": JSON.stringify([{ cas: emu.endpoint, sts: emu.endpoint }]),
            "alicloud:accessKey": emu.accessKeyId,
            "alicloud:secretKey": emu.accessKeySecret,
          })[k],
      },
      log: (l: string) => void lines.push(l),
    });
    const checked = await P.check({}, { instanceType: "TEST", domain: "vacct-inst.example.com", ...contact });
    assert.deepEqual(checked.failures, []);
    const inst = await P.create(checked.inputs);
    await emu.control.issueInstance(inst.id);
    const v = await V.check({}, { instanceId: inst.id, timeoutMinutes: 1 });
    const done = await V.create(v.inputs);
    assert.equal((done.outs as Obj).accountId, A);

    await configure(emu, other, lines);
    emu.control.clearRequests();
    await assert.rejects(V.read(done.id, done.outs), (e: Error & { code?: string }) => {
      assert.equal(e.code, "InstanceInAnotherAccount");
      assert.match(e.message, bothAccounts("instance", inst.id));
      return true;
    });
    assert.deepEqual(emu.control.requests(), []);

    // State written before the account was recorded: NotFound.Instance under B keeps it.
    const { accountId: _a, ...rest } = done.outs as Obj;
    lines.length = 0;
    const kept = await V.read(done.id, { ...rest, schemaVersion: 4 });
    assert.equal(kept.id, done.id);
    logged(
      lines,
      new RegExp(
        `instance ${inst.id}: CAS answered NotFound.Instance to account ${B} .*the validation stays in the stack`,
      ),
    );
  });
});

describe("a validation written by a recorded release (233a34f, 0.1.0) under the emulator state it was recorded with", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let dataDir: string;
  let other: Key;
  const lines: string[] = [];

  before(async () => {
    // HEAD's emulator loads a copy of the release's emulator state; its key is account A's.
    dataDir = mkdtempSync(join(tmpdir(), "cas-validation-account-"));
    copyFileSync(join(RELEASE, "emulator-state.json"), join(dataDir, "state.json"));
    emu = await startEmulator({ dataDir, lifecycle: { validation: "manual" }, accountId: A });
    other = emu.control.addAccessKey({ accountId: B });
  });
  after(async () => {
    await emu?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The recorded validation's outputs as the engine passes them (secrets decrypted: here left out). */
  function recorded(): { id: string; outs: Obj } {
    const deployment = JSON.parse(readFileSync(join(RELEASE, "deployment.json"), "utf8")) as {
      deployment: { resources: Array<{ type: string; id?: string; outputs?: Obj }> };
    };
    const r = deployment.deployment.resources.find(
      (x) => x.type.endsWith(":CertificateOrderValidation") && x.id === "12000003-validation",
    )!;
    const outs = Object.fromEntries(
      Object.entries(r.outputs ?? {}).map(([k, v]) =>
        // The engine decrypts secrets before the provider sees them; without the stack's passphrase
        // here, the one secret (the private key) is given as null.
        [k, v !== null && typeof v === "object" && "ciphertext" in v ? null : v],
      ),
    );
    return { id: r.id!, outs };
  }

  it("another account's refresh keeps it; its own account's fills the account id; then the other account is refused naming both", async () => {
    const { id, outs } = recorded();
    assert.equal(outs.schemaVersion, undefined, "written unversioned by the release");
    await configure(emu, other, lines);
    lines.length = 0;
    const kept = await V.read(id, outs);
    assert.equal(kept.id, id, "not dropped");
    assert.equal((kept.props as Obj).accountId, null);
    logged(
      lines,
      /order 12000003: CAS answered NotFoundOrder to account 1111222233334444 .*the validation stays in the stack/,
    );

    await configure(emu, emu, lines);
    const filled = await V.read(id, outs);
    assert.equal(filled.id, id);
    assert.equal((filled.props as Obj).accountId, A);
    assert.equal((filled.props as Obj).status, "issued");
    assert.equal((filled.props as Obj).certificateId, "7000001");

    await configure(emu, other, lines);
    await assert.rejects(V.read(id, filled.props), bothAccounts("order", "12000003"));
    await assert.rejects(V.delete(id, filled.props), bothAccounts("order", "12000003"));
  });
});

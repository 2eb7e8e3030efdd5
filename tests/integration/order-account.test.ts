import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderStub } from "../../sdk/stubs";
import { startProviderHost, type ProviderHost } from "../support/provider-host";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };
const fingerprint = (accessKeyId: string) =>
  createHash("sha256").update(accessKeyId).digest("hex").slice(0, 16);

describe("CertificateOrder records the account id and acts only in that account (provider host, emulator)", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let home: ProviderHost;
  const hosts: ProviderHost[] = [];
  /** Account B: a key of its own, and a key holding an STS token. */
  let other: { accountId: string; accessKeyId: string; accessKeySecret: string };
  let otherSts: { accountId: string; accessKeyId: string; accessKeySecret: string };

  const hostWith = async (config: Record<string, string>) => {
    const h = await startProviderHost(certificateOrderStub, config, {
      ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
    });
    hosts.push(h);
    return h;
  };
  const keyConfig = (k: { accessKeyId: string; accessKeySecret: string }) => ({
    "alicloud:accessKey": k.accessKeyId,
    "alicloud:secretKey": k.accessKeySecret,
  });
  const stateOf = async (id: string) => (await emu.control.orders()).find((o) => o.orderId === id)?.state;

  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" }, accountId: "1968132000123456" });
    other = emu.control.addAccessKey({ accountId: "1111222233334444" });
    otherSts = emu.control.addAccessKey({ accountId: "1111222233334444", securityTokens: ["token-of-b"] });
    home = await hostWith(keyConfig(emu));
  });
  after(async () => {
    for (const h of hosts) h.stop();
    await emu?.close();
  });

  async function order(domain: string) {
    const checked = await home.check({ domain, ...contact });
    assert.deepEqual(checked.failures, []);
    return { checked: checked.inputs, ...(await home.create(checked.inputs)) };
  }

  /** The order's state as the release before account ids wrote it (version 3: an AccessKey fingerprint). */
  const v3 = (outs: Record<string, unknown>, accessKey: string | null) => ({
    ...outs,
    schemaVersion: 3,
    account: { endpoint: new URL(emu.endpoint).origin, accessKey },
  });

  it("create records the account id STS answers for the credentials", async () => {
    const { outs } = await order("acct-create.example.com");
    assert.equal(outs.schemaVersion, 4);
    assert.deepEqual(outs.account, { accountId: "1968132000123456", endpoint: new URL(emu.endpoint).origin });
    assert.ok(
      emu.control
        .stsRequests()
        .some((r) => r.action === "GetCallerIdentity" && r.accountId === "1968132000123456"),
    );
  });

  it("refresh and destroy under another account's key fail naming both accounts, and touch nothing", async () => {
    const { id, outs } = await order("acct-key.example.com");
    const b = await hostWith(keyConfig(other));
    const news = (await b.check({ domain: "acct-key.example.com", ...contact, renewBeforeDays: 10 })).inputs;
    emu.control.clearRequests();
    const both =
      /was placed in Alibaba Cloud account 1968132000123456, but the credentials in use \(stack config alicloud:accessKey \/ alicloud:secretKey\) belong to account 1111222233334444/;
    await assert.rejects(b.read(id, outs), both);
    await assert.rejects(b.delete(id, outs), both);
    await assert.rejects(b.update(id, outs, news), both);
    assert.deepEqual(emu.control.requests(), [], "no CAS request under the other account");
    assert.equal(await stateOf(id), "domain_verify");
  });

  it("and so under another account's STS token", async () => {
    const { id, outs } = await order("acct-sts.example.com");
    const b = await hostWith({ ...keyConfig(otherSts), "alicloud:securityToken": "token-of-b" });
    emu.control.clearRequests();
    const both =
      /was placed in Alibaba Cloud account 1968132000123456, but the credentials in use .* belong to account 1111222233334444.*Use credentials of account 1968132000123456/;
    await assert.rejects(b.read(id, outs), both);
    await assert.rejects(b.delete(id, outs), both);
    assert.deepEqual(emu.control.requests(), []);
    assert.deepEqual(
      emu.control.stsRequests().map((r) => [r.accessKeyId, r.temporary, r.accountId]),
      [[otherSts.accessKeyId, true, "1111222233334444"]],
      "asked once for these credentials",
    );
    assert.equal(await stateOf(id), "domain_verify");
  });

  it("state of the release before (v3, no account id) gets the account id on its first successful read; then another account is refused", async () => {
    const { id, outs } = await order("acct-old.example.com");
    // Recorded under a key that no longer exists (rotated), in this account.
    const read = await home.read(id, v3(outs, fingerprint("LTAIrotatedaway")));
    assert.equal(read.id, id);
    assert.equal(read.props.schemaVersion, 4);
    assert.deepEqual(read.props.account, {
      endpoint: new URL(emu.endpoint).origin,
      accountId: "1968132000123456",
    });
    await home.waitForStderr(new RegExp(`order ${id}: placed in account 1968132000123456, recorded`));
    const b = await hostWith(keyConfig(other));
    await assert.rejects(
      b.read(id, read.props),
      /placed in Alibaba Cloud account 1968132000123456.*belong to account 1111222233334444/,
    );
    // State of 0.1.0 (no account at all) too.
    const { account: _a, ownership: _o, ...v2 } = outs;
    const fromV2 = await home.read(id, { ...v2, schemaVersion: 2 });
    assert.deepEqual(fromV2.props.account, {
      endpoint: new URL(emu.endpoint).origin,
      accountId: "1968132000123456",
    });
  });

  it("older state that reads NotFoundOrder under a key other than the one that placed it is kept, with a message; under that key it is gone", async () => {
    const { id, outs } = await order("acct-notfound.example.com");
    const old = v3(outs, fingerprint(emu.accessKeyId));
    // Another account's key: CAS answers NotFoundOrder, which proves nothing for state without an account id.
    const b = await hostWith(keyConfig(other));
    const kept = await b.read(id, old);
    assert.equal(kept.id, id, "not dropped");
    assert.equal(kept.props.orderId, id);
    assert.deepEqual(kept.props.account, {
      endpoint: new URL(emu.endpoint).origin,
      accountId: null,
      accessKey: fingerprint(emu.accessKeyId),
    });
    await b.waitForStderr(
      new RegExp(
        `order ${id}: CAS answered NotFoundOrder to account 1111222233334444 .*written before the account was recorded.*it stays in the stack`,
      ),
    );
    await assert.rejects(b.delete(id, old), /written before the account was recorded.*it stays in the stack/);
    // An STS token has no fingerprint: never proof either.
    const bSts = await hostWith({ ...keyConfig(otherSts), "alicloud:securityToken": "token-of-b" });
    assert.equal((await bSts.read(id, v3(outs, null))).id, id);
    assert.equal(await stateOf(id), "domain_verify", "untouched");

    // Under the key that placed it, NotFoundOrder proves it is gone: refresh drops it.
    await home.delete(id, outs);
    assert.equal((await home.read(id, old)).id, "");
  });
});

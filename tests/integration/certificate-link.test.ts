import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderStub, certificateOrderValidationStub } from "../../sdk/stubs";
import { CasClient } from "../../provider/cas/client";
import { officialClient } from "../support/official-sdk";
import { FAKE_CLOCK, startProviderHost, type ProviderHost } from "../support/provider-host";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/**
 * certificateId / certIdentifier / fingerprintSha1 on both resources, looked up once and kept in
 * state: by the `CertId` DescribeCertificateState answers (one GetUserCertificateDetail, no list),
 * or, from an emulator answering as CAS did before 2025-07 (`omitCertId`), found by serial in the
 * CERT list and confirmed by OrderId.
 */
for (const omitCertId of [false, true])
  describe(`the CAS certificate of an order, inside the provider host (${omitCertId ? "no CertId: list and match" : "CertId answered"})`, function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let orders: ProviderHost;
    let validations: ProviderHost;
    /** The calls of the first look-up of an issued order's certificate. */
    const lookUp = omitCertId
      ? ["DescribeCertificateState", "ListUserCertificateOrder", "GetUserCertificateDetail"]
      : ["DescribeCertificateState", "GetUserCertificateDetail"];

    before(async () => {
      emu = await startEmulator({ lifecycle: { validation: "manual" }, omitCertId });
      const config = { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret };
      const env = { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint };
      orders = await startProviderHost(certificateOrderStub, config, env);
      // CAS moves on only by control calls here, so the waiter's polls need not take real time.
      validations = await startProviderHost(certificateOrderValidationStub, config, {
        ...env,
        ...FAKE_CLOCK,
      });
    });
    after(async () => {
      orders?.stop();
      validations?.stop();
      await emu?.close();
    });

    async function issuedOrder(domain: string) {
      const checked = await orders.check({ domain, ...contact, quotaCheck: "off" });
      const { id, outs } = await orders.create(checked.inputs);
      const o = await emu.control.issue(id);
      return { id, outs, certId: String(o.certId) };
    }

    /** What the API itself says about a certificate (the official client: nothing of ours in between). */
    async function apiDetail(certId: string) {
      const official = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
      return official.call("GetUserCertificateDetail", { CertId: certId, CertFilter: true });
    }

    it("finds the certificate of each order among several for the same name", async () => {
      // Three certificates for one name (a renewal, another stack): only serial + OrderId tell them apart.
      const a = await issuedOrder("shared.example.com");
      const b = await issuedOrder("shared.example.com");
      const c = await issuedOrder("shared.example.com");
      for (const o of [a, b, c]) {
        const { props } = await orders.read(o.id, o.outs);
        assert.equal(props.status, "issued");
        assert.equal(props.certificateId, o.certId);
        const detail = await apiDetail(o.certId);
        assert.equal(props.certIdentifier, detail.CertIdentifier);
        assert.equal(props.certIdentifier, `${o.certId}-cn-hangzhou`);
        const leaf = new X509Certificate(String(props.certificatePem));
        assert.equal(props.fingerprintSha1, leaf.fingerprint);
        assert.equal(props.fingerprintSha256, leaf.fingerprint256);
      }
    });

    it("certIdentifier is what CAS returns, whatever its region part (never built from a region)", async () => {
      // UNCONFIRMED what the international site returns: the emulator's certIdentifierRegion guess.
      emu.control.setLifecycle({ certIdentifierRegion: "ap-southeast-1" });
      try {
        const o = await issuedOrder("intl.example.com");
        const { props } = await orders.read(o.id, o.outs);
        assert.equal(props.certIdentifier, `${o.certId}-ap-southeast-1`);
      } finally {
        emu.control.setLifecycle({ certIdentifierRegion: "cn-hangzhou" });
      }
    });

    it("refreshing an issued order after the first look-up costs one DescribeCertificateState", async () => {
      const o = await issuedOrder("once.example.com");
      emu.control.clearRequests();
      const first = await orders.read(o.id, o.outs);
      assert.deepEqual(
        emu.control.requests().map((r) => r.action),
        lookUp,
      );
      emu.control.clearRequests();
      const second = await orders.read(o.id, first.props);
      assert.deepEqual(
        emu.control.requests().map((r) => r.action),
        ["DescribeCertificateState"],
      );
      assert.equal(second.props.certificateId, o.certId);
      assert.equal(second.props.certIdentifier, first.props.certIdentifier);
    });

    it("an order not yet issued has null ids and makes no look-up", async () => {
      const checked = await orders.check({ domain: "pending.example.com", ...contact, quotaCheck: "off" });
      emu.control.clearRequests();
      const { outs } = await orders.create(checked.inputs);
      assert.deepEqual([outs.certificateId, outs.certIdentifier, outs.fingerprintSha1], [null, null, null]);
      assert.ok(!emu.control.requests().some((r) => r.action === "ListUserCertificateOrder"));
    });

    it("the validation resource outputs the ids when it sees the order issued, and keeps them", async () => {
      await issuedOrder("wait.example.com"); // another certificate for the same name
      const checked = await orders.check({ domain: "wait.example.com", ...contact, quotaCheck: "off" });
      const { id } = await orders.create(checked.inputs);
      await emu.control.approve(id);
      emu.control.clearRequests();
      // On the fake clock every poll is a virtual second: a day of them outlasts the issue below.
      const waiting = validations.create({
        orderId: id,
        timeoutMinutes: 24 * 60,
        pollIntervalSeconds: 1,
        maxPollIntervalSeconds: 1,
      });
      await validations.waitForStderr(new RegExp(`order ${id}: validated`));
      const certId = String((await emu.control.issue(id)).certId);
      const { outs } = await waiting;
      // The validation provider hands the look-up only the serial: the CertId still comes through.
      const calls = emu.control.requests().map((r) => r.action);
      assert.deepEqual(
        calls.filter((a) => a !== "DescribeCertificateState"),
        lookUp.slice(1),
      );
      assert.equal(outs.certificateId, certId);
      assert.equal(outs.certIdentifier, `${certId}-cn-hangzhou`);
      assert.equal(outs.certIdentifier, (await apiDetail(certId)).CertIdentifier);
      assert.equal(outs.fingerprintSha1, new X509Certificate(String(outs.certificatePem)).fingerprint);
      emu.control.clearRequests();
      const again = await validations.read(`${id}-validation`, outs);
      assert.deepEqual(
        emu.control.requests().map((r) => r.action),
        ["DescribeCertificateState"],
      );
      assert.equal(again.props.certificateId, certId);
    });

    it("a validation stored before its certificate was found looks again on the next up", async () => {
      const o = await issuedOrder("late.example.com");
      const { outs } = await validations.create({ orderId: o.id, timeoutMinutes: 1 });
      const unlinked = { ...outs, certificateId: null, certIdentifier: null };
      const inputs = { orderId: o.id, timeoutMinutes: 1 };
      const diff = await validations.diff(`${o.id}-validation`, unlinked, inputs);
      assert.deepEqual([diff.changes, diff.replaces], [2, []]); // 2 = DIFF_SOME: update looks again
      const updated = await validations.update(`${o.id}-validation`, unlinked, inputs);
      assert.equal(updated.certificateId, o.certId);
      const linked = await validations.diff(`${o.id}-validation`, updated, inputs);
      assert.equal(linked.changes, 1); // 1 = DIFF_NONE
    });

    it(`DescribeCertificateState of an issued order ${omitCertId ? "has no CertId" : "answers CertId, the certificate GetUserCertificateDetail gives for the order"}`, async () => {
      const o = await issuedOrder("certid.example.com");
      const cas = new CasClient({
        endpoint: emu.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        env: {},
        rateLimits: false,
      });
      const state = await cas.call("DescribeCertificateState", { OrderId: o.id });
      assert.equal(state.Type, "certificate");
      assert.equal(state.CertId, omitCertId ? undefined : o.certId);
      assert.equal(String((await apiDetail(o.certId)).OrderId), o.id);
    });
  });

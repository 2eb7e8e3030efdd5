import assert from "node:assert/strict";
import { webcrypto, X509Certificate } from "node:crypto";
import { CasClient } from "../../provider/cas/client";
import { SCHEMA_VERSION } from "../../provider/order/outputs";
import { json, scriptedServer } from "../support/scripted-server";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { certificateOrderStub } from "../../sdk/stubs";
import { makeCsr } from "../support/keys";
import { FAKE_CLOCK, startProviderHost, type ProviderHost } from "../support/provider-host";
import { stsFor } from "../support/sts";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

describe("CertificateOrder inside Pulumi's dynamic-provider host, against the emulator", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let host: ProviderHost;
  const plan = (code = "digicert-free-1-free") => emu.control.plan(code);

  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    host = await startProviderHost(
      certificateOrderStub,
      { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret },
      { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
    );
  });
  after(async () => {
    host?.stop();
    await emu?.close();
  });

  /** check then create, as the engine does. */
  async function order(inputs: Record<string, unknown>) {
    const checked = await host.check(inputs);
    assert.deepEqual(checked.failures, []);
    return { checked: checked.inputs, ...(await host.create(checked.inputs)) };
  }

  it("creates by domain and by CSR, with complete JSON outputs", async () => {
    const byDomain = await order({ domain: "a.example.com", ...contact });
    assert.match(byDomain.id, /^\d+$/);
    assert.equal(byDomain.outs.action, "CreateCertificateRequest");
    assert.equal(byDomain.outs.status, "pending_validation");
    assert.equal(byDomain.outs.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(Object.keys(byDomain.outs.validationRecords as object), ["a.example.com"]);
    const { pem } = await makeCsr("b.example.com", ["b.example.com"]);
    const byCsr = await order({ csr: pem, ...contact });
    assert.equal(byCsr.outs.action, "CreateCertificateWithCsrRequest");
    // Adding `domain` equal to the CN binds the same name: no change, not a replacement.
    const withCn = (await host.check({ csr: pem, domain: "b.example.com", ...contact })).inputs;
    const same = await host.diff(byCsr.id, byCsr.outs, withCn);
    assert.deepEqual([same.changes, same.replaces], [1, []]); // 1 = DIFF_NONE
    const multi = await order({ domains: ["d.example.com", "c.example.com"] });
    assert.equal(multi.outs.action, "CreateCertificateForPackageRequest");
    assert.deepEqual(multi.outs.domains, ["d.example.com", "c.example.com"]);
    const placed = (await emu.control.orders()).find((o) => o.orderId === multi.id)!;
    assert.deepEqual(
      [...placed.domains].sort(),
      ["c.example.com", "d.example.com"],
      "bound by Domain, both names",
    );
    // Keys come back sorted: the host passes outputs as a protobuf Struct.
    assert.deepEqual(Object.keys(multi.outs.validationRecords as object).sort(), [
      "c.example.com",
      "d.example.com",
    ]);
  });

  it("refuses a CSR with names beyond its CN at check, before any API request", async () => {
    emu.control.clearRequests();
    const checked = await host.check({
      csr: (await makeCsr("c.example.com", ["c.example.com", "d.example.com"])).pem,
      ...contact,
    });
    assert.deepEqual(
      checked.failures.map((f) => f.property),
      ["csr"],
    );
    assert.match(String(checked.failures[0]!.reason), /CAS binds only the CSR's CN/);
    assert.deepEqual(emu.control.requests(), []);
  });

  it("reads an order through every state; a deleted order leaves state", async () => {
    const { id, outs } = await order({ domain: "states.example.com", ...contact });
    const statuses: string[] = [];
    const read = async () => {
      const r = await host.read(id, outs);
      statuses.push(String(r.props.status ?? "gone"));
      return r;
    };
    await read();
    await emu.control.approve(id);
    await read();
    await emu.control.issue(id);
    const issued = await read();
    assert.match(String(issued.props.certificatePem), /BEGIN CERTIFICATE/);
    await host.waitForStderr(
      new RegExp(
        `order ${id} refreshed: status pending_validation → issued, serial none → [0-9a-f]+, expiry none → \\d{4}-`,
      ),
    );
    assert.match(String(issued.props.privateKeyPem), /BEGIN RSA PRIVATE KEY/);
    const { id: failing, outs: failOuts } = await order({ domain: "fails.example.com", ...contact });
    await emu.control.fail(failing);
    statuses.push(String((await host.read(failing, failOuts)).props.status));
    await host.delete(failing, failOuts);
    const gone = await host.read(failing, failOuts);
    assert.equal(gone.id, "");
    assert.deepEqual(statuses, ["pending_validation", "under_review", "issued", "failed"]);
  });

  it("an order placed through another endpoint is not dropped or called gone when CAS there says NotFoundOrder", async () => {
    const { id, outs } = await order({ domain: "elsewhere.example.com", ...contact });
    assert.deepEqual(outs.account, { accountId: emu.accountId, endpoint: new URL(emu.endpoint).origin });
    // Another region of the same account (here: another emulator with the same account and key) answers NotFoundOrder for it.
    const other = await startEmulator({
      lifecycle: { validation: "manual" },
      accountId: emu.accountId,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
    });
    const moved = await startProviderHost(
      certificateOrderStub,
      { "alicloud:accessKey": other.accessKeyId, "alicloud:secretKey": other.accessKeySecret },
      { ALIBABA_CLOUD_ENDPOINT_CAS: other.endpoint },
    );
    try {
      const elsewhere = new RegExp(
        `order ${id} was placed through ${new URL(emu.endpoint).origin}, but this provider talks to ${new URL(other.endpoint).origin}.*pulumi state delete`,
      );
      await assert.rejects(moved.read(id, outs), elsewhere);
      await assert.rejects(moved.delete(id, outs), elsewhere);
      assert.equal((await emu.control.orders()).find((o) => o.orderId === id)?.state, "domain_verify");
    } finally {
      moved.stop();
      await other.close();
    }
    // Where it was placed, an order removed out of band still leaves state.
    await host.delete(id, outs);
    assert.equal((await host.read(id, outs)).id, "");
  });

  it("the emulator's expire control signs the certificate again, so a read reports expired and the diff replaces", async () => {
    const { id, outs } = await order({ domain: "expire.example.com", ...contact });
    await emu.control.issue(id);
    const issued = await host.read(id, outs);
    assert.equal(issued.props.status, "issued");
    const res = await fetch(`${emu.endpoint}/_emulator/orders/${id}/expire`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(res.status, 200, await res.clone().text());
    const read = await host.read(id, issued.props);
    const pemEnd = Date.parse(new X509Certificate(String(read.props.certificatePem)).validTo);
    const issuedEnd = Date.parse(new X509Certificate(String(issued.props.certificatePem)).validTo);
    assert.ok(pemEnd < issuedEnd && pemEnd <= Date.now(), `PEM notAfter ${new Date(pemEnd).toISOString()}`);
    assert.equal(read.props.status, "expired");
    assert.equal(Date.parse(String(read.props.notAfter)), pemEnd);
    const news = (await host.check({ domain: "expire.example.com", ...contact })).inputs;
    const diff = await host.diff(id, read.props, news);
    assert.deepEqual([diff.changes, diff.replaces], [2, ["notAfter"]]); // 2 = DIFF_SOME
  });

  it("upgrades state written by schema version 1 on read", async () => {
    const { id, outs } = await order({ domain: "old.example.com", ...contact });
    const v1 = { ...outs, recordDomain: "_dnsauth", recordType: "TXT", recordValue: "x" } as Record<
      string,
      unknown
    >;
    delete v1.schemaVersion;
    delete v1.domains;
    delete v1.action;
    const r = await host.read(id, v1);
    assert.equal(r.props.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(r.props.domains, ["old.example.com"]);
    assert.equal(r.props.recordDomain, undefined);
  });

  /** An order placed outside this deployment (another stack, the console), as CAS returns it. */
  async function outsideOrder(domain: string, productCode = "digicert-free-1-free"): Promise<string> {
    const api = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    const { OrderId } = await api.call("CreateCertificateRequest", {
      Domain: domain,
      ProductCode: productCode,
      ValidateType: "DNS",
      Username: "Other",
      Phone: "13800002222",
      Email: "other@example.com",
    });
    return OrderId;
  }

  it("two resources adopting the same order at once: exactly one gets it; a failed adoption reserves nothing", async () => {
    const id = await outsideOrder("race.example.com");
    const wrong = await host.check({ domain: "other.example.com", ...contact, adoptOrderId: id });
    await assert.rejects(
      host.create(wrong.inputs),
      new RegExp(`adoptOrderId ${id}: CAS lists no such order`),
    );
    const { inputs } = await host.check({ domain: "race.example.com", ...contact, adoptOrderId: id });
    const results = await Promise.allSettled([host.create(inputs), host.create(inputs)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    const refused = results.find((r) => r.status === "rejected")!;
    assert.match(
      String(refused.reason?.message),
      new RegExp(`adoptOrderId ${id}: another resource of this deployment already holds this order`),
    );
  });

  it("adopts an existing order only when its names and product match and no other resource holds it", async () => {
    const id = await outsideOrder("adopt.example.com");
    const before = plan().used;
    const adopted = await order({ domain: "adopt.example.com", ...contact, adoptOrderId: id });
    assert.equal(adopted.id, id);
    assert.equal(adopted.outs.ownership, "adopted");
    assert.equal(plan().used, before);
    const victim = await outsideOrder("victim.example.com");
    await assert.rejects(
      order({ domain: "www.example.com", ...contact, adoptOrderId: victim }),
      new RegExp(`adoptOrderId ${victim}: CAS lists no such order for www.example.com`),
    );
    await assert.rejects(
      order({ domains: ["victim.example.com", "x.example.com"], adoptOrderId: victim }),
      new RegExp(
        `adoptOrderId ${victim}: the order is for victim.example.com but the inputs name victim.example.com, x.example.com`,
      ),
    );
    const other = await outsideOrder("prod.example.com", "geotrust-dv-1-starter");
    await assert.rejects(
      order({ domain: "prod.example.com", ...contact, adoptOrderId: other }),
      new RegExp(
        `adoptOrderId ${other}: the order is for product geotrust-dv-1-starter but productCode is digicert-free-1-free; set productCode: "geotrust-dv-1-starter"`,
      ),
    );
    await assert.rejects(
      order({ domain: "adopt.example.com", ...contact, adoptOrderId: "999999999" }),
      /adoptOrderId 999999999: CAS lists no such order/,
    );
    // Held by another resource of this deployment (the one adopted above).
    await assert.rejects(
      order({ domain: "adopt.example.com", ...contact, adoptOrderId: id }),
      new RegExp(`adoptOrderId ${id}: another resource of this deployment already holds this order`),
    );
    assert.equal(plan().used, before + 1, "only the outside orders were placed");
    // A change that needs a new order while adoptOrderId still names this one: the replacement
    // would try to adopt it again, so the diff says to remove adoptOrderId.
    const renamed = await host.check({ domain: "adopt2.example.com", ...contact, adoptOrderId: id });
    await assert.rejects(
      host.diff(id, adopted.outs, renamed.inputs),
      new RegExp(
        `order ${id}: domain: "adopt.example.com" → "adopt2.example.com".*adoptOrderId pins this resource to order ${id}.*remove adoptOrderId`,
      ),
    );
    const unpinned = await host.check({ domain: "adopt2.example.com", ...contact });
    assert.deepEqual((await host.diff(id, adopted.outs, unpinned.inputs)).replaces, ["domain"]);
  });

  it("a lost create answer never adopts by default: it stops with the candidate list and the adoptOrderId fix", async () => {
    emu.control.setFaults([{ action: "CreateCertificateRequest", kind: "ambiguous", rate: 1, limit: 1 }]);
    const before = plan().used;
    const checked = await host.check({ domain: "ambiguous.example.com", ...contact });
    const err = await host.create(checked.inputs).then(
      () => assert.fail("adopted an order it cannot prove is its own"),
      (e: Error) => e,
    );
    const mine = (await emu.control.orders()).filter((o) => o.domains[0] === "ambiguous.example.com");
    assert.equal(mine.length, 1);
    const id = mine[0]!.orderId;
    assert.match(
      err.message,
      new RegExp(
        `CAS lists orders for the same names and product that are not reported by any resource of this deployment so far: OrderId ${id} \\(bought \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(server time\\), ambiguous.example.com, CHECKING\\)`,
      ),
    );
    assert.match(err.message, new RegExp(`adoptOrderId: "${id}"`));
    assert.equal(plan().used, before + 1, "no second order");
    // The fix the error names.
    const adopted = await order({ domain: "ambiguous.example.com", ...contact, adoptOrderId: id });
    assert.equal(adopted.id, id);
    assert.equal(adopted.outs.ownership, "adopted");
  });

  it("with alicloud-cas:adoptAfterLostAnswer=unique, takes a single candidate as reconciled and destroy leaves it alone", async () => {
    const single = await startProviderHost(
      certificateOrderStub,
      {
        "alicloud:accessKey": emu.accessKeyId,
        "alicloud:secretKey": emu.accessKeySecret,
        "alicloud-cas:adoptAfterLostAnswer": "unique",
      },
      { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
    );
    let later: Awaited<ReturnType<typeof startProviderHost>> | undefined;
    try {
      emu.control.setFaults([{ action: "CreateCertificateRequest", kind: "ambiguous", rate: 1, limit: 1 }]);
      const before = plan().used;
      const checked = await single.check({ domain: "single.example.com", ...contact, onDelete: "revoke" });
      const { id, outs } = await single.create(checked.inputs);
      assert.equal(outs.ownership, "reconciled");
      assert.deepEqual(
        (await emu.control.orders())
          .filter((o) => o.domains[0] === "single.example.com")
          .map((o) => o.orderId),
        [id],
      );
      assert.equal(plan().used, before + 1);
      await single.waitForStderr(/found order \d+ placed by the unanswered request; adopting it/);
      await emu.control.issue(id);
      // In the process whose create took it, a delete (of a renamed or replaced resource) leaves it.
      await single.delete(id, { ...outs, ownership: "placed" });
      await single.waitForStderr(
        new RegExp(`order ${id}: another resource of this deployment took this order in this run`),
      );
      assert.equal((await emu.control.orders()).find((o) => o.orderId === id)?.state, "certificate");
      // pulumi destroy runs in a new provider process.
      later = await startProviderHost(
        certificateOrderStub,
        { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret },
        { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
      );
      await later.delete(id, outs);
      await later.waitForStderr(
        new RegExp(`order ${id}: taken after a lost create answer .* left in CAS untouched`),
      );
      assert.equal((await emu.control.orders()).find((o) => o.orderId === id)?.state, "certificate");
      // Confirmed by adoptOrderId, destroy acts on it.
      await later.delete(id, { ...outs, adoptOrderId: id });
      assert.equal((await emu.control.orders()).find((o) => o.orderId === id)?.state, "revoked");
    } finally {
      single.stop();
      later?.stop();
    }
  });

  it("an order recorded before ownership was (release 0.1.0) is named once, and left in CAS on delete unless confirmed", async () => {
    const creds = { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret };
    /** The order's state as 0.1.0 wrote it: version 2, no ownership or account. */
    const legacy = (outs: Record<string, unknown>) => {
      const { ownership: _o, account: _a, ...rest } = outs;
      return { ...rest, schemaVersion: 2 };
    };
    const stateOf = async (id: string) => (await emu.control.orders()).find((o) => o.orderId === id)?.state;
    const a = await order({ domain: "legacy-a.example.com", ...contact });
    const b = await order({ domain: "legacy-b.example.com", ...contact });
    const fresh = await startProviderHost(certificateOrderStub, creds, {
      ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
    });
    let confirmed: ProviderHost | undefined;
    try {
      // A preview (diff) names it too: destroy would leave it in CAS.
      await fresh.diff(a.id, legacy(a.outs), a.checked);
      const read = await fresh.read(a.id, legacy(a.outs));
      assert.equal(read.props.ownership, "unknown");
      assert.equal(read.props.schemaVersion, SCHEMA_VERSION);
      await fresh.read(a.id, read.props);
      await fresh.read(b.id, legacy(b.outs));
      await fresh.delete(a.id, read.props);
      const log = await fresh.waitForStderr(
        new RegExp(`order ${a.id} \\(legacy-a.example.com; last recorded pending_validation\\) left in CAS`),
      );
      assert.equal(
        log.match(new RegExp(`order ${a.id} \\(legacy-a\\.example\\.com\\): ownership unknown`, "g"))?.length,
        1,
        log,
      );
      assert.match(
        log,
        /ownership unknown\. It was recorded by a release before 0\.2\.0.*pulumi config set alicloud-cas:legacyOwnership placed/,
      );
      assert.match(
        log,
        new RegExp(
          `order ${b.id} \\(legacy-b\\.example\\.com\\): ownership unknown \\(recorded by a release before 0\\.2\\.0; see the first such line\\)`,
        ),
      );
      assert.match(log, new RegExp(`CancelOrderRequest with OrderId ${a.id}`));
      assert.equal(await stateOf(a.id), "domain_verify", "left pending in CAS");

      // Confirmed for the whole stack: destroy withdraws it as its own.
      confirmed = await startProviderHost(
        certificateOrderStub,
        { ...creds, "alicloud-cas:legacyOwnership": "placed" },
        { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
      );
      assert.equal((await confirmed.read(b.id, legacy(b.outs))).props.ownership, "placed");
      await confirmed.delete(a.id, read.props);
      assert.equal(await stateOf(a.id), undefined, "withdrawn and deleted");
    } finally {
      fresh.stop();
      confirmed?.stop();
    }
  });

  it("a mistyped or invalid setting fails naming the key and the fix, before any request", async () => {
    const creds = { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret };
    const env = { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint };
    emu.control.clearRequests();
    const typo = await startProviderHost(
      certificateOrderStub,
      { ...creds, "alicloud-cas:operationTimeoutSecond": "30", "alicloud:securitytoken": "t" },
      env,
    );
    try {
      // Reported by check as the resource's problem (no property, so no value and no stack trace).
      const checked = await typo.check({ domain: "typo.example.com", ...contact });
      assert.equal(checked.failures.length, 1);
      assert.equal(checked.failures[0]!.property, "");
      const reason = checked.failures[0]!.reason;
      assert.match(
        reason,
        /alicloud-cas:operationTimeoutSecond is not a setting of this provider; did you mean alicloud-cas:operationTimeoutSeconds\?/,
      );
      assert.match(reason, /alicloud:securitytoken is spelled alicloud:securityToken/);
      assert.match(reason, /pulumi config rm <key>/);
      // The host cached the provider after the first call: later calls still fail, an API call before sending.
      assert.match(
        (await typo.check({ domain: "typo.example.com", ...contact })).failures[0]!.reason,
        /operationTimeoutSecond/,
      );
      await assert.rejects(typo.create({ domain: "typo.example.com", ...contact }), /operationTimeoutSecond/);
    } finally {
      typo.stop();
    }
    for (const [key, value, said] of [
      [
        "alicloud-cas:signatureScheme",
        "hmac-sha256",
        /is not a signature scheme; use "acs3" \(the default\), "acs3-form" or "rpc-v1"/,
      ],
      ["alicloud-cas:qps", "ten", /is not a positive number of requests per second/],
      ["alicloud-cas:operationTimeoutSeconds", "90s", /is not a positive number of seconds/],
      ["alicloud-cas:adoptAfterLostAnswer", "uniqe", /use "stop" .* or "unique"/],
    ] as const) {
      const bad = await startProviderHost(certificateOrderStub, { ...creds, [key]: value }, env);
      try {
        // Refused at preview (check), and by every later call of the same provider process.
        const checked = await bad.check({ domain: "bad-setting.example.com", ...contact });
        assert.equal(checked.failures.length, 1);
        const reason = checked.failures[0]!.reason;
        assert.ok(reason.includes(`${key}: ${JSON.stringify(value)}`), reason);
        assert.match(reason, said);
        await assert.rejects(bad.create({ domain: "bad-setting.example.com", ...contact }), (e: Error) => {
          assert.ok(e.message.includes(`${key}: ${JSON.stringify(value)}`), e.message);
          assert.match(e.message, said);
          return true;
        });
      } finally {
        bad.stop();
      }
    }
    assert.deepEqual(
      emu.control.requests().filter((r) => r.action.startsWith("Create")),
      [],
      "no order placed under a bad setting",
    );
  });

  it("deletes in every state with the documented quota effect", async () => {
    const p0 = plan();
    const pending = await order({ domain: "del1.example.com", ...contact });
    await host.delete(pending.id, pending.outs);
    assert.deepEqual(plan(), p0, "withdrawn and deleted: quota back");

    const issued = await order({ domain: "del2.example.com", ...contact });
    await emu.control.issue(issued.id);
    await host.delete(issued.id, issued.outs);
    assert.equal(
      (await emu.control.orders()).find((o) => o.orderId === issued.id)?.state,
      "certificate",
      "kept valid by default",
    );
    assert.equal(plan().used, p0.used + 1);

    const revoked = await order({ domain: "del3.example.com", ...contact, onDelete: "revoke" });
    await emu.control.issue(revoked.id);
    await host.delete(revoked.id, revoked.outs);
    assert.equal((await emu.control.orders()).find((o) => o.orderId === revoked.id)?.state, "revoked");
    assert.equal(plan().used, p0.used + 1, "revoked within 30 days: quota back");

    const retained = await order({ domain: "del4.example.com", ...contact, onDelete: "retain" });
    await host.delete(retained.id, retained.outs);
    assert.equal((await emu.control.orders()).find((o) => o.orderId === retained.id)?.state, "domain_verify");

    // Withdrawn outside the stack (CancelOrderRequest → payed, "pending application"): delete says so.
    const payed = await order({ domain: "del5.example.com", ...contact });
    const api = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    await api.call("CancelOrderRequest", { OrderId: payed.id });
    await host.delete(payed.id, payed.outs);
    await host.waitForStderr(
      new RegExp(`order ${payed.id}: pending application \\(payed: never submitted to the CA\\) deleted`),
    );
    assert.equal(
      (await emu.control.orders()).find((o) => o.orderId === payed.id),
      undefined,
    );

    await host.delete(pending.id, pending.outs); // already gone: success
    await host.waitForStderr(/already gone from CAS/);
  });

  it("diffs by meaning and asks for renewal when an issued certificate nears expiry", async () => {
    const { id, outs } = await order({ domain: "renew.example.com", ...contact, renewBeforeDays: 30 });
    const same = await host.diff(
      id,
      outs,
      (await host.check({ domain: "RENEW.example.com.", ...contact, renewBeforeDays: 30 })).inputs,
    );
    assert.deepEqual([same.changes, same.replaces], [1, []]); // 1 = DIFF_NONE
    await emu.control.issue(id);
    const read = await host.read(id, outs);
    // A 90-day certificate 5 days before its end.
    const soon = {
      ...read.props,
      notBefore: new Date(Date.now() - 85 * 86400_000).toISOString(),
      notAfter: new Date(Date.now() + 5 * 86400_000).toISOString(),
    };
    const renewal = await host.diff(
      id,
      soon,
      (await host.check({ domain: "renew.example.com", ...contact, renewBeforeDays: 30 })).inputs,
    );
    assert.deepEqual([renewal.changes, renewal.replaces], [2, ["renewBeforeDays"]]); // 2 = DIFF_SOME
  });

  it("updates in place and keeps computed outputs", async () => {
    const { id, outs } = await order({ domain: "upd.example.com", ...contact });
    const checked = (await host.check({ domain: "upd.example.com", ...contact, email: "new@example.com" }))
      .inputs;
    const updated = await host.update(id, outs, checked);
    assert.equal(updated.email, "new@example.com");
    assert.equal(updated.orderId, id);
    assert.deepEqual(updated.validationRecords, outs.validationRecords);
  });

  it("quota-aware preview: warns, or fails with quotaCheck=fail, when the plan cannot cover the new orders", async () => {
    const code = "globalsign-dv-1-personal";
    emu.control.setQuota(code, 1);
    const ok = await host.check({
      domain: "q1.example.com",
      productCode: code,
      ...contact,
      quotaCheck: "fail",
    });
    assert.deepEqual(ok.failures, []);
    const over = await host.check({
      domain: "q2.example.com",
      productCode: code,
      ...contact,
      quotaCheck: "fail",
    });
    assert.deepEqual(
      over.failures.map((f) => f.property),
      ["productCode"],
    );
    // productCode was set, so the reason does not call it a default.
    assert.match(
      over.failures[0]!.reason,
      /^the globalsign-dv-1-personal plan has 1 order\(s\) left and this deployment plans 2/,
    );
    const warned = await host.check({ domain: "q3.example.com", productCode: code, ...contact });
    assert.deepEqual(warned.failures, []);
    await host.waitForStderr(
      /warning: the globalsign-dv-1-personal plan has 1 order\(s\) left and this deployment plans 3/,
    );
  });

  it("reports check failures per property through the host", async () => {
    const res = await host.check({ domain: "*.example.com", email: "nope" });
    assert.deepEqual(res.failures.map((f) => f.property).sort(), ["email"]);
    const res2 = await host.check({ domain: "*.example.com", ...contact });
    // productCode was not set: a failure on it would render as `property productCode value {<nil>}`,
    // so it names no property and the reason names the default.
    assert.deepEqual(
      res2.failures.map((f) => f.property),
      [""],
    );
    assert.match(
      res2.failures[0]!.reason,
      /^productCode \(default digicert-free-1-free\): digicert-free-1-free is a single-domain product and \*\.example\.com is a wildcard/,
    );
  });

  it("keeps the serialized provider small, secret-free and identical for two builds", async () => {
    assert.ok(Buffer.byteLength(host.providerText) <= 2048, `${Buffer.byteLength(host.providerText)} bytes`);
    assert.ok(!host.providerText.includes(emu.accessKeySecret));
    assert.doesNotMatch(host.providerText, /secret|LTAI|127\.0\.0\.1/i);
    // A second, independent build of the SDK stubs serializes to the same text.
    const { execFileSync } = await import("node:child_process");
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { join, resolve } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const out = mkdtempSync(join(tmpdir(), "cas-build-"));
    const root = resolve(__dirname, "..", "..", "..");
    execFileSync(process.execPath, [
      join(root, "node_modules", "typescript", "bin", "tsc"),
      "--outDir",
      out,
      "--rootDir",
      join(root, "sdk"),
      "--module",
      "node16",
      "--moduleResolution",
      "node16",
      "--target",
      "ES2022",
      "--types",
      "node",
      "--skipLibCheck",
      join(root, "sdk", "stubs.ts"),
    ]);
    assert.ok(readFileSync(join(out, "stubs.js"), "utf8").length > 0);
    const pulumi = await import("@pulumi/pulumi");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the second build
    const stub = (require(join(out, "stubs.js")) as { certificateOrderStub: object }).certificateOrderStub;
    const text = (await pulumi.runtime.serializeFunction(() => stub, { allowSecrets: true })).text;
    assert.equal(text, host.providerText);
  });
});

describe("CertificateOrderValidation inside the provider host", function () {
  this.timeout(60_000);
  it("reports the DNS pre-check, waits for issuance and returns the certificate", async () => {
    const { certificateOrderValidationStub } = await import("../../sdk/stubs.js");
    const { dnsServer } = await import("../support/dns-server.js");
    const emu = await startEmulator({ lifecycle: { validation: "manual" } });
    const cfg = { "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret };
    const orders = await startProviderHost(certificateOrderStub, cfg, {
      ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
    });
    // CAS moves on only by the control call below, so the waiter's polls need not take real time.
    const waiter = await startProviderHost(certificateOrderValidationStub, cfg, {
      ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
      ...FAKE_CLOCK,
    });
    try {
      const checked = (await orders.check({ domain: "wait.example.com", ...contact })).inputs;
      const { id } = await orders.create(checked);
      const [expected] = emu.control.expectedRecords(id);
      const dns = await dnsServer([{ name: expected!.name, type: "TXT", value: expected!.value }]);
      // Issued only once the waiter has reported the pre-check: on a timer, a slow machine could issue
      // before the waiter's first look, and no pre-check would be logged.
      const issuing = waiter
        .waitForStderr(
          new RegExp(
            `order ${id}: DNS pre-check _dnsauth\\.wait\\.example\\.com at ${dns.address}: TXT is visible`,
          ),
        )
        .then(() => emu.control.issue(id));
      // On the fake clock every poll is a virtual second: a day of them outlasts the issue above.
      const { outs } = await waiter.create({
        orderId: id,
        timeoutMinutes: 24 * 60,
        pollIntervalSeconds: 1,
        maxPollIntervalSeconds: 1,
        dnsPrecheck: { resolvers: [dns.address] },
      });
      await issuing;
      dns.close();
      assert.match(String(outs.certificatePem), /^-----BEGIN CERTIFICATE-----/);
      assert.match(String(outs.privateKeyPem), /BEGIN RSA PRIVATE KEY/);
      await waiter.waitForStderr(new RegExp(`order ${id}: issued`));

      // Removed out of band (another tool, the console): both resources drop on read; update says refresh.
      const api = new CasClient({
        endpoint: emu.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        env: {},
      });
      const pending = await orders.create(
        (await orders.check({ domain: "gone.example.com", ...contact })).inputs,
      );
      await api.call("CancelOrderRequest", { OrderId: pending.id });
      await api.call("DeleteCertificateRequest", { OrderId: pending.id });
      assert.equal((await orders.read(pending.id, pending.outs)).id, "");
      assert.equal((await waiter.read(`${pending.id}-validation`, { ...outs, orderId: pending.id })).id, "");
      await waiter.waitForStderr(
        new RegExp(
          `order ${pending.id}: CAS answers NotFoundOrder to account ${emu.accountId}, the account its validation waited in, so its validation is removed from state`,
        ),
      );
      const newer = (await orders.check({ domain: "gone.example.com", ...contact, email: "n@example.com" }))
        .inputs;
      await assert.rejects(
        orders.update(pending.id, pending.outs, newer),
        new RegExp(`order ${pending.id} no longer exists in CAS .*run \`pulumi refresh\``),
      );
    } finally {
      orders.stop();
      waiter.stop();
      await emu.close();
    }
  });
});

describe("CertificateOrder life-cycle edges inside the provider host, against scripted CAS answers", function () {
  this.timeout(60_000);
  const cfg = { "alicloud:accessKey": "LTAIscripted", "alicloud:secretKey": "scripted-secret" };
  let sts: RunningEmulator;
  before(async () => (sts = await stsFor(cfg)));
  after(() => sts?.close());

  /** A self-signed certificate valid from `from` to `to` (ms). */
  async function certificate(from: number, to: number): Promise<string> {
    const x509 = await import("@peculiar/x509");
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: "01",
        name: "CN=old.example.com",
        notBefore: new Date(from),
        notAfter: new Date(to),
        keys,
        signingAlgorithm: alg,
      },
      webcrypto,
    );
    return cert.toString("pem");
  }

  it("an expired certificate reports expired and its diff replaces it; renewBeforeDays at or above the validity fails the diff", async () => {
    const day = 86_400_000;
    const pem = await certificate(Date.now() - 100 * day, Date.now() - day);
    const cas = await scriptedServer([
      json(200, { RequestId: "r1", Type: "certificate", Certificate: pem }),
      // The certificate-id look-up by serial finds nothing: not what this test is about.
      json(200, { RequestId: "r2", TotalCount: 0, CurrentPage: 1, ShowSize: 50, CertificateOrderList: [] }),
    ]);
    const host = await startProviderHost(certificateOrderStub, cfg, {
      ALIBABA_CLOUD_ENDPOINT_CAS: cas.endpoint,
      ALIBABA_CLOUD_ENDPOINT_STS: sts.endpoint,
      // Scripted CAS answers move on only by request: the provider's waits run on a fake clock.
      ...FAKE_CLOCK,
    });
    try {
      const before = {
        domain: "old.example.com",
        ...contact,
        productCode: "digicert-free-1-free",
        validateType: "DNS",
        orderId: "12000001",
        status: "issued",
        domains: ["old.example.com"],
        action: "CreateCertificateRequest",
        schemaVersion: 2,
      };
      const read = await host.read("12000001", before);
      assert.equal(read.props.status, "expired");
      assert.match(String(read.props.statusReason), /expired .*next pulumi up orders a replacement/);
      const news = (await host.check({ domain: "old.example.com", ...contact }, {})).inputs;
      const diff = await host.diff("12000001", read.props, news);
      assert.deepEqual([diff.changes, diff.replaces], [2, ["notAfter"]]);
      await host.waitForStderr(/expired: the certificate expired .*ordering a replacement/);
      // One reading of the clock: two made notAfter − notBefore a millisecond short of 99 days.
      const now = Date.now();
      const issued = {
        ...read.props,
        status: "issued",
        notAfter: new Date(now + 50 * day).toISOString(),
        notBefore: new Date(now - 49 * day).toISOString(),
      };
      await assert.rejects(
        host.diff("12000001", issued, { ...news, renewBeforeDays: 99 }),
        /order 12000001: renewBeforeDays: 99 is not below the certificate's validity of 99 days, so every pulumi up would replace it; set renewBeforeDays below 99 \(for example 33\)/,
      );
      // One day below the validity is a working setting: due (50 days left), a renewal, not an error.
      const due = await host.diff("12000001", issued, { ...news, renewBeforeDays: 98 });
      assert.deepEqual([due.changes, due.replaces], [2, ["renewBeforeDays"]]);
      assert.deepEqual(cas.requests[0], "DescribeCertificateState");
      assert.ok(!cas.requests.some((a) => /^(Create|Cancel|Delete)/.test(a)), cas.requests.join());
    } finally {
      host.stop();
      await cas.close();
    }
  });

  for (const [what, answer] of [
    [
      "an unparseable 2xx create answer",
      (_req: unknown, res: import("node:http").ServerResponse) =>
        res.writeHead(200, { "content-type": "application/json" }).end('{"OrderId": 12'),
    ],
    [
      "SignatureNonceUsed to a create",
      json(400, {
        RequestId: "r0",
        Code: "SignatureNonceUsed",
        Message: "The request signature nonce has been used.",
      }),
    ],
  ] as const)
    it(`${what} means an order may exist: it stops with the candidate list like a lost answer`, async () => {
      const candidate = {
        OrderId: "12000077",
        ProductCode: "digicert-free-1-free",
        Domain: "maybe.example.com",
        Status: "CHECKING",
        BuyDate: Date.now(),
      };
      const cas = await scriptedServer([
        answer,
        json(200, {
          RequestId: "r1",
          TotalCount: 1,
          CurrentPage: 1,
          ShowSize: 50,
          CertificateOrderList: [candidate],
        }),
      ]);
      const host = await startProviderHost(certificateOrderStub, cfg, {
        ALIBABA_CLOUD_ENDPOINT_CAS: cas.endpoint,
        ALIBABA_CLOUD_ENDPOINT_STS: sts.endpoint,
        ...FAKE_CLOCK,
      });
      try {
        const inputs = {
          domain: "maybe.example.com",
          ...contact,
          productCode: "digicert-free-1-free",
          validateType: "DNS",
          onDelete: "cancel",
          quotaCheck: "off",
        };
        await assert.rejects(
          host.create(inputs),
          /maybe\.example\.com got no answer, so an order may exist.*OrderId 12000077 \(bought .*adoptOrderId: "12000077"/s,
        );
        assert.deepEqual(
          cas.requests,
          ["CreateCertificateRequest", "ListUserCertificateOrder"],
          "never ordered twice",
        );
      } finally {
        host.stop();
        await cas.close();
      }
    });

  it("delete of an order in a state it does not know fails and keeps it, instead of dropping it", async () => {
    const cas = await scriptedServer([json(200, { RequestId: "r1", Type: "unknow" })]);
    const host = await startProviderHost(certificateOrderStub, cfg, {
      ALIBABA_CLOUD_ENDPOINT_CAS: cas.endpoint,
      ALIBABA_CLOUD_ENDPOINT_STS: sts.endpoint,
      // Scripted CAS answers move on only by request: the provider's waits run on a fake clock.
      ...FAKE_CLOCK,
    });
    try {
      await assert.rejects(
        host.delete("12000002", {
          domain: "x.example.com",
          ...contact,
          schemaVersion: SCHEMA_VERSION,
          orderId: "12000002",
          domains: ["x.example.com"],
          action: "CreateCertificateRequest",
          ownership: "placed",
        }),
        /order 12000002 is in state unknow, which this provider does not know how to withdraw; it stays in the stack/,
      );
      assert.deepEqual(cas.requests, ["DescribeCertificateState"], "nothing cancelled or deleted");
    } finally {
      host.stop();
      await cas.close();
    }
  });
});

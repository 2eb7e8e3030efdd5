import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LEGACY_OWNERSHIP_KEY, ownershipOf } from "../../provider/order/held-by";
import { Settings } from "../../provider/order/settings";
import { storedState } from "../../provider/order/state-chain";
import { ORDER_STATE, ORDER_STATE_VERSION, orderStateSchema } from "../../provider/order/state";
import { VALIDATION_STATE, VALIDATION_STATE_VERSION } from "../../provider/order/validation-inputs";
import { INSTANCE_STATE } from "../../provider/instance/inputs";

const isError = (code: string, text: RegExp) => (e: Error & { code?: string }) =>
  e.code === code && text.test(e.message);

/** A record as releases before `names` wrote it (59cbbc6): one per ordered name, apex and wildcard sharing one. */
const oldRecord = (domain: string) => ({
  domain,
  fqdn: "_dnsauth.example.com",
  rr: "_dnsauth",
  zone: "example.com",
  type: "TXT",
  value: "v",
  recordDomain: "_dnsauth",
});

/** CertificateOrder state as release 0.1.0 at 59cbbc6 wrote it: version 2, no `names`, no ownership. */
const written59cbbc6 = {
  __provider: "exports.handler = …",
  domain: "example.com",
  domains: ["example.com", "*.example.com"],
  productCode: "digicert-free-1-free",
  validateType: "DNS",
  onDelete: "cancel",
  quotaCheck: "warn",
  schemaVersion: 2,
  orderId: "12000001",
  action: "CreateCertificateRequest",
  status: "pending_validation",
  type: "domain_verify",
  statusReason: null,
  validation: { method: "DNS", records: [oldRecord("example.com")] },
  validationRecords: { "example.com": oldRecord("example.com"), "*.example.com": oldRecord("*.example.com") },
  certificatePem: null,
  certificateChainPem: null,
  notBefore: null,
  notAfter: null,
  serialNumber: null,
  fingerprintSha256: null,
  sans: null,
  privateKeyPem: null,
};

describe("stored state: one upgrade chain per resource", () => {
  it("CertificateOrder state of release 0.1.0 (59cbbc6) reads: records list the names they prove, ownership is unknown", () => {
    const s = ORDER_STATE.read(written59cbbc6, { id: "12000001" });
    assert.equal(s.schemaVersion, ORDER_STATE_VERSION);
    assert.equal(s.ownership, "unknown");
    const both = ["example.com", "*.example.com"];
    assert.deepEqual(s.validationRecords?.["example.com"]?.names, both);
    assert.deepEqual(s.validationRecords?.["*.example.com"]?.names, both);
    assert.ok(s.validation?.method === "DNS");
    assert.deepEqual(s.validation.records[0]?.names, both);
    assert.equal("__provider" in s, false);
  });

  it("an order 0.1.0 adopted by adoptOrderId is adopted, not unknown", () => {
    const s = ORDER_STATE.read({ ...written59cbbc6, adoptOrderId: "12000001", action: "adopted" });
    assert.equal(s.ownership, "adopted");
  });

  it("version-2 state that recorded ownership and names (233a34f) keeps them", () => {
    const s = ORDER_STATE.read({
      ...written59cbbc6,
      ownership: "reconciled",
      validationRecords: { "example.com": { ...oldRecord("example.com"), names: ["example.com"] } },
      account: { endpoint: "https://cas.aliyuncs.com", accessKey: "0123456789abcdef" },
    });
    assert.equal(s.ownership, "reconciled");
    assert.deepEqual(s.validationRecords?.["example.com"]?.names, ["example.com"], "kept as written");
    // A record without `names` takes the names whose keyed record has its record name.
    assert.deepEqual(s.validation?.method === "DNS" && s.validation.records[0]?.names, ["example.com"]);
    assert.equal(s.account?.accessKey, "0123456789abcdef");
  });

  it("0.1.0 state where a refresh wrote ownership placed but no account (the later build did so for older orders) is unknown", () => {
    assert.equal(ORDER_STATE.read({ ...written59cbbc6, ownership: "placed" }).ownership, "unknown");
    const account = { endpoint: "https://cas.aliyuncs.com", accessKey: null };
    assert.equal(ORDER_STATE.read({ ...written59cbbc6, ownership: "placed", account }).ownership, "placed");
  });

  it("version-3 state: the account gains accountId null, keeping the AccessKey fingerprint until the first read fills it; no account stays none", () => {
    const v3 = {
      // Records with `names`, as version 3 has them.
      ...ORDER_STATE.read(written59cbbc6, { id: "12000001" }),
      schemaVersion: 3,
      ownership: "placed",
      account: { endpoint: "https://cas.aliyuncs.com", accessKey: "00112233aabbccdd" },
    };
    const s = ORDER_STATE.read(v3, { id: "12000001" });
    assert.equal(s.schemaVersion, 4);
    assert.deepEqual(s.account, {
      endpoint: "https://cas.aliyuncs.com",
      accountId: null,
      accessKey: "00112233aabbccdd",
    });
    const sts = ORDER_STATE.read({
      ...v3,
      account: { endpoint: "https://cas.aliyuncs.com", accessKey: null },
    });
    assert.deepEqual(sts.account, { endpoint: "https://cas.aliyuncs.com", accountId: null, accessKey: null });
    const { account: _none, ...withoutAccount } = v3;
    assert.equal(ORDER_STATE.read(withoutAccount).account, undefined);
    // Version 4 as this release writes it reads as it is.
    const v4 = {
      ...v3,
      schemaVersion: 4,
      account: { endpoint: "https://cas.aliyuncs.com", accountId: "1968132000123456" },
    };
    assert.deepEqual(ORDER_STATE.read(v4).account, v4.account);
  });

  it("a schemaVersion that is not a whole number of at least 1 is refused, not read as version 1", () => {
    for (const v of [0, -1, 2.5, "3", null])
      assert.throws(
        () => ORDER_STATE.read({ ...written59cbbc6, schemaVersion: v }),
        isError(
          "InvalidState",
          /^CertificateOrder state cannot be read \(schemaVersion: .* is not a version\)/,
        ),
        String(v),
      );
  });

  it("unversioned state (version 1) is brought up through every step", () => {
    const s = ORDER_STATE.read(
      {
        domain: "old.example.com",
        status: "pending_validation",
        recordDomain: "_dnsauth",
        recordType: "TXT",
        recordValue: "x",
      },
      { id: "9007199254740993" },
    );
    assert.deepEqual(s.domains, ["old.example.com"]);
    assert.equal(s.action, "CreateCertificateRequest");
    assert.equal(s.orderId, "9007199254740993", "the resource id, kept as a string");
    assert.equal(s.ownership, "unknown");
    assert.equal("recordDomain" in s, false);
  });

  it("values an earlier release accepted still read (no input rules), and unknown fields are kept", () => {
    const s = ORDER_STATE.read({
      ...written59cbbc6,
      productCode: "retired-product",
      phone: "call me",
      futureField: 1,
    });
    assert.equal(s.productCode, "retired-product");
    assert.equal(s.futureField, 1);
  });

  it("a value of the wrong type is refused, naming the property", () => {
    assert.throws(
      () => ORDER_STATE.read({ ...written59cbbc6, onDelete: "burn" }),
      isError("InvalidState", /^CertificateOrder state cannot be read \(onDelete: /),
    );
    assert.throws(
      () => ORDER_STATE.read({ ...written59cbbc6, schemaVersion: ORDER_STATE_VERSION, ownership: undefined }),
      isError("InvalidState", /ownership: /),
      "current state is not upgraded again: what it lacks is missing",
    );
  });

  it("state written by a newer release is refused, naming both versions", () => {
    for (const def of [ORDER_STATE, VALIDATION_STATE])
      assert.throws(
        () => def.read({ ...written59cbbc6, schemaVersion: def.version + 1 }),
        isError(
          "StateFromNewerRelease",
          new RegExp(`state version ${def.version + 1}; this release reads up to ${def.version}`),
        ),
      );
  });

  it("CertificateOrderValidation state of 0.1.0 (unversioned) reads, its OrderId a string", () => {
    const s = VALIDATION_STATE.read({ orderId: 12000001, timeoutMinutes: 5, certificatePem: null });
    assert.equal(s.schemaVersion, VALIDATION_STATE_VERSION);
    assert.equal(s.orderId, "12000001");
    assert.equal(s.timeoutMinutes, 5);
    // Version 3: the instance waited for, none for an order.
    assert.equal(s.instanceId, null);
    // Version 4: a stored validation was always of an issued certificate.
    assert.equal(s.status, "issued");
    // Version 5: the account it waited in is not known (filled on its first successful read).
    assert.equal(s.accountId, null);
  });

  it("CertificateOrderValidation state of version 3 (an instance's) reads with status issued and accountId null, nothing else changed", () => {
    const v3 = {
      schemaVersion: 3,
      orderId: null,
      instanceId: "cas-cn-0000000001",
      timeoutMinutes: 60,
      certificatePem: "-----BEGIN CERTIFICATE-----",
      certificateId: "10741304",
      certIdentifier: "10741304-cn-hangzhou",
    };
    assert.deepEqual(VALIDATION_STATE.read(v3), {
      ...v3,
      schemaVersion: 5,
      status: "issued",
      accountId: null,
    });
  });

  it("InstanceCertificate state of version 1 reads with accountId null (filled on its first successful read), nothing else changed", () => {
    const v1 = {
      schemaVersion: 1,
      instanceId: "cas-cn-0000000001",
      instanceType: "TEST",
      pinned: false,
      claim: "7f0c1d2e-0000-4000-8000-000000000001",
      domains: ["www.example.com"],
      csr: null,
      keyAlgorithm: "RSA_2048",
      validationMethod: "DNS",
      contactIds: ["1"],
      username: "Keller",
      phone: "13800001111",
      email: "ops@example.com",
      companyId: null,
      autoReissue: false,
      tags: {},
      onDelete: "keep",
      dnsZone: null,
      status: "pending_validation",
      statusReason: null,
      validationRecords: {},
      files: [],
      certificateId: null,
      certIdentifier: null,
      notAfter: null,
    };
    assert.equal(INSTANCE_STATE.version, 2);
    assert.deepEqual(INSTANCE_STATE.read(v1), { ...v1, schemaVersion: 2, accountId: null });
    assert.deepEqual(INSTANCE_STATE.read({ ...v1, schemaVersion: 2, accountId: "1968132000123456" }), {
      ...v1,
      schemaVersion: 2,
      accountId: "1968132000123456",
    });
  });

  it("the upgraders must be in order, one per version", () => {
    const up = (to: number) => ({ to, change: "x", up: (p: Record<string, unknown>) => p });
    assert.throws(
      () => storedState("S", orderStateSchema, [up(3)]),
      /upgrader 0 goes to version 3, expected 2/,
    );
    assert.equal(storedState("S", orderStateSchema, [up(2), up(3)]).version, 3);
  });
});

describe("ownership of orders recorded before it was", () => {
  const unknown = { ownership: "unknown" as const, adoptOrderId: undefined };

  it("stays unknown unless confirmed by adoptOrderId or alicloud-cas:legacyOwnership", () => {
    const unset = new Settings(() => undefined).get(LEGACY_OWNERSHIP_KEY);
    assert.equal(ownershipOf(unknown, "7", unset), "unknown");
    assert.equal(ownershipOf({ ...unknown, adoptOrderId: "7" }, "7", unset), "adopted");
    assert.equal(ownershipOf({ ...unknown, adoptOrderId: "8" }, "7", unset), "unknown");
    const placed = new Settings((k) => (k === LEGACY_OWNERSHIP_KEY ? "placed" : undefined)).get(
      LEGACY_OWNERSHIP_KEY,
    );
    assert.equal(ownershipOf(unknown, "7", placed), "placed");
    assert.equal(
      ownershipOf({ ownership: "reconciled", adoptOrderId: undefined }, "7", placed),
      "reconciled",
    );
  });

  it("a misspelt setting fails naming the key and the value it takes", () => {
    const settings = new Settings((k) => (k === LEGACY_OWNERSHIP_KEY ? "yes" : undefined));
    assert.match(settings.failure()?.reason ?? "", /alicloud-cas:legacyOwnership: "yes" is not a setting/);
    assert.throws(
      () => settings.get(LEGACY_OWNERSHIP_KEY),
      isError("InvalidConfig", /^alicloud-cas:legacyOwnership: "yes" is not a setting; use "placed"/),
    );
  });
});

describe("the state of every recorded release reads", () => {
  // Compiled to dist/tests/unit; the fixtures live in the source tree.
  const releases = join(__dirname, "..", "..", "..", "tests", "fixtures", "releases");
  const commits = readdirSync(releases).filter((d) => /^[0-9a-f]{40}$/.test(d));

  it("there are recorded releases", () => assert.ok(commits.length >= 2, commits.join(", ")));
  for (const commit of commits)
    it(`${commit.slice(0, 7)}: every CertificateOrder and validation upgrades to the current version`, () => {
      const { deployment } = JSON.parse(readFileSync(join(releases, commit, "deployment.json"), "utf8")) as {
        deployment: { resources: Array<{ type: string; id?: string; outputs?: Record<string, unknown> }> };
      };
      let read = 0;
      for (const r of deployment.resources) {
        const def = r.type.endsWith(":CertificateOrder")
          ? ORDER_STATE
          : r.type.endsWith(":CertificateOrderValidation")
            ? VALIDATION_STATE
            : undefined;
        if (!def) continue;
        // Secret outputs are ciphertext objects in an export; the schemas read them only as text.
        const outputs = Object.fromEntries(
          Object.entries(r.outputs ?? {}).filter(
            ([, v]) => !(typeof v === "object" && v && "ciphertext" in v),
          ),
        );
        const s = def.read(outputs, { id: r.id! }) as { schemaVersion: number };
        assert.equal(s.schemaVersion, def.version);
        read++;
      }
      assert.ok(read >= 5, `${read} resources read`);
    });
});

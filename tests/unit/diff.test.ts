import assert from "node:assert/strict";
import { checkOrderInputs, UNKNOWN } from "../../provider/order/inputs";
import { diffOrder as diffAt } from "../../provider/order/diff";

/** The diff at `now` (the clock's time when a test does not care). */
const diffOrder = (olds: Record<string, unknown>, news: Record<string, unknown>, now = Date.now()) =>
  diffAt(olds, news, now);
import { makeCsr, rewrapCsr } from "../support/keys";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

describe("diff by meaning", function () {
  this.timeout(30_000);
  let csr: string;
  let sameKeySansReordered: string;
  let keys: Awaited<ReturnType<typeof makeCsr>>["keys"];
  const olds = (extra: Record<string, unknown>) => ({
    productCode: "digicert-free-1-free",
    validateType: "DNS",
    onDelete: "cancel",
    quotaCheck: "warn",
    ...contact,
    orderId: "1",
    status: "pending_validation",
    ...extra,
  });
  const news = (extra: Record<string, unknown>) => ({
    productCode: "digicert-free-1-free",
    validateType: "DNS",
    onDelete: "cancel",
    quotaCheck: "warn",
    ...contact,
    ...extra,
  });
  before(async () => {
    const made = await makeCsr("www.example.com", ["www.example.com", "api.example.com"]);
    csr = made.pem;
    keys = made.keys;
    const x509 = (await import("../../provider/pki/x509.js")).loadX509();
    sameKeySansReordered = (
      await x509.Pkcs10CertificateRequestGenerator.create({
        name: "O=Example, CN=www.example.com",
        keys: keys as never,
        signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
        extensions: [
          new x509.SubjectAlternativeNameExtension([
            { type: "dns", value: "api.example.com" },
            { type: "dns", value: "www.example.com" },
          ]),
        ],
      })
    ).toString("pem");
  });

  it("no change: same CSR re-wrapped at 76 columns with CRLF", async () => {
    assert.deepEqual(
      await diffOrder(olds({ csr }), news({ csr: rewrapCsr(csr, 76, { eol: "\r\n", indent: "  " }) })),
      {
        changes: false,
        replaces: [],
        reasons: [],
      },
    );
  });
  it("no change: same key with SANs and subject attributes in another order", async () => {
    const d = await diffOrder(olds({ csr }), news({ csr: sameKeySansReordered }));
    assert.deepEqual([d.changes, d.replaces], [false, []]);
  });
  it("no change: domain case and trailing dot (normalized by check)", async () => {
    const checked = await checkOrderInputs({ domain: "WWW.EXAMPLE.COM.", ...contact });
    const d = await diffOrder(olds({ domain: "www.example.com" }), checked.inputs);
    assert.deepEqual([d.changes, d.replaces], [false, []]);
  });
  it("replace: a CSR with a new key names csr only", async () => {
    const other = (await makeCsr("www.example.com", ["www.example.com", "api.example.com"])).pem;
    const d = await diffOrder(olds({ csr }), news({ csr: other }));
    assert.deepEqual([d.changes, d.replaces], [true, ["csr"]]);
  });
  it("replace: domain, productCode, validateType, companyName, each named", async () => {
    assert.deepEqual(
      (await diffOrder(olds({ domain: "a.example.com" }), news({ domain: "b.example.com" }))).replaces,
      ["domain"],
    );
    assert.deepEqual(
      (
        await diffOrder(
          olds({ domain: "a.example.com" }),
          news({ domain: "a.example.com", productCode: "symantec-free-1-free" }),
        )
      ).replaces,
      ["productCode"],
    );
    assert.deepEqual(
      (
        await diffOrder(
          olds({ domain: "a.example.com" }),
          news({ domain: "a.example.com", validateType: "FILE" }),
        )
      ).replaces,
      ["validateType"],
    );
    assert.deepEqual(
      (
        await diffOrder(
          olds({ domain: "a.example.com" }),
          news({ domain: "a.example.com", companyName: "ACME" }),
        )
      ).replaces,
      ["companyName"],
    );
  });
  it("update in place: contact, tags, behaviour", async () => {
    for (const change of [
      { email: "new@example.com" },
      { tags: { env: "prod" } },
      { onDelete: "revoke" },
      { renewBeforeDays: 30 },
    ]) {
      const d = await diffOrder(
        olds({ domain: "a.example.com" }),
        news({ domain: "a.example.com", ...change }),
      );
      assert.deepEqual([d.changes, d.replaces], [true, []], JSON.stringify(change));
    }
  });
  it("domains: their order is no change; a name more or less replaces, naming domains", async () => {
    const placed = olds({ domains: ["www.example.com", "example.com"] });
    const reordered = await diffOrder(placed, news({ domains: ["example.com", "www.example.com"] }));
    assert.deepEqual([reordered.changes, reordered.replaces], [false, []]);
    const more = await diffOrder(
      placed,
      news({ domains: ["example.com", "www.example.com", "api.example.com"] }),
    );
    assert.deepEqual([more.changes, more.replaces], [true, ["domains"]]);
    assert.match(
      more.reasons.join(),
      /domains: .*→ .*api\.example\.com.*; CAS cannot change this on an existing order/,
    );
    const unknown = await diffOrder(placed, news({ domains: ["example.com", UNKNOWN] }));
    assert.deepEqual(unknown.replaces, ["domains"]);
  });
  it("domain and a one-name domains are the same order (state keeps the ordered names in domains)", async () => {
    const byDomain = olds({ domain: "a.example.com", domains: ["a.example.com"] });
    const d = await diffOrder(byDomain, news({ domains: ["a.example.com"] }));
    assert.deepEqual([d.changes, d.replaces], [false, []]);
    const back = await diffOrder(olds({ domains: ["a.example.com"] }), news({ domain: "a.example.com" }));
    assert.deepEqual([back.changes, back.replaces], [false, []]);
    const other = await diffOrder(byDomain, news({ domain: "b.example.com" }));
    assert.deepEqual(other.replaces, ["domain"]);
  });
  it("contact and tags: an in-place change whose reason says CAS keeps what was sent", async () => {
    for (const change of [{ email: "new@example.com" }, { tags: { env: "prod" } }]) {
      const d = await diffOrder(
        olds({ domain: "a.example.com" }),
        news({ domain: "a.example.com", ...change }),
      );
      assert.deepEqual([d.changes, d.replaces], [true, []]);
      assert.match(
        d.reasons.join("\n"),
        new RegExp(
          `^${Object.keys(change)[0]} changed: stored for the next order .*CAS keeps what was sent with this order`,
        ),
      );
    }
    // With a replacement, the new order is sent the new contact: nothing is "stored for later".
    const replaced = await diffOrder(
      olds({ domain: "a.example.com" }),
      news({ domain: "b.example.com", email: "new@example.com" }),
    );
    assert.deepEqual(replaced.replaces, ["domain"]);
    assert.deepEqual(replaced.reasons, [
      'domain: "a.example.com" → "b.example.com"; CAS cannot change this on an existing order',
      "email changed: sent with the replacement order",
    ]);
    const behaviour = await diffOrder(
      olds({ domain: "a.example.com" }),
      news({ domain: "a.example.com", onDelete: "retain" }),
    );
    assert.deepEqual(behaviour.reasons, []);
  });
  it("an unknown replace property during preview is a possible replacement", async () => {
    const d = await diffOrder(olds({ domain: "a.example.com" }), news({ domain: UNKNOWN }));
    assert.deepEqual([d.changes, d.replaces], [true, ["domain"]]);
  });
  it("renewal: an issued certificate within renewBeforeDays is replaced", async () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    const issued = olds({
      domain: "a.example.com",
      status: "issued",
      notAfter: "2026-06-20T00:00:00.000Z",
      renewBeforeDays: 30,
    });
    const d = await diffOrder(issued, news({ domain: "a.example.com", renewBeforeDays: 30 }), now);
    assert.deepEqual([d.changes, d.replaces], [true, ["renewBeforeDays"]]);
    assert.match(
      d.reasons.join(),
      /^renewal due: certificate expires 2026-06-20T00:00:00\.000Z \(in 19 days; renewBeforeDays 30\); /,
    );
    const early = await diffOrder(issued, news({ domain: "a.example.com", renewBeforeDays: 10 }), now);
    assert.deepEqual(early.replaces, []);
  });
  it("renewal of a free certificate says CAS does not renew it, so it is a new order; a paid one's does not", async () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    const due = (productCode: string) =>
      olds({
        domain: "a.example.com",
        productCode,
        status: "issued",
        notAfter: "2026-06-20T00:00:00.000Z",
        renewBeforeDays: 30,
      });
    for (const code of ["digicert-free-1-free", "symantec-free-1-free"]) {
      const d = await diffOrder(
        due(code),
        news({ domain: "a.example.com", productCode: code, renewBeforeDays: 30 }),
        now,
      );
      assert.deepEqual(d.replaces, ["renewBeforeDays"]);
      assert.match(
        d.reasons.join(),
        new RegExp(
          `\\(in 19 days; renewBeforeDays 30\\); ${code} is a free certificate, which CAS does not renew, so its renewal is a new order from the plan; ordering a replacement`,
        ),
      );
    }
    const paid = await diffOrder(
      due("geotrust-dv-1-starter"),
      news({ domain: "a.example.com", productCode: "geotrust-dv-1-starter", renewBeforeDays: 30 }),
      now,
    );
    assert.deepEqual(paid.replaces, ["renewBeforeDays"]);
    assert.doesNotMatch(paid.reasons.join(), /free certificate/);
  });
});

/** Old state as a CSR order stores it: normalized inputs plus the ordered names in `domains`. */
async function placed(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const checked = await checkOrderInputs({ ...inputs, ...contact });
  assert.deepEqual(checked.failures, []);
  return { ...checked.inputs, orderId: "1", status: "pending_validation", domains: ["shop.example.com"] };
}

async function checked(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const c = await checkOrderInputs({ ...inputs, ...contact });
  assert.deepEqual(c.failures, []);
  return c.inputs;
}

describe("diff: a CSR order with or without a domain equal to its CN", function () {
  this.timeout(30_000);
  let csr: string;
  before(async () => {
    csr = (await makeCsr("shop.example.com", ["shop.example.com"])).pem;
  });

  it("no change: adding domain equal to the CSR's CN (same bound name)", async () => {
    const d = await diffOrder(await placed({ csr }), await checked({ csr, domain: "shop.example.com" }));
    assert.deepEqual([d.changes, d.replaces, d.reasons], [false, [], []]);
  });
  it("no change: adding the CN in another case (normalized by check)", async () => {
    const d = await diffOrder(await placed({ csr }), await checked({ csr, domain: "Shop.Example.COM" }));
    assert.deepEqual([d.changes, d.replaces], [false, []]);
  });
  it("no change: removing a redundant domain", async () => {
    const d = await diffOrder(await placed({ csr, domain: "shop.example.com" }), await checked({ csr }));
    assert.deepEqual([d.changes, d.replaces, d.reasons], [false, [], []]);
  });
  it("replace: a CSR for another name still names csr, with or without domain", async () => {
    const other = (await makeCsr("api.example.com", ["api.example.com"])).pem;
    const d = await diffOrder(
      await placed({ csr }),
      await checked({ csr: other, domain: "api.example.com" }),
    );
    assert.deepEqual([d.changes, d.replaces], [true, ["csr"]]);
  });
  it("replace: from a CSR order to an order by domain for the same name (CAS would make the key)", async () => {
    const d = await diffOrder(await placed({ csr }), await checked({ domain: "shop.example.com" }));
    assert.deepEqual([d.changes, d.replaces], [true, ["csr"]]);
  });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { checkOrderInputs, UNKNOWN, chooseAction } from "../../provider/order/inputs";
import { diffOrder } from "../../provider/order/diff";
import { makeCsr } from "../support/keys";

const FIXTURES = resolve(__dirname, "..", "..", "..", "tests", "fixtures");
const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

type Case = [
  name: string,
  inputs: () => Promise<Record<string, unknown>> | Record<string, unknown>,
  property: string,
  reason?: RegExp,
];

function rewrap(pem: string, width: number, eol = "\n"): string {
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return `  -----BEGIN CERTIFICATE REQUEST-----${eol}${body.match(new RegExp(`.{1,${width}}`, "g"))!.join(eol)}${eol}-----END CERTIFICATE REQUEST-----${eol}${eol}`;
}

describe("check: every bad input fails on the right property", function () {
  this.timeout(60_000);
  let good: string;
  let wildCsr: string;
  before(async () => {
    good = (await makeCsr("www.example.com", ["www.example.com"])).pem;
    wildCsr = (await makeCsr("*.example.com")).pem;
  });
  const tamper = (pem: string) => {
    const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    const der = Buffer.from(body, "base64");
    der[der.length - 5] ^= 0xff; // inside the signature
    return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
  };

  const cases: Case[] = [
    ["neither csr nor domain", () => ({ ...contact }), "domain", /either domain .* or csr/],
    ["garbage PEM", () => ({ csr: "hello", ...contact }), "csr", /not a PEM certificate signing request/],
    ["empty csr", () => ({ csr: "", ...contact }), "csr"],
    [
      "base64 garbage inside PEM armour",
      () => ({
        csr: "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----",
        ...contact,
      }),
      "csr",
      /base64/,
    ],
    [
      "valid base64 but not DER",
      () => ({
        csr: "-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE REQUEST-----",
        ...contact,
      }),
      "csr",
      /DER structure/,
    ],
    [
      "a certificate instead of a CSR",
      () => ({ csr: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", ...contact }),
      "csr",
      /certificate, not a certificate signing request/,
    ],
    [
      "a private key pasted in",
      () => ({ csr: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", ...contact }),
      "csr",
      /private key/,
    ],
    [
      "RSA 1024",
      async () => ({
        csr: (await makeCsr("www.example.com", [], { kind: "RSA", bits: 1024 })).pem,
        ...contact,
      }),
      "csr",
      /1024 bits is too small/,
    ],
    [
      "DSA key",
      () => ({ csr: readFileSync(resolve(FIXTURES, "dsa.csr.pem"), "utf8"), ...contact }),
      "csr",
      /unsupported key type|cannot be parsed/,
    ],
    [
      "secp256k1 key",
      () => ({ csr: readFileSync(resolve(FIXTURES, "secp256k1.csr.pem"), "utf8"), ...contact }),
      "csr",
    ],
    ["bad signature", () => ({ csr: tamper(good), ...contact }), "csr", /signature does not verify/],
    [
      "missing CN",
      async () => ({ csr: (await makeCsr(null, ["www.example.com"])).pem, ...contact }),
      "csr",
      /no CN/,
    ],
    [
      "CN/domain mismatch",
      () => ({ csr: good, domain: "api.example.com", ...contact }),
      "domain",
      /not api\.example\.com/,
    ],
    [
      "wildcard CSR with a single-domain product",
      () => ({ csr: wildCsr, ...contact }),
      "productCode",
      /single-domain product/,
    ],
    [
      "wildcard domain with a single-domain product",
      () => ({ domain: "*.example.com", ...contact }),
      "productCode",
      /wildcard/,
    ],
    [
      "single domain with a wildcard product",
      () => ({ domain: "www.example.com", productCode: "geotrust-dv-w-starter", ...contact }),
      "productCode",
      /wildcard product/,
    ],
    [
      "unknown product code",
      () => ({ domain: "www.example.com", productCode: "letsencrypt-free", ...contact }),
      "productCode",
      /unknown product code/,
    ],
    [
      "EMAIL validation",
      () => ({ domain: "www.example.com", validateType: "EMAIL", ...contact }),
      "validateType",
      /DNS or FILE/,
    ],
    [
      "lower-case dns",
      () => ({ domain: "www.example.com", validateType: "dns", ...contact }),
      "validateType",
    ],
    ["bad email", () => ({ domain: "www.example.com", ...contact, email: "ops@" }), "email", /email address/],
    [
      "email with spaces",
      () => ({ domain: "www.example.com", ...contact, email: "a b@example.com" }),
      "email",
    ],
    [
      "email injection",
      () => ({ domain: "www.example.com", ...contact, email: "a@example.com\r\nBcc: x@evil.com" }),
      "email",
    ],
    [
      "bad phone",
      () => ({ domain: "www.example.com", ...contact, phone: "call me" }),
      "phone",
      /phone number/,
    ],
    ["too short phone", () => ({ domain: "www.example.com", ...contact, phone: "12" }), "phone"],
    [
      "missing username (DV)",
      () => ({ domain: "www.example.com", phone: contact.phone, email: contact.email }),
      "username",
      /needs the contact's username/,
    ],
    [
      "missing phone (DV)",
      () => ({ domain: "www.example.com", username: "u", email: contact.email }),
      "phone",
    ],
    [
      "missing email (DV)",
      () => ({ domain: "www.example.com", username: "u", phone: contact.phone }),
      "email",
    ],
    ["domain as a number", () => ({ domain: 42, ...contact }), "domain"],
    ["csr as an object", () => ({ csr: { pem: "x" }, ...contact }), "csr"],
    ["tags not strings", () => ({ domain: "www.example.com", ...contact, tags: { env: 1 } }), "tags"],
    ["tags as a list", () => ({ domain: "www.example.com", ...contact, tags: ["a"] }), "tags"],
    [
      "unknown property",
      () => ({ domain: "www.example.com", ...contact, domian: "typo.example.com" }),
      "domian",
      /unknown property/,
    ],
    [
      "domain with a space",
      () => ({ domain: "www example.com", ...contact }),
      "domain",
      /not a valid host name/,
    ],
    ["domain with a URL scheme", () => ({ domain: "https://www.example.com", ...contact }), "domain"],
    ["domain with a path", () => ({ domain: "www.example.com/path", ...contact }), "domain"],
    ["IP address", () => ({ domain: "192.168.1.1", ...contact }), "domain"],
    ["unicode look-alike (Cyrillic а)", () => ({ domain: "www.exаmple.com", ...contact }), "domain"],
    [
      "double wildcard",
      () => ({ domain: "*.*.example.com", productCode: "geotrust-dv-w-starter", ...contact }),
      "domain",
    ],
    ["label over 63 characters", () => ({ domain: `${"a".repeat(64)}.example.com`, ...contact }), "domain"],
    ["oversized domain", () => ({ domain: `${"a.".repeat(200)}com`, ...contact }), "domain"],
    ["oversized CSR", () => ({ csr: "A".repeat(20_000), ...contact }), "csr", /16 KiB/],
    [
      "SQL-looking domain",
      () => ({ domain: "www.example.com'; DROP TABLE orders;--", ...contact }),
      "domain",
    ],
    [
      "shell-looking username",
      () => ({ domain: "www.example.com", ...contact, username: "$(rm -rf /)".repeat(10) }),
      "username",
    ],
    [
      "bad onDelete",
      () => ({ domain: "www.example.com", ...contact, onDelete: "destroy" }),
      "onDelete",
      /cancel, revoke or retain/,
    ],
    [
      "renewBeforeDays zero",
      () => ({ domain: "www.example.com", ...contact, renewBeforeDays: 0 }),
      "renewBeforeDays",
    ],
    [
      "renewBeforeDays fraction",
      () => ({ domain: "www.example.com", ...contact, renewBeforeDays: 1.5 }),
      "renewBeforeDays",
    ],
    [
      "adoptOrderId not numeric",
      () => ({ domain: "www.example.com", ...contact, adoptOrderId: "12ab" }),
      "adoptOrderId",
    ],
    ["bad quotaCheck", () => ({ domain: "www.example.com", ...contact, quotaCheck: "strict" }), "quotaCheck"],
  ];

  for (const [name, make, property, reason] of cases) {
    it(name, async () => {
      const { failures } = await checkOrderInputs(await make());
      assert.ok(failures.length > 0, "expected a failure");
      assert.equal(failures[0]!.property, property, JSON.stringify(failures));
      if (reason) assert.match(failures[0]!.reason, reason);
    });
  }

  it(`covers at least 40 cases (${cases.length})`, () => assert.ok(cases.length >= 40));

  it("normalizes good inputs: canonical PEM, lower case, no trailing dot, defaults", async () => {
    const { inputs, failures } = await checkOrderInputs({ domain: "WWW.Example.COM.", ...contact });
    assert.deepEqual(failures, []);
    assert.equal(inputs.domain, "www.example.com");
    assert.equal(inputs.productCode, "digicert-free-1-free");
    assert.equal(inputs.validateType, "DNS");
    assert.equal(inputs.onDelete, "cancel");
    const csr = await checkOrderInputs({ csr: rewrap(good, 76, "\r\n"), ...contact });
    assert.deepEqual(csr.failures, []);
    assert.equal(csr.inputs.csr, good.trim() + "\n");
  });

  it("does not judge values that are unknown during preview", async () => {
    const { failures, inputs } = await checkOrderInputs({
      domain: UNKNOWN,
      email: UNKNOWN,
      username: "u",
      phone: contact.phone,
    });
    assert.deepEqual(failures, []);
    assert.equal(inputs.domain, UNKNOWN);
  });

  it("chooses the action from the inputs", async () => {
    const base = {
      productCode: "digicert-free-1-free",
      validateType: "DNS",
      onDelete: "cancel",
      quotaCheck: "warn",
    } as const;
    assert.equal(
      chooseAction({ ...base, domain: "a.example.com" }, ["a.example.com"]),
      "CreateCertificateRequest",
    );
    assert.equal(
      chooseAction({ ...base, csr: good }, ["www.example.com"]),
      "CreateCertificateWithCsrRequest",
    );
    assert.equal(
      chooseAction({ ...base, csr: good }, ["a.example.com", "b.example.com"]),
      "CreateCertificateForPackageRequest",
    );
    assert.equal(
      chooseAction({ ...base, productCode: "geotrust-ov-1-personal", domain: "a.example.com" }, [
        "a.example.com",
      ]),
      "CreateCertificateForPackageRequest",
    );
    assert.equal(
      chooseAction({ ...base, companyName: "ACME", domain: "a.example.com" }, ["a.example.com"]),
      "CreateCertificateForPackageRequest",
    );
  });
});

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
    const { x509 } = await import("../../provider/pki/x509.js");
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
    assert.deepEqual(await diffOrder(olds({ csr }), news({ csr: rewrap(csr, 76, "\r\n") })), {
      changes: false,
      replaces: [],
      reasons: [],
    });
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
    assert.match(d.reasons.join(), /renewal: the certificate expires 2026-06-20/);
    const early = await diffOrder(issued, news({ domain: "a.example.com", renewBeforeDays: 10 }), now);
    assert.deepEqual(early.replaces, []);
  });
});

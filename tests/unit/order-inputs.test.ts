import assert from "node:assert/strict";
import { checkOrderInputs, UNKNOWN, chooseAction, orderInputsSchema } from "../../provider/order/inputs";
import { checkValidationInputs } from "../../provider/order/validation-inputs";
import { makeCsr, rewrapCsr } from "../support/keys";
import { CertificateOrder } from "../../sdk/certificate-order";
import { BAD_INPUTS, extraCsrs } from "../support/bad-inputs";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

describe("check: every bad input fails on the right property", function () {
  this.timeout(60_000);
  let good: string;
  let wildCsr: string;
  before(async () => {
    good = (await makeCsr("www.example.com", ["www.example.com"])).pem;
    wildCsr = (await makeCsr("*.example.com")).pem;
  });

  for (const [name, make, expected] of BAD_INPUTS) {
    it(name, async () => {
      const { failures } = await checkOrderInputs(await make({ good, wildCsr, ...(await extraCsrs()) }));
      assert.deepEqual(
        failures.map((f) => f.property),
        expected.map(([p]) => p),
        JSON.stringify(failures),
      );
      failures.forEach((f, i) => assert.match(f.reason, expected[i]![1]));
    });
  }

  it("has a case for every property of the input schema", () => {
    const named = new Set(BAD_INPUTS.flatMap(([, , expected]) => expected.map(([property]) => property)));
    assert.deepEqual(
      Object.keys(orderInputsSchema.shape).filter((property) => !named.has(property)),
      [],
      "properties no bad input exercises",
    );
  });

  it("accepts phone numbers in groups, with masks, a country prefix or an area code in parentheses", async () => {
    for (const phone of [
      "13800001111",
      "+86 138 0000 1111",
      "138-0000-1111",
      "138****1111",
      "(010)12345678",
      "(86) 138 0000 1111",
    ]) {
      const { failures } = await checkOrderInputs({ domain: "www.example.com", ...contact, phone });
      assert.deepEqual(failures, [], phone);
    }
  });

  it("accepts validation record names with underscore labels up to 63 characters", () => {
    for (const fqdn of [
      "_dnsauth.www.example.com",
      "_dnsauth.example.com.",
      `_${"a-".repeat(31)}.example.com`,
      `_${"a".repeat(62)}.example.com`,
      `_a${"-".repeat(60)}a.example.com`,
    ])
      assert.deepEqual(checkValidationInputs({ orderId: "1", validationRecordFqdns: [fqdn] }), [], fqdn);
  });

  it("normalizes good inputs: canonical PEM, lower case, no trailing dot, defaults", async () => {
    const { inputs, failures } = await checkOrderInputs({ domain: "WWW.Example.COM.", ...contact });
    assert.deepEqual(failures, []);
    assert.equal(inputs.domain, "www.example.com");
    assert.equal(inputs.productCode, "digicert-free-1-free");
    assert.equal(inputs.validateType, "DNS");
    assert.equal(inputs.onDelete, "cancel");
    const csr = await checkOrderInputs({
      csr: rewrapCsr(good, 76, { eol: "\r\n", indent: "  " }),
      ...contact,
    });
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

describe("check: several names, by domain or by CSR", function () {
  this.timeout(30_000);
  it("domains: several names by domain, normalized, through ForPackage without a contact", async () => {
    const { inputs, failures } = await checkOrderInputs({ domains: ["WWW.Example.com.", "example.com"] });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs.domains, ["www.example.com", "example.com"]);
    assert.equal(chooseAction(inputs as never, inputs.domains), "CreateCertificateForPackageRequest");
  });
  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["six names", { domains: [1, 2, 3, 4, 5, 6].map((i) => `n${i}.example.com`) }, "domains", /at most 5/],
    ["empty list", { domains: [] }, "domains", /at least one/],
    [
      "single and wildcard mixed",
      { domains: ["a.example.com", "*.example.com"], productCode: "geotrust-dv-w-starter" },
      "domains",
      /mix wildcard and single/,
    ],
    [
      "wildcards with a single-name product",
      { domains: ["*.a.example.com", "*.b.example.com"] },
      "productCode",
      /wildcard/,
    ],
    ["a name twice", { domains: ["a.example.com", "A.example.com"] }, "domains", /twice/],
    ["not a host name", { domains: ["a.example.com", "bad_name"] }, "domains", /bad_name/],
    ["domain and domains", { domain: "a.example.com", domains: ["b.example.com"] }, "domains", /not both/],
  ];
  for (const [name, raw, property, reason] of refused)
    it(`refuses ${name}, naming ${property}`, async () => {
      const { failures } = await checkOrderInputs({ ...raw, ...contact });
      assert.ok(
        failures.some((f) => f.property === property && reason.test(f.reason)),
        JSON.stringify(failures),
      );
    });
  it("refuses a CSR with names beyond its CN: CAS binds only the CN", async () => {
    const { pem } = await makeCsr("www.example.com", ["www.example.com", "api.example.com"]);
    const { failures } = await checkOrderInputs({ csr: pem, ...contact });
    assert.equal(failures.length, 1, JSON.stringify(failures));
    assert.equal(failures[0]!.property, "csr");
    assert.match(failures[0]!.reason, /CAS binds only the CSR's CN \(www\.example\.com\)/);
    assert.match(failures[0]!.reason, /api\.example\.com would not be in the certificate/);
    assert.match(failures[0]!.reason, /domains/);
    assert.match(failures[0]!.reason, /one order per name/);
  });
  it("accepts a CSR whose only SAN is its CN; refuses domains beside a CSR", async () => {
    const { pem } = await makeCsr("www.example.com", ["www.example.com"]);
    assert.deepEqual((await checkOrderInputs({ csr: pem, ...contact })).failures, []);
    const both = await checkOrderInputs({
      csr: pem,
      domains: ["www.example.com", "a.example.com"],
      ...contact,
    });
    assert.deepEqual(
      both.failures.map((f) => f.property),
      ["domains"],
    );
    assert.match(both.failures[0]!.reason, /binds only the CSR's CN/);
  });
});

describe("check: tags against the limits of the action the order uses", function () {
  this.timeout(30_000);
  let csr: string;
  before(async () => {
    csr = (await makeCsr("www.example.com", ["www.example.com"])).pem;
  });
  const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
  const tagFailures = async (raw: Record<string, unknown>) =>
    (await checkOrderInputs({ ...contact, ...raw })).failures.filter((f) => f.property === "tags");
  const byDomain = { domain: "www.example.com" };

  it("CreateCertificateRequest: 20 tags, key ≤ 64 starting with a letter, value ≤ 128 and may be empty", async () => {
    assert.deepEqual(await tagFailures({ ...byDomain, tags: { ...many(19), env: "" } }), []);
    for (const [tags, reason] of [
      [many(21), /CreateCertificateRequest takes at most 20 tags/],
      [{ ["k".repeat(65)]: "v" }, /65 characters; CreateCertificateRequest allows at most 64/],
      [{ "1env": "v" }, /must start with a letter/],
      [{ "aliyun-env": "v" }, /must not start with "aliyun" or "acs:"/],
      [{ "acs:env": "v" }, /must not start with "aliyun" or "acs:"/],
      [{ "see-http://x": "v" }, /must not contain http:\/\/ or https:\/\//],
      [{ env: "v".repeat(129) }, /129 characters; CreateCertificateRequest allows at most 128/],
    ] as const) {
      const f = await tagFailures({ ...byDomain, tags });
      assert.ok(
        f.some((x) => reason.test(x.reason)),
        `${JSON.stringify(Object.keys(tags)).slice(0, 40)}: ${JSON.stringify(f)}`,
      );
    }
  });
  it("CreateCertificateWithCsrRequest: key up to 128, no letter rule, value up to 128 (the emulator's guess)", async () => {
    assert.deepEqual(await tagFailures({ csr, tags: { ["1" + "k".repeat(127)]: "v".repeat(128) } }), []);
    assert.match(
      (await tagFailures({ csr, tags: { env: "v".repeat(129) } }))[0]!.reason,
      /129 characters; CreateCertificateWithCsrRequest allows at most 128$/,
    );
    const f = await tagFailures({ csr, tags: { ["k".repeat(129)]: "v" } });
    assert.match(f[0]!.reason, /CreateCertificateWithCsrRequest allows at most 128/);
    assert.match((await tagFailures({ csr, tags: many(21) }))[0]!.reason, /at most 20 tags/);
  });
  it("__proto__, constructor and prototype keys are refused naming tags, in check and in the SDK", async () => {
    // Own keys as JSON.parse makes them; Pulumi's wire format drops `__proto__` before check.
    const raw = JSON.parse('{"__proto__":"x","constructor":"y","prototype":"z","team":"web"}') as Record<
      string,
      string
    >;
    assert.deepEqual(
      (await tagFailures({ ...byDomain, tags: raw })).map((f) => f.reason.split(":")[0]),
      [
        '"__proto__" cannot be a tag key',
        '"constructor" cannot be a tag key',
        '"prototype" cannot be a tag key',
      ],
    );
    assert.throws(
      () => new CertificateOrder("o", { ...byDomain, ...contact, tags: raw }),
      /^Error: CertificateOrder o: tags: "__proto__" cannot be a tag key: .*rename it$/,
    );
  });
  it("the SDK refuses a csr that is not text (a Buffer, list or object) before the engine sees it, without showing it", async () => {
    const { privateKey } = await extraCsrs();
    const body = privateKey.split("\n")[1]!;
    for (const [csr, what] of [
      [Buffer.from(privateKey), "a Buffer"],
      [[privateKey], "a list"],
      [{ pem: privateKey }, "a value of type object"],
    ] as const) {
      const e = (() => {
        try {
          new CertificateOrder("o", { csr: csr as never, ...contact });
        } catch (err) {
          return err as Error;
        }
        return undefined;
      })();
      assert.ok(e, what);
      assert.match(
        e.message,
        /^CertificateOrder o: csr must be PEM text, e\.g\. readFileSync\("app\.csr", "utf8"\)/,
      );
      assert.ok(e.message.includes(`got ${what}.`), e.message);
      assert.ok(!e.message.includes(body) && !e.message.includes("45,45"));
    }
  });
  it("CreateCertificateForPackageRequest documents no limits: the laxest sibling's (20 tags, key and value 128) apply", async () => {
    const pkg = { domains: ["a.example.com", "b.example.com"] };
    const reasons = async (tags: Record<string, string>) =>
      (await tagFailures({ ...pkg, tags })).map((f) => f.reason);
    assert.deepEqual(await reasons({ ...many(20), ["k".repeat(128)]: "v".repeat(128) }), [
      "CreateCertificateForPackageRequest takes at most 20 tags; this order has 21",
    ]);
    assert.deepEqual(await reasons({ ["k".repeat(129)]: "v".repeat(129) }), [
      'tag key "kkkkkkkkkkkkkkkkkkkk…" is 129 characters; CreateCertificateForPackageRequest allows at most 128',
      'the value of tag "kkkkkkkkkkkkkkkkkkkk…" is 129 characters; CreateCertificateForPackageRequest allows at most 128',
    ]);
    assert.equal((await tagFailures({ ...pkg, tags: { "aliyun:x": "v" } })).length, 1);
    assert.equal((await tagFailures({ ...pkg, tags: { "": "v" } })).length, 1);
  });
});

import assert from "node:assert/strict";
import { checkOrderInputs, chooseAction, orderInputsSchema } from "../../provider/order/inputs";
import { productWarnings } from "../../provider/order/product-warnings";
import { siteOf, INTERNATIONAL_ENDPOINT, CHINA_ENDPOINT } from "../../provider/cas/endpoints";
import { PRODUCTS } from "../../provider/cas/products";
import { systemClock } from "../../runtime/clock";
import { renew } from "../../provider/order/context";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

describe("product codes: undocumented ones warn, China-site-only ones warn on the international site", () => {
  const logged: string[] = [];
  const saved = { ...process.env };
  // One configuration for the file (its warnings are said once), whose stack config a test sets.
  let lookup: (key: string) => string | undefined = () => undefined;
  const setConfig = (next: (key: string) => string | undefined) => void (lookup = next);
  const ctx = renew(
    { config: { get: (k) => lookup(k) }, log: (l) => void logged.push(l) },
    systemClock,
    "order",
  );
  beforeEach(() => {
    logged.length = 0;
    for (const k of ["ALIBABA_CLOUD_ENDPOINT_CAS", "ALICLOUD_REGION", "ALIBABA_CLOUD_REGION"])
      delete process.env[k];
  });
  afterEach(() => {
    setConfig(() => undefined);
    process.env = { ...saved };
  });
  const check = (news: Record<string, unknown>) =>
    checkOrderInputs({ ...contact, ...news }, (code) => ctx.warnProduct(code));

  it("an undocumented code passes check with one warning naming the documented ones, and goes through ForPackage", async () => {
    const { failures, inputs } = await check({ domain: "*.example.com", productCode: "vtrus-dv-w-starter" });
    assert.deepEqual(failures, []);
    assert.equal(logged.length, 1, logged.join("\n"));
    assert.match(
      logged[0]!,
      /^\[alicloud-cas\] warning: productCode "vtrus-dv-w-starter" is not one of the documented product codes \(digicert-free-1-free, symantec-free-1-free, /,
    );
    for (const code of Object.keys(PRODUCTS)) assert.ok(logged[0]!.includes(code), code);
    assert.match(logged[0]!, /sent as given through CreateCertificateForPackageRequest/);
    const parsed = orderInputsSchema.parse(inputs);
    assert.equal(chooseAction(parsed, ["*.example.com"]), "CreateCertificateForPackageRequest");
    // Its kind is CAS's to judge: a single name passes too.
    assert.deepEqual(
      (await check({ domain: "www.example.com", productCode: "vtrus-dv-w-starter" })).failures,
      [],
    );
  });

  it("a code that is a property of Object.prototype is just an undocumented code", async () => {
    const { failures, inputs } = await check({ domain: "www.example.com", productCode: "constructor" });
    assert.deepEqual(failures, []);
    assert.match(logged[0]!, /productCode "constructor" is not one of the documented product codes/);
    assert.equal(
      chooseAction(orderInputsSchema.parse(inputs), ["www.example.com"]),
      "CreateCertificateForPackageRequest",
    );
  });

  it("symantec-dv-1-starter: single and wildcard names both pass (the docs disagree), without a warning", async () => {
    for (const domain of ["www.example.com", "*.example.com"])
      assert.deepEqual((await check({ domain, productCode: "symantec-dv-1-starter" })).failures, [], domain);
    assert.deepEqual(logged, []);
    // The documented kinds stay checked.
    const wrong = await check({ domain: "*.example.com", productCode: "geotrust-dv-1-starter" });
    assert.deepEqual(
      wrong.failures.map((f) => f.property),
      ["productCode"],
    );
  });

  it("a China-site-only code warns when the endpoint is the international site's, naming it", async () => {
    setConfig((k) => (k === "alicloud:region" ? "ap-southeast-1" : undefined));
    assert.deepEqual((await check({ domain: "www.example.com" })).failures, []);
    assert.deepEqual(logged, [
      `[alicloud-cas] warning: productCode digicert-free-1-free (the default) is available only on the China site (the SDK's remark), but this provider talks to the international site's endpoint ${INTERNATIONAL_ENDPOINT}; CAS there may refuse the order. Use a region of the China site (alicloud:region cn-hangzhou) or a product code your international account's plan holds`,
    ]);
    logged.length = 0;
    for (const productCode of ["symantec-free-1-free", "cfca-ov-1-personal", "cfca-ev-w-advanced"]) {
      const domain = productCode === "cfca-ev-w-advanced" ? "*.example.com" : "www.example.com";
      assert.deepEqual((await check({ domain, productCode })).failures, []);
    }
    assert.deepEqual(
      logged.map((l) => /productCode (\S+) is available only on the China site/.exec(l)?.[1]),
      ["symantec-free-1-free", "cfca-ov-1-personal", "cfca-ev-w-advanced"],
    );
    logged.length = 0;
    await check({ domain: "www.example.com", productCode: "geotrust-dv-1-starter" });
    assert.deepEqual(logged, [], "a code the international site sells");
  });

  it("no warning on the China site, through an endpoint that says nothing, or when the region is not valid", async () => {
    for (const [config, env] of [
      [{}, {}],
      [{ "alicloud:region": "cn-hangzhou" }, {}],
      [{ "alicloud:region": "us-east-1" }, {}], // the SDK's map sends it to cas.aliyuncs.com
      [{ "alicloud:region": "ap-southeast-1" }, { ALIBABA_CLOUD_ENDPOINT_CAS: "http://127.0.0.1:8080" }],
      [{ "alicloud:region": "not a region" }, {}],
    ] as Array<[Record<string, string>, Record<string, string>]>) {
      setConfig((k) => config[k]);
      Object.assign(process.env, env);
      assert.deepEqual((await check({ domain: "www.example.com" })).failures, [], JSON.stringify(config));
      for (const k of Object.keys(env)) delete process.env[k];
    }
    assert.deepEqual(logged, []);
    process.env.ALIBABA_CLOUD_ENDPOINT_CAS = "cas.eu-central-1.aliyuncs.com";
    await check({ domain: "www.example.com" });
    assert.match(logged[0]!, /international site's endpoint https:\/\/cas\.eu-central-1\.aliyuncs\.com/);
  });

  it("siteOf reads the site from the endpoint's host only", () => {
    assert.equal(siteOf(CHINA_ENDPOINT), "china");
    assert.equal(siteOf("https://cas.cn-shanghai.aliyuncs.com"), "china");
    assert.equal(siteOf(INTERNATIONAL_ENDPOINT), "international");
    assert.equal(siteOf("https://CAS.AP-SOUTHEAST-5.aliyuncs.com/"), "international");
    assert.equal(siteOf("http://127.0.0.1:8080"), undefined);
    assert.equal(siteOf("https://cas.example.com"), undefined);
    assert.equal(siteOf("not a url"), undefined);
    assert.deepEqual(productWarnings("geotrust-dv-w-starter", INTERNATIONAL_ENDPOINT), []);
    assert.deepEqual(productWarnings("digicert-free-1-free", undefined), []);
  });
});

import assert from "node:assert/strict";
import { DEFAULT_PRODUCT_CODE } from "../../provider/cas/products";
import { diffOrder as diffAt } from "../../provider/order/diff";

/** The diff at `now` (the clock's time when a test does not care). */
const diffOrder = (olds: Record<string, unknown>, news: Record<string, unknown>, now = Date.now()) =>
  diffAt(olds, news, now);
import { INPUT_DEFAULTS, UNKNOWN } from "../../provider/order/inputs";
import { parseProps } from "../../provider/order/parse-state";
import { previewInputsSchema } from "../../provider/order/state";
import {
  checkValidationInputs,
  validationSettings,
  validationStateSchema,
} from "../../provider/order/validation-inputs";
import { DEFAULT_WAIT } from "../../provider/order/waiter";
import { csrCommonName, parseCsr } from "../../provider/pki/csr";
import { makeCsr } from "../support/keys";

describe("input defaults come from the input schema", () => {
  it("lists every default the schema declares, and nothing else", () => {
    assert.deepEqual(INPUT_DEFAULTS, {
      productCode: DEFAULT_PRODUCT_CODE,
      validateType: "DNS",
      onDelete: "cancel",
      quotaCheck: "warn",
    });
  });
  it("diff: state written before a default existed equals the default, not a change", async () => {
    // Checked inputs always carry every default; old state may lack those added since.
    const olds = {
      domain: "a.example.com",
      orderId: "1",
      productCode: DEFAULT_PRODUCT_CODE,
      validateType: "DNS",
    };
    const news = { domain: "a.example.com", ...INPUT_DEFAULTS };
    assert.equal((await diffOrder(olds, news)).changes, false);
    for (const [p, other] of [
      ["onDelete", "retain"],
      ["quotaCheck", "off"],
    ] as const)
      assert.equal((await diffOrder(olds, { ...news, [p]: other })).changes, true, p);
  });
});

describe("CertificateOrder inputs at the provider boundary", () => {
  it("preview inputs may hold Pulumi's unknown placeholder in any field", () => {
    const news = parseProps(
      previewInputsSchema,
      { domains: UNKNOWN, renewBeforeDays: UNKNOWN, tags: UNKNOWN, onDelete: "cancel" },
      "inputs",
    );
    assert.equal(news.renewBeforeDays, UNKNOWN);
    assert.throws(
      () => parseProps(previewInputsSchema, { renewBeforeDays: "soon" }, "inputs"),
      /renewBeforeDays/,
    );
  });
});

describe("CertificateOrderValidation inputs and state", () => {
  it("settings take the waiter's defaults for what is unset", () => {
    const s = validationSettings(parseProps(validationStateSchema, { orderId: "5" }, "state"));
    assert.deepEqual(s, {
      ...DEFAULT_WAIT,
      orderId: "5",
      instanceId: null,
      dnsPrecheck: null,
      validationRecordFqdns: null,
    });
    const pre = validationSettings(
      parseProps(validationStateSchema, { orderId: "5", dnsPrecheck: true, timeoutMinutes: 3 }, "state"),
    );
    assert.deepEqual([pre.dnsPrecheck, pre.timeoutMinutes], [{ resolvers: [] }, 3]);
  });
  it("check takes exactly one of orderId or instanceId, naming the property and both fixes", () => {
    assert.deepEqual(checkValidationInputs({ instanceId: "cas-cn-abc123" }), []);
    const neither = checkValidationInputs({ timeoutMinutes: 5 });
    assert.deepEqual(
      neither.map((f) => f.property),
      ["orderId"],
    );
    assert.match(neither[0]!.reason, /exactly one of orderId .* or instanceId/);
    assert.deepEqual(
      checkValidationInputs({ orderId: "1", instanceId: "cas-cn-abc123" }).map((f) => f.property),
      ["instanceId"],
    );
  });
  it("check accepts the outputs the SDK declares as inputs, and values still unknown", () => {
    assert.deepEqual(
      checkValidationInputs({
        orderId: UNKNOWN,
        certificatePem: undefined,
        validationRecordFqdns: [UNKNOWN],
      }),
      [],
    );
    assert.deepEqual(
      checkValidationInputs({ orderId: "1", timeoutMinutes: UNKNOWN, dnsPrecheck: UNKNOWN }),
      [],
    );
  });
});

describe("a CSR's bound name is read in one place", () => {
  it("csrCommonName (the SDK, at preview) gives what parseCsr (check) gives", async function () {
    this.timeout(30_000);
    const { pem } = await makeCsr("WWW.Example.com.", ["www.example.com"]);
    assert.equal(csrCommonName(pem), "www.example.com");
    assert.equal(csrCommonName(pem), (await parseCsr(pem)).commonName);
    assert.equal(csrCommonName((await makeCsr(null)).pem), null);
    assert.equal(csrCommonName("not a csr"), null);
  });
});

import assert from "node:assert/strict";
import { orderInputsSchema } from "../../provider/order/inputs";
import { NO_NEW_PLANS, quotaCheck } from "../../provider/order/quota";
import { CasApiError, CasCredentialsError } from "../../provider/cas/errors";

const DIGICERT = "digicert-free-1-free";
const SYMANTEC = "symantec-free-1-free";

/** A quota check over a fake plan: `left` orders per product code, a settable clock, a captured log. */
function harness(left: Record<string, number | Error>) {
  let now = 0;
  const asked: string[] = [];
  const lines: string[] = [];
  const check = quotaCheck({
    remaining: async (code) => {
      asked.push(code);
      const v = left[code];
      if (v instanceof Error) throw v;
      if (v === undefined) throw new Error(`no plan ${code}`);
      return v;
    },
    clock: { now: () => now },
    log: (m) => lines.push(m),
  });
  return { check, asked, lines, advance: (ms: number) => (now += ms) };
}

const order = (raw: Record<string, unknown>) => orderInputsSchema.parse(raw);

describe("quota check (provider/order/quota.ts)", () => {
  it("passes while the planned orders fit, then warns naming what is left and what is planned", async () => {
    const h = harness({ [DIGICERT]: 2 });
    assert.equal(await h.check(order({ domain: "a.example.com" })), undefined);
    assert.equal(await h.check(order({ domain: "b.example.com" })), undefined);
    assert.deepEqual(h.lines, []);
    assert.equal(await h.check(order({ domain: "c.example.com" })), undefined);
    assert.deepEqual(h.lines, [
      `warning: the ${DIGICERT} plan has 2 order(s) left and this deployment plans 3; buy more in the CAS console or order fewer (${NO_NEW_PLANS})`,
    ]);
  });

  it('quotaCheck "fail" fails on productCode instead of warning', async () => {
    const h = harness({ [DIGICERT]: 1 });
    await h.check(order({ domain: "a.example.com", quotaCheck: "fail" }));
    const failure = await h.check(order({ domain: "b.example.com", quotaCheck: "fail" }));
    assert.deepEqual(failure, {
      property: "productCode",
      reason: `the ${DIGICERT} plan has 1 order(s) left and this deployment plans 2; buy more in the CAS console or order fewer (${NO_NEW_PLANS})`,
    });
    assert.deepEqual(h.lines, []);
  });

  it("counts one order once however often it is checked, and domains in any order as one order", async () => {
    const h = harness({ [DIGICERT]: 1 });
    for (let i = 0; i < 3; i++)
      assert.equal(
        await h.check(order({ domains: ["b.example.com", "a.example.com"], quotaCheck: "fail" })),
        undefined,
      );
    assert.equal(
      await h.check(order({ domains: ["a.example.com", "b.example.com"], quotaCheck: "fail" })),
      undefined,
    );
    assert.equal(
      (await h.check(order({ domains: ["a.example.com"], quotaCheck: "fail" })))?.property,
      "productCode",
    );
  });

  it("counts each product code against its own plan", async () => {
    const h = harness({ [DIGICERT]: 1, [SYMANTEC]: 1 });
    assert.equal(await h.check(order({ domain: "a.example.com", quotaCheck: "fail" })), undefined);
    assert.equal(
      await h.check(order({ domain: "b.example.com", productCode: SYMANTEC, quotaCheck: "fail" })),
      undefined,
    );
    assert.deepEqual(h.asked, [DIGICERT, SYMANTEC]);
  });

  it("neither counts nor asks for quotaCheck off or an adopted order", async () => {
    const h = harness({ [DIGICERT]: 0 });
    assert.equal(await h.check(order({ domain: "a.example.com", quotaCheck: "off" })), undefined);
    assert.equal(
      await h.check(order({ domain: "b.example.com", adoptOrderId: "123", quotaCheck: "fail" })),
      undefined,
    );
    assert.deepEqual(h.asked, []);
  });

  it("reads each plan once a minute however many orders it checks", async () => {
    const h = harness({ [DIGICERT]: 500 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => h.check(order({ domain: `n${i}.example.com` }))));
    assert.equal(h.asked.length, 1);
    h.advance(59_999);
    await h.check(order({ domain: "x.example.com" }));
    assert.equal(h.asked.length, 1);
    h.advance(1);
    await h.check(order({ domain: "y.example.com" }));
    assert.equal(h.asked.length, 2);
  });

  it("refused or missing credentials: the skip line is short (each create's error carries the explanation); fail keeps it", async () => {
    const refused = new CasApiError({
      code: "SignatureDoesNotMatch",
      message: "bad signature",
      httpStatus: 400,
      requestId: "R",
      hostId: null,
      recommend: null,
      action: "DescribePackageState",
      retryable: false,
      advice: " Credentials in use: access key ak from test. Usual causes: (1) …",
    });
    const missing = new CasCredentialsError("No Alibaba Cloud credentials found. Looked at: here; there.");
    const h = harness({ [DIGICERT]: refused, [SYMANTEC]: missing });
    await h.check(order({ domain: "a.example.com" }));
    await h.check(order({ domain: "b.example.com", productCode: SYMANTEC }));
    assert.deepEqual(h.lines, [
      `quota check for ${DIGICERT} skipped (the credentials were refused (SignatureDoesNotMatch); pulumi up stops at the first call that needs them, and that error says which credentials are in use and the usual causes)`,
      `quota check for ${SYMANTEC} skipped (no credentials found: set alicloud:accessKey and alicloud:secretKey, or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET; pulumi up stops at the first call that needs them, and that error says every place looked at)`,
    ]);
    const failed = await h.check(order({ domain: "c.example.com", quotaCheck: "fail" }));
    assert.match(failed!.reason, /Credentials in use: access key ak from test\. Usual causes/);
  });

  it("reset forgets the planned orders, the plan figures and what was seen (a new configuration)", async () => {
    const h = harness({ [DIGICERT]: 1 });
    await h.check(order({ domain: "a.example.com" }));
    await h.check(order({ domain: "b.example.com" }));
    assert.deepEqual(h.check.seen(DIGICERT), { remaining: 1, planned: 2 });
    h.check.reset();
    assert.equal(h.check.seen(DIGICERT), undefined);
    await h.check(order({ domain: "c.example.com" }));
    assert.deepEqual(h.check.seen(DIGICERT), { remaining: 1, planned: 1 });
    assert.equal(h.asked.length, 2, "the plan is read again after a reset");
  });

  it("an unreadable plan: warn reports the skip once per product code; fail fails naming quotaCheck and the fix", async () => {
    const h = harness({ [DIGICERT]: new Error("InternalError: try later") });
    assert.equal(await h.check(order({ domain: "a.example.com" })), undefined);
    assert.equal(await h.check(order({ domain: "b.example.com" })), undefined);
    assert.deepEqual(h.lines, [
      `quota check for ${DIGICERT} skipped (reading the plan (DescribePackageState) failed: InternalError: try later)`,
    ]);
    assert.equal(h.asked.length, 2, "a failed look-up is not kept: the next check asks again");
    assert.deepEqual(await h.check(order({ domain: "c.example.com", quotaCheck: "fail" })), {
      property: "quotaCheck",
      reason: `quotaCheck is "fail" but the ${DIGICERT} plan could not be checked (reading the plan (DescribePackageState) failed: InternalError: try later). Fix that, or set quotaCheck to "warn" to order without the check.`,
    });
  });

  it("remembers what it last saw per product code (for the create's NotRemainCount error); nothing when it read no plan", async () => {
    const h = harness({ [DIGICERT]: 1, [SYMANTEC]: new Error("down") });
    assert.equal(h.check.seen(DIGICERT), undefined);
    await h.check(order({ domain: "a.example.com" }));
    await h.check(order({ domain: "b.example.com" }));
    assert.deepEqual(h.check.seen(DIGICERT), { remaining: 1, planned: 2 });
    await h.check(order({ domain: "c.example.com", productCode: SYMANTEC }));
    assert.equal(h.check.seen(SYMANTEC), undefined);
  });

  it("missing credentials are named as such", async () => {
    const h = harness({ [DIGICERT]: new CasCredentialsError("set alicloud:accessKey") });
    const failure = await h.check(order({ domain: "a.example.com", quotaCheck: "fail" }));
    assert.match(failure?.reason ?? "", /could not be checked \(no credentials: set alicloud:accessKey\)/);
  });
});

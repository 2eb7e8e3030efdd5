import assert from "node:assert/strict";
import {
  classifyFailure,
  isRepeatable,
  parseRetryAfter,
  type AttemptOutcome,
  type FailureKind,
} from "../../provider/cas/failure";

const answer = (code: string, httpStatus: number, retryAfter?: string | string[]): AttemptOutcome => ({
  type: "error-answer",
  code,
  httpStatus,
  ...(retryAfter === undefined ? {} : { retryAfter }),
});

// [what happened, kind for a read, kind for a create]
const table: Array<[string, AttemptOutcome, FailureKind, FailureKind]> = [
  ["Throttling.User / 400", answer("Throttling.User", 400), "throttling", "throttling"],
  ["Throttling.Api / 429", answer("Throttling.Api", 429), "throttling", "throttling"],
  ["Throttling / 503", answer("Throttling", 503), "throttling", "throttling"],
  ["ServiceUnavailable / 503", answer("ServiceUnavailable", 503), "transient", "outcome-unknown"],
  ["ServiceUnavailable / 403", answer("ServiceUnavailable", 403), "transient", "outcome-unknown"],
  ["InternalError / 400", answer("InternalError", 400), "transient", "outcome-unknown"],
  ["any code / 502", answer("HTTP502", 502), "transient", "outcome-unknown"],
  ["SignatureNonceUsed / 400", answer("SignatureNonceUsed", 400), "transient", "outcome-unknown"],
  ["SignatureDoesNotMatch / 400", answer("SignatureDoesNotMatch", 400), "not-retryable", "not-retryable"],
  ["InvalidParameter / 400", answer("InvalidParameter", 400), "not-retryable", "not-retryable"],
  ["NotFoundOrder / 404", answer("NotFoundOrder", 404), "not-retryable", "not-retryable"],
  ["QuotaExceeded / 400", answer("QuotaExceeded", 400), "not-retryable", "not-retryable"],
  ["unreadable 2xx answer", { type: "unreadable-answer" }, "not-retryable", "outcome-unknown"],
  ["timeout or reset after sending", { type: "no-answer" }, "transient", "outcome-unknown"],
  [
    "connection refused, no route, no name (never sent)",
    { type: "not-sent", reason: "connect" },
    "never-sent",
    "never-sent",
  ],
  [
    "TLS handshake refused (never sent)",
    { type: "not-sent", reason: "tls" },
    "not-retryable",
    "not-retryable",
  ],
  [
    "no free connection before the deadline (never sent)",
    { type: "not-sent", reason: "no-slot" },
    "transient",
    "transient",
  ],
  ["aborted by the caller", { type: "aborted" }, "not-retryable", "not-retryable"],
];

describe("classifyFailure: one retry decision per failed attempt", () => {
  for (const [name, outcome, read, create] of table) {
    it(`${name}: ${read} for a read, ${create} for a create`, () => {
      assert.equal(classifyFailure(outcome, { creates: false }), read);
      assert.equal(classifyFailure(outcome, { creates: true }), create);
    });
  }

  // x-acs-retry-after (ms): a positive value makes any error answer throttling, checked before the
  // transient rule (aliyun/darabonba-openapi#283); anything else is no header at all.
  const headerTable: Array<[string, string | string[], number | undefined]> = [
    ["positive", "1500", 1500],
    ["positive with spaces", " 250 ", 250],
    ["zero", "0", undefined],
    ["negative", "-1", undefined],
    ["empty", "", undefined],
    ["blank", "  ", undefined],
    ["garbage", "soon", undefined],
    ["digits then garbage", "12abc", undefined],
    ["fractional", "1.5", undefined],
    ["sent twice", ["1500", "1500"], undefined],
  ];
  for (const [name, header, ms] of headerTable)
    it(`x-acs-retry-after ${name} (${JSON.stringify(header)}): ${ms === undefined ? "no hint: the code decides" : "throttling, whatever the code"}`, () => {
      assert.equal(parseRetryAfter(header), ms);
      const expect = (byCode: FailureKind): FailureKind => (ms === undefined ? byCode : "throttling");
      for (const creates of [false, true]) {
        const action = { creates };
        assert.equal(
          classifyFailure(answer("ServiceUnavailable", 503, header), action),
          expect(creates ? "outcome-unknown" : "transient"),
        );
        assert.equal(
          classifyFailure(answer("InternalError", 500, header), action),
          expect(creates ? "outcome-unknown" : "transient"),
        );
        assert.equal(
          classifyFailure(answer("InvalidParameter", 400, header), action),
          expect("not-retryable"),
        );
        assert.equal(classifyFailure(answer("Throttling.User", 400, header), action), "throttling");
      }
    });

  it("no x-acs-retry-after header: no hint", () => {
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it("only a definite answer or an abort is not repeatable", () => {
    assert.deepEqual(
      (["throttling", "transient", "outcome-unknown", "not-retryable"] as const).map(isRepeatable),
      [true, true, true, false],
    );
  });
});

import assert from "node:assert/strict";
import {
  classifyFailure,
  isRepeatable,
  type AttemptOutcome,
  type FailureKind,
} from "../../provider/cas/failure";

const answer = (code: string, httpStatus: number): AttemptOutcome => ({
  type: "error-answer",
  code,
  httpStatus,
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
  ["timeout or reset after sending", { type: "no-answer", sent: true }, "transient", "outcome-unknown"],
  ["connection refused (never sent)", { type: "no-answer", sent: false }, "transient", "transient"],
  ["aborted by the caller", { type: "aborted" }, "not-retryable", "not-retryable"],
];

describe("classifyFailure: one retry decision per failed attempt", () => {
  for (const [name, outcome, read, create] of table) {
    it(`${name}: ${read} for a read, ${create} for a create`, () => {
      assert.equal(classifyFailure(outcome, { creates: false }), read);
      assert.equal(classifyFailure(outcome, { creates: true }), create);
    });
  }

  it("only a definite answer or an abort is not repeatable", () => {
    assert.deepEqual(
      (["throttling", "transient", "outcome-unknown", "not-retryable"] as const).map(isRepeatable),
      [true, true, true, false],
    );
  });
});

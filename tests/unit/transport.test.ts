/* eslint-disable @typescript-eslint/no-require-imports */
import assert from "node:assert/strict";
import * as undici from "undici";

describe("transport", () => {
  // The transport requires these two files instead of undici's index (which loads all of undici):
  // an undici upgrade that moves or changes them must fail here, not in a provider process.
  it("takes undici's own Pool and request from undici's files, as undici's index exports them", () => {
    assert.equal(require("undici/lib/dispatcher/pool"), undici.Pool);
    assert.equal(require("undici/lib/api/api-request"), undici.Dispatcher.prototype.request);
  });
});

import assert from "node:assert/strict";
import { uriSession } from "../../provider/cas/credential-sessions";

// credentialsUri may carry credentials: a URI written without its scheme parses with `user:` as
// its scheme and the rest as a path, and its error must still not show them.
describe("a credentialsUri's errors never show its credentials", () => {
  it("one written without its scheme: the error shows the host part only", async () => {
    const token = "tok3nS3cret";
    const p = uriSession(`svc:${token}@127.0.0.1:9/creds`, "stack config alicloud:credentialsUri");
    const e = (await p.current().then(
      () => undefined,
      (err: unknown) => err,
    )) as Error;
    assert.doesNotMatch(e.message, new RegExp(token));
    assert.doesNotMatch(e.message, /svc/);
    assert.match(e.message, /"…@127\.0\.0\.1:9\/creds" is not an http\(s\) URL/);
  });
});

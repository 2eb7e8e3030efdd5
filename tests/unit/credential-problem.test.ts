import assert from "node:assert/strict";
import { CasApiError, CasCredentialSourceError } from "../../provider/cas/errors";
import { credentialProblem } from "../../provider/order/quota";

const refused = (code: string) =>
  new CasApiError({
    code,
    message:
      "The specified signature is not matched with our calculation. server string to sign is: GET&%2F&…",
    httpStatus: 400,
    requestId: "REQ-1",
    hostId: null,
    recommend: null,
    action: "GetCallerIdentity",
    retryable: false,
    advice: ' Credentials in use: access key LTAI…49cc from profile "bad" (a long explanation follows).',
  });

describe("a preview check skipped for refused credentials says so in one short line", () => {
  it("CAS's refusal, and STS's when the account is asked first (the cause of CredentialSourceFailed)", () => {
    for (const e of [
      refused("SignatureDoesNotMatch"),
      new CasCredentialSourceError("DescribePackageState was not sent: asking STS … failed (…)", {
        cause: refused("SignatureDoesNotMatch"),
      }),
    ]) {
      const line = credentialProblem(e);
      assert.equal(
        line,
        "the credentials were refused (SignatureDoesNotMatch); pulumi up stops at the first call that needs them, and that error says which credentials are in use and the usual causes",
      );
    }
  });

  it("another failure is not called a credential problem", () => {
    assert.equal(credentialProblem(refused("ServiceUnavailable")), undefined);
    assert.equal(credentialProblem(new CasCredentialSourceError("the token file is missing")), undefined);
  });
});

import assert from "node:assert/strict";
import { Settings } from "../../provider/order/settings";

/** The check failure a configuration gives, or undefined. */
const failureOf = (config: Record<string, string>) => new Settings((k) => config[k]).failure()?.reason;

describe("settings: every value is checked at configure, with the code in front", () => {
  it("takes each documented signature scheme, and refuses others naming them all", () => {
    for (const scheme of ["acs3", "acs3-form", "rpc-v1"]) {
      const s = new Settings((k) => ({ "alicloud-cas:signatureScheme": scheme })[k]);
      assert.equal(s.failure(), undefined, scheme);
      assert.equal(s.get("alicloud-cas:signatureScheme"), scheme);
    }
    assert.match(
      failureOf({ "alicloud-cas:signatureScheme": "hmac" }) ?? "",
      /^\[InvalidConfig\] alicloud-cas:signatureScheme: "hmac" is not a signature scheme; use "acs3" \(the default\), "acs3-form" or "rpc-v1"/,
    );
  });

  it("refuses a proxy, metadata or OAuth endpoint that is not an http(s) URL, never printing a proxy's password", () => {
    const proxy = failureOf({ "alicloud-cas:proxy": "htp://u:pw@proxy:3128" }) ?? "";
    assert.match(proxy, /^\[InvalidConfig\] stack config alicloud-cas:proxy: .* is not a proxy URL/);
    assert.doesNotMatch(proxy, /pw/);
    assert.equal(failureOf({ "alicloud-cas:proxy": "direct" }), undefined);
    assert.equal(failureOf({ "alicloud-cas:proxy": "http://proxy.corp:3128" }), undefined);
    for (const key of ["alicloud-cas:ecsMetadataEndpoint", "alicloud-cas:oauthEndpoint"]) {
      assert.match(
        failureOf({ [key]: "not a url" }) ?? "",
        new RegExp(`${key}: "not a url" is not an http\\(s\\) URL`),
      );
      assert.equal(failureOf({ [key]: "http://127.0.0.1:8080" }), undefined);
    }
  });

  it("finds a mistyped or malformed role setting at configure (so preview reports it), without asking STS", () => {
    const role = "acs:ram::1234567890123456:role/ci";
    assert.match(
      failureOf({ "alicloud:assumeRole": JSON.stringify({ rolearn: role }) }) ?? "",
      /^\[InvalidConfig\] alicloud:assumeRole\.rolearn is not a field of alicloud:assumeRole; its fields are roleArn, /,
    );
    assert.match(
      failureOf({ "alicloud:assumeRole": JSON.stringify({ roleArn: role, sessionExpiration: 60 }) }) ?? "",
      /alicloud:assumeRole\.sessionExpiration is 60; a session lasts 900 to 43200 seconds/,
    );
    assert.match(
      failureOf({
        "alicloud:assumeRoleWithOidc": JSON.stringify({
          roleArn: role,
          oidcTokenFile: "/t",
          oidcProviderArn: "nope",
        }),
      }) ?? "",
      /alicloud:assumeRoleWithOidc\.oidcProviderArn is "nope", which is not an OIDC provider ARN/,
    );
    assert.equal(
      failureOf({ "alicloud:assumeRole": JSON.stringify({ roleArn: role, sessionName: "ci" }) }),
      undefined,
    );
    assert.equal(
      failureOf({
        "alicloud:assumeRoleWithOidc": JSON.stringify({
          roleArn: role,
          oidcTokenFile: "/var/run/token",
          oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/gh",
        }),
      }),
      undefined,
    );
  });

  it("refuses timeouts longer than Node's timers keep (they would fire at once), naming the most", () => {
    assert.match(
      failureOf({ "alicloud-cas:operationTimeoutSeconds": "3000000" }) ?? "",
      /alicloud-cas:operationTimeoutSeconds: "3000000" is more than 2147483 seconds, the most this setting takes/,
    );
    assert.equal(failureOf({ "alicloud-cas:operationTimeoutSeconds": "2147483" }), undefined);
    assert.match(
      failureOf({ "alicloud-cas:attemptTimeoutMs": "5000000000" }) ?? "",
      /alicloud-cas:attemptTimeoutMs: "5000000000" is more than 2147483647 milliseconds/,
    );
  });
});

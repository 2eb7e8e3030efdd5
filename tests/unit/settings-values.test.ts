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
    // A password with an unencoded #, / or ? ends the authority early: refused, the password never shown.
    for (const proxy of [
      "http://deploy:2024#Winter!@proxy.corp:3128",
      "http://deploy:8080/s3cret@proxy.corp:3128",
    ]) {
      const message = failureOf({ "alicloud-cas:proxy": proxy }) ?? "";
      assert.match(
        message,
        /"http:\/\/…@proxy\.corp:3128" is not a proxy URL: a proxy is http:\/\/host:port, with no path/,
      );
      assert.match(message, /percent-encoded \(%2F, %3F, %23, %40\)/);
      assert.doesNotMatch(message, /Winter|s3cret|deploy/);
    }
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
      /alicloud:assumeRoleWithOidc\.oidcProviderArn is 4 characters not starting with "acs:" \(not shown: it may be a secret in the wrong field\), which is not an OIDC provider ARN/,
    );
    // A token pasted into an ARN field is never printed; a mistyped ARN is.
    const token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLXZhbHVl.c2ln";
    const pasted = failureOf({ "alicloud:assumeRole": JSON.stringify({ roleArn: token }) }) ?? "";
    assert.match(pasted, /roleArn is 50 characters not starting with "acs:"/);
    assert.doesNotMatch(pasted, /eyJ|c2Vj/);
    assert.match(
      failureOf({ "alicloud:assumeRole": JSON.stringify({ roleArn: "acs:ram::123:rol/ci" }) }) ?? "",
      /roleArn is "acs:ram::123:rol\/ci", which is not a role ARN/,
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

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uriSession } from "../../provider/cas/credential-sessions";
import { resolveCredentials } from "../../provider/cas/credentials";
import { resolveEndpoint } from "../../provider/cas/endpoints";

const dir = mkdtempSync(join(tmpdir(), "cas-cred-"));
const profileFile = join(dir, "config.json");
writeFileSync(
  profileFile,
  JSON.stringify({
    current: "main",
    profiles: [
      { name: "main", mode: "AK", access_key_id: "id-profile", access_key_secret: "secret-profile" },
      {
        name: "sts",
        mode: "StsToken",
        access_key_id: "id-sts",
        access_key_secret: "secret-sts",
        sts_token: "tok",
      },
      { name: "role", mode: "RamRoleArn", access_key_id: "x", access_key_secret: "y" },
    ],
  }),
);
const missingFile = join(dir, "absent.json");
const config = (m: Record<string, string>) => (k: string) => m[k];

describe("credential resolution order", () => {
  const env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: "id-env1",
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: "secret-env1",
    ALICLOUD_ACCESS_KEY: "id-env2",
    ALICLOUD_SECRET_KEY: "secret-env2",
  };
  it("explicit options win over everything", () => {
    const c = resolveCredentials({
      explicit: { accessKeyId: "id-x", accessKeySecret: "s-x" },
      config: config({ "alicloud:accessKey": "id-c", "alicloud:secretKey": "s-c" }),
      env,
      profileFile,
    });
    assert.equal(c.accessKeyId, "id-x");
  });
  it("stack config comes next, with the STS token", () => {
    const c = resolveCredentials({
      config: config({
        "alicloud:accessKey": "id-c",
        "alicloud:secretKey": "s-c",
        "alicloud:securityToken": "t",
      }),
      env,
      profileFile,
    });
    assert.deepEqual([c.accessKeyId, c.securityToken], ["id-c", "t"]);
  });
  it("then ALIBABA_CLOUD_* then ALICLOUD_* environment variables", () => {
    assert.equal(resolveCredentials({ env, profileFile }).accessKeyId, "id-env1");
    assert.equal(
      resolveCredentials({
        env: { ALICLOUD_ACCESS_KEY: "id-env2", ALICLOUD_SECRET_KEY: "s", ALICLOUD_SECURITY_TOKEN: "t2" },
        profileFile,
      }).securityToken,
      "t2",
    );
  });
  it("then the Aliyun CLI profile: current, named by config or env, AK and StsToken modes; a role mode names what it lacks", () => {
    assert.equal(resolveCredentials({ env: {}, profileFile }).accessKeyId, "id-profile");
    const sts = resolveCredentials({ env: { ALIBABA_CLOUD_PROFILE: "sts" }, profileFile });
    assert.deepEqual([sts.accessKeyId, sts.securityToken], ["id-sts", "tok"]);
    assert.equal(
      resolveCredentials({ env: {}, config: config({ "alicloud:profile": "sts" }), profileFile }).accessKeyId,
      "id-sts",
    );
    assert.throws(
      () => resolveCredentials({ env: { ALIBABA_CLOUD_PROFILE: "role" }, profileFile }),
      /profile "role" \(mode RamRoleArn\) lacks ram_role_arn/,
    );
    assert.throws(
      () => resolveCredentials({ env: { ALIBABA_CLOUD_PROFILE: "nope" }, profileFile }),
      /no profile named "nope"/,
    );
  });
  it("names every place looked at when nothing is found, and never a secret", () => {
    assert.throws(
      () => resolveCredentials({ env: {}, profileFile: missingFile }),
      (e: Error & { code?: string }) =>
        e.code === "CredentialsNotFound" &&
        /explicit client options/.test(e.message) &&
        /alicloud:accessKey/.test(e.message) &&
        /ALIBABA_CLOUD_ACCESS_KEY_ID/.test(e.message) &&
        /ALICLOUD_ACCESS_KEY/.test(e.message) &&
        e.message.includes(missingFile),
    );
  });
  it("rejects half a key pair without echoing the value", () => {
    assert.throws(
      () =>
        resolveCredentials({
          env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "very-secret" },
          profileFile: missingFile,
        }),
      (e: Error) =>
        /found a secret but not the access key id/.test(e.message) && !e.message.includes("very-secret"),
    );
  });
});

describe("endpoint resolution", () => {
  it("explicit, then ALIBABA_CLOUD_ENDPOINT_CAS, then alicloud:endpoints, then region", () => {
    const endpoints = config({
      "alicloud:endpoints": JSON.stringify([{ alidns: "dns.example" }, { cas: "cas.from-config.example" }]),
    });
    assert.equal(
      resolveEndpoint({
        explicit: "http://127.0.0.1:1/",
        env: { ALIBABA_CLOUD_ENDPOINT_CAS: "e" },
        config: endpoints,
      }),
      "http://127.0.0.1:1",
    );
    assert.equal(
      resolveEndpoint({ env: { ALIBABA_CLOUD_ENDPOINT_CAS: "cas.env.example" }, config: endpoints }),
      "https://cas.env.example",
    );
    assert.equal(resolveEndpoint({ env: {}, config: endpoints }), "https://cas.from-config.example");
    assert.equal(resolveEndpoint({ env: {} }), "https://cas.aliyuncs.com");
  });
  it("refuses a region that is not a region id, naming the setting and the fix, before any host is built", () => {
    for (const bad of [
      "x.attacker.example#",
      "cn-hangzhou.evil",
      "CN-HANGZHOU",
      "cn hangzhou",
      "a".repeat(51),
    ]) {
      assert.throws(
        () => resolveEndpoint({ env: {}, config: config({ "alicloud:region": bad }) }),
        (e: Error & { code?: string }) =>
          e.code === "InvalidRegion" &&
          /stack config alicloud:region is .* not a region id/.test(e.message) &&
          /pulumi config set alicloud:region cn-hangzhou/.test(e.message) &&
          !e.message.includes("aliyuncs.com"),
        JSON.stringify(bad),
      );
    }
    assert.throws(
      () => resolveEndpoint({ env: { ALIBABA_CLOUD_REGION: "evil.example/" } }),
      /environment ALIBABA_CLOUD_REGION is "evil\.example\/"/,
    );
    // An explicit endpoint does not depend on the region, so a bad one is not consulted.
    assert.equal(
      resolveEndpoint({ env: { ALIBABA_CLOUD_ENDPOINT_CAS: "cas.env.example", ALICLOUD_REGION: "x#" } }),
      "https://cas.env.example",
    );
    assert.equal(
      resolveEndpoint({ env: {}, config: config({ "alicloud:region": "cn-beijing-finance-1" }) }),
      "https://cas.aliyuncs.com",
    );
  });
  it("follows the official SDK's endpoint map: listed regions → cas.aliyuncs.com, others → cas.<region>", () => {
    const forRegion = (r: string) => resolveEndpoint({ env: { ALICLOUD_REGION: r } });
    assert.equal(forRegion("cn-hongkong"), "https://cas.aliyuncs.com");
    assert.equal(forRegion("ap-southeast-3"), "https://cas.aliyuncs.com");
    assert.equal(forRegion("ap-southeast-5"), "https://cas.aliyuncs.com");
    assert.equal(forRegion("cn-shanghai"), "https://cas.aliyuncs.com");
    assert.equal(forRegion("ap-southeast-1"), "https://cas.ap-southeast-1.aliyuncs.com");
    assert.equal(forRegion("eu-central-1"), "https://cas.eu-central-1.aliyuncs.com");
    // The account type no longer matters, as in the SDK.
    assert.equal(
      resolveEndpoint({ env: { ALIBABA_CLOUD_ACCOUNT_TYPE: "International", ALICLOUD_REGION: "us-east-1" } }),
      "https://cas.aliyuncs.com",
    );
  });
});

describe("alicloud:sharedCredentialsFile and the credentials URI's transport", () => {
  it("a shared credentials file named in stack config or ALICLOUD_SHARED_CREDENTIALS_FILE is the profile file read", () => {
    const shared = join(dir, "ci-credentials.json");
    writeFileSync(
      shared,
      JSON.stringify({
        current: "prod",
        profiles: [{ name: "prod", mode: "AK", access_key_id: "id-shared", access_key_secret: "s" }],
      }),
    );
    const byConfig = resolveCredentials({
      env: {},
      config: config({ "alicloud:sharedCredentialsFile": shared, "alicloud:profile": "prod" }),
    });
    assert.equal(byConfig.accessKeyId, "id-shared");
    assert.match(byConfig.source, new RegExp(shared.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.equal(
      resolveCredentials({ env: { ALICLOUD_SHARED_CREDENTIALS_FILE: shared } }).accessKeyId,
      "id-shared",
    );
    assert.throws(
      () =>
        resolveCredentials({ env: {}, config: config({ "alicloud:sharedCredentialsFile": missingFile }) }),
      (e: Error) => e.message.includes(`Aliyun CLI profile file ${missingFile}`),
    );
  });

  it("a credentials URI over plain http:// to another host is refused before it is asked; https, loopback and link-local are not", async () => {
    const provider = uriSession(
      "http://192.0.2.2:8080/creds?token=abc",
      "stack config alicloud:credentialsUri",
    );
    await assert.rejects(provider.current(), (e: Error & { code?: string }) => {
      assert.equal(e.code, "CredentialSourceFailed");
      assert.match(e.message, /is plain http:\/\/ to a host other than this machine/);
      assert.match(e.message, /pulumi config set alicloud-cas:allowInsecureEndpoint true/);
      assert.doesNotMatch(e.message, /token=abc/);
      return true;
    });
    await assert.rejects(uriSession("ftp://x/creds", "s").current(), /is not an http\(s\) URL/);
    // Loopback is asked (nothing listens on port 9: the refusal is a connection error, not the guard).
    await assert.rejects(uriSession("http://127.0.0.1:9/creds", "s").current(), (e: Error) => {
      assert.doesNotMatch(e.message, /plain http:\/\/ to a host other than this machine/);
      return true;
    });
  });
});

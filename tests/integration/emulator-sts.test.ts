import assert from "node:assert/strict";
import { canonicalQuery } from "../../protocol/percent-encode";
import { signRpcV1 } from "../../protocol/sign-rpc-v1";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";

const ROLE = "acs:ram::1234567890123456:role/Pulumi-CI";
const PROVIDER = "acs:ram::1234567890123456:oidc-provider/github";

function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return [part({ alg: "RS256" }), part(claims), "c2ln"].join(".");
}

describe("the emulator's STS (Version 2015-04-01 on the CAS port), as a separate process", function () {
  this.timeout(30_000);
  let emu: EmulatorProcess;
  before(async () => {
    emu = await startEmulatorProcess(["--sts-lifetime", "1200", "--sts-oidc-provider", PROVIDER]);
  });
  after(() => emu?.stop());

  /** A signed RPC call (HMAC-SHA1, parameters in a form body) with `key`. */
  async function signed(
    params: Record<string, string>,
    key: { id: string; secret: string; token?: string } = {
      id: emu.accessKeyId,
      secret: emu.accessKeySecret,
    },
    version = "2015-04-01",
  ) {
    const common: Record<string, string> = {
      Version: version,
      Format: "JSON",
      AccessKeyId: key.id,
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: `${Math.random()}`,
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(key.token ? { SecurityToken: key.token } : {}),
    };
    const all = { ...common, ...params };
    const res = await fetch(`${emu.endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: canonicalQuery({ ...all, Signature: signRpcV1("POST", all, key.secret) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  async function anonymous(params: Record<string, string>) {
    const q = new URLSearchParams({ Version: "2015-04-01", Format: "JSON", ...params });
    const res = await fetch(`${emu.endpoint}/?${q}`, { method: "POST" });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  it("AssumeRole answers Credentials and AssumedRoleUser as STS does; the lifetime is capped by --sts-lifetime", async () => {
    const before = Date.now();
    const { status, body } = await signed({ Action: "AssumeRole", RoleArn: ROLE, RoleSessionName: "ci-42" });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ["AssumedRoleUser", "Credentials", "RequestId"]);
    assert.deepEqual(Object.keys(body.Credentials).sort(), [
      "AccessKeyId",
      "AccessKeySecret",
      "Expiration",
      "SecurityToken",
    ]);
    assert.match(body.Credentials.AccessKeyId, /^STS\./);
    assert.match(body.Credentials.Expiration, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // The emulator answers its own clock + 1200 s in whole seconds (truncated); its clock read lies
    // between `before` and `after`.
    const after = Date.now();
    const expiration = Date.parse(body.Credentials.Expiration);
    assert.ok(
      expiration >= Math.floor((before + 1_200_000) / 1000) * 1000 && expiration <= after + 1_200_000,
      `expiration ${expiration - before} ms after the request was sent, asked 3600 s, capped at 1200 s`,
    );
    assert.equal(body.AssumedRoleUser.Arn, "acs:ram::1234567890123456:role/pulumi-ci/ci-42");
    assert.match(body.AssumedRoleUser.AssumedRoleId, /^\d+:ci-42$/);
  });

  it("AssumeRoleWithOIDC is anonymous and adds OIDCTokenInfo from the token's claims", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const { status, body } = await anonymous({
      Action: "AssumeRoleWithOIDC",
      OIDCProviderArn: PROVIDER,
      RoleArn: ROLE,
      RoleSessionName: "gh",
      OIDCToken: jwt({
        iss: "https://token.actions.githubusercontent.com",
        sub: "repo:a/b",
        aud: ["sts.aliyuncs.com"],
        exp,
        iat: exp - 300,
      }),
    });
    assert.equal(status, 200);
    assert.deepEqual(body.OIDCTokenInfo, {
      Subject: "repo:a/b",
      Issuer: "https://token.actions.githubusercontent.com",
      ClientIds: "sts.aliyuncs.com",
      ExpirationTime: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      IssuanceTime: new Date((exp - 300) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      VerificationInfo: "Success",
    });
    assert.match(body.Credentials.AccessKeyId, /^STS\./);
  });

  it("refuses what STS refuses: an unsigned AssumeRole, a short DurationSeconds, a bad session name, an unknown OIDC provider, a token that is not a JWT", async () => {
    const cases: Array<[Promise<{ status: number; body: Record<string, unknown> }>, number, string]> = [
      [anonymous({ Action: "AssumeRole", RoleArn: ROLE, RoleSessionName: "x1" }), 400, "MissingParameter"],
      [
        signed({ Action: "AssumeRole", RoleArn: ROLE, RoleSessionName: "s1", DurationSeconds: "600" }),
        400,
        "InvalidParameter.DurationSeconds",
      ],
      [
        signed({ Action: "AssumeRole", RoleArn: ROLE, RoleSessionName: "a b" }),
        400,
        "InvalidParameter.RoleSessionName",
      ],
      [
        signed({ Action: "AssumeRole", RoleArn: "role/x", RoleSessionName: "s1" }),
        400,
        "InvalidParameter.RoleArn",
      ],
      [signed({ Action: "AssumeRole", RoleArn: ROLE }), 400, "MissingParameter"],
      [
        signed({ Action: "AssumeRole", RoleArn: ROLE, RoleSessionName: "s1", Policy: "not json" }),
        400,
        "InvalidParameter.PolicyGrammar",
      ],
      [signed({ Action: "GetFederationToken" }), 404, "InvalidAction.NotFound"],
      [
        anonymous({
          Action: "AssumeRoleWithOIDC",
          OIDCProviderArn: "acs:ram::1:oidc-provider/other",
          RoleArn: ROLE,
          RoleSessionName: "s1",
          OIDCToken: jwt({ exp: 4e9 }),
        }),
        404,
        "EntityNotExist.OIDCProvider",
      ],
      [
        anonymous({
          Action: "AssumeRoleWithOIDC",
          OIDCProviderArn: PROVIDER,
          RoleArn: ROLE,
          RoleSessionName: "s1",
          OIDCToken: "opaque-token",
        }),
        400,
        "AuthenticationFail.OIDCToken.Invalid",
      ],
      [
        anonymous({
          Action: "AssumeRoleWithOIDC",
          OIDCProviderArn: PROVIDER,
          RoleArn: ROLE,
          RoleSessionName: "s1",
          OIDCToken: jwt({ exp: 1 }),
        }),
        400,
        "AuthenticationFail.OIDCToken.Expired",
      ],
    ];
    for (const [call, status, code] of cases) {
      const res = await call;
      assert.deepEqual([res.status, res.body.Code], [status, code], JSON.stringify(res.body));
    }
  });

  it("temporary keys sign CAS calls only with their own token, until they expire", async () => {
    const { body } = await signed({ Action: "AssumeRole", RoleArn: ROLE, RoleSessionName: "s2" });
    const c = body.Credentials as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
    const key = { id: c.AccessKeyId, secret: c.AccessKeySecret };
    const cas = (k: typeof key & { token?: string }) =>
      signed({ Action: "DescribePackageState" }, k, "2020-04-07");
    assert.equal((await cas({ ...key, token: c.SecurityToken })).body.TotalCount, 100);
    assert.equal((await cas(key)).body.Code, "MissingSecurityToken");
    assert.equal(
      (await cas({ ...key, token: "another" })).body.Code,
      "InvalidSecurityToken.MismatchWithAccessKey",
    );
    await emu.control("POST", "sts/expire");
    const expired = await cas({ ...key, token: c.SecurityToken });
    assert.deepEqual([expired.status, expired.body.Code], [400, "InvalidSecurityToken.Expired"]);
    // Role chaining: temporary keys may assume a role too (refused once expired, like any call).
    const chained = await signed(
      { Action: "AssumeRole", RoleArn: ROLE, RoleSessionName: "s3" },
      { ...key, token: c.SecurityToken },
    );
    assert.equal(chained.body.Code, "InvalidSecurityToken.Expired");
  });

  it("the lifetime cap is set through the control API (null: as DurationSeconds asks)", async () => {
    assert.deepEqual(await emu.control("POST", "sts", { lifetimeSeconds: 5 }), { lifetimeSeconds: 5 });
    const before = Date.now();
    const short = await signed({
      Action: "AssumeRole",
      RoleArn: ROLE,
      RoleSessionName: "s4",
      DurationSeconds: "900",
    });
    // Capped at 5 s of the emulator's clock, read before this line (whole seconds, truncated).
    assert.ok(Date.parse(short.body.Credentials.Expiration) <= Date.now() + 5_000);
    await emu.control("POST", "sts", { lifetimeSeconds: null });
    const full = await signed({
      Action: "AssumeRole",
      RoleArn: ROLE,
      RoleSessionName: "s5",
      DurationSeconds: "900",
    });
    assert.ok(Date.parse(full.body.Credentials.Expiration) - before > 800_000);
    await assert.rejects(emu.control("POST", "sts", { lifetimeSeconds: 0 }), /lifetimeSeconds/);
  });
});

// The Aliyun CLI's CloudSSO profile mode against a loopback server that answers the exchange as
// credentials-go sends it (POST /cloud-credentials, a bearer access token): what a loopback server
// allows. A real CloudSSO sign-in (the browser flow that stores the access token) is not exercised.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CasClient } from "../../provider/cas/client";
import { credentialChain } from "../../provider/cas/credentials";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

interface Exchange {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

describe("Aliyun CLI profile mode CloudSSO: the access token exchanged for keys (loopback server)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let sso: http.Server;
  let origin: string;
  let file: string;
  const seen: Exchange[] = [];
  /** What the server answers next: keys with this token and lifetime, or a refusal. */
  let answer: { status: number; token?: string; lifetimeSeconds?: number } = { status: 200 };

  before(async () => {
    emu = await startEmulator({ securityTokens: ["sso-1", "sso-2"], lifecycle: { validation: "manual" } });
    sso = http.createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d.toString("utf8")));
      req.on("end", () => {
        seen.push({
          method: req.method ?? "",
          path: req.url ?? "",
          authorization: req.headers.authorization,
          contentType: req.headers["content-type"],
          body: JSON.parse(text || "null") as unknown,
        });
        res.writeHead(answer.status, { "content-type": "application/json" });
        if (answer.status !== 200) {
          res.end(JSON.stringify({ Code: "InvalidAccessToken", Message: "the access token is invalid" }));
          return;
        }
        res.end(
          JSON.stringify({
            RequestId: "R1",
            CloudCredential: {
              AccessKeyId: emu.accessKeyId,
              AccessKeySecret: emu.accessKeySecret,
              SecurityToken: answer.token,
              Expiration: new Date(Date.now() + (answer.lifetimeSeconds ?? 3600) * 1000)
                .toISOString()
                .replace(/\.\d+Z$/, "Z"),
            },
          }),
        );
      });
    });
    await new Promise<void>((r) => sso.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(sso.address() as AddressInfo).port}`;
    file = join(mkdtempSync(join(tmpdir(), "cas-sso-")), "config.json");
  });
  after(async () => {
    sso?.close();
    await emu?.close();
  });
  beforeEach(() => {
    seen.length = 0;
    answer = { status: 200, token: "sso-1" };
  });

  const profile = (fields: Record<string, unknown> = {}) =>
    writeFileSync(
      file,
      JSON.stringify({
        current: "sso",
        profiles: [
          {
            name: "sso",
            mode: "CloudSSO",
            cloud_sso_sign_in_url: `${origin}/device/login`,
            access_token: "at-1",
            cloud_sso_access_token_expire: Math.floor(Date.now() / 1000) + 3600,
            cloud_sso_account_id: "1968132000123456",
            cloud_sso_access_config: "ac-0123456789",
            ...fields,
          },
        ],
      }),
    );

  it("CAS calls sign with the keys the exchange gave; the exchange is the one credentials-go sends", async () => {
    profile();
    const c = new CasClient({ endpoint: emu.endpoint, env: {}, profileFile: file, rateLimits: false });
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.deepEqual(seen, [
      {
        method: "POST",
        path: "/cloud-credentials",
        authorization: "Bearer at-1",
        contentType: "application/json",
        body: { AccountId: "1968132000123456", AccessConfigurationId: "ac-0123456789" },
      },
    ]);
    // The token is revoked: CAS answers that it expired, and a new exchange gives another.
    answer = { status: 200, token: "sso-2" };
    emu.control.setSecurityTokens(["sso-2"]);
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.equal(seen.length, 2);
  });

  it("renewed before the keys expire, like a role session", async () => {
    profile();
    let now = Date.now();
    const chain = credentialChain({ env: {}, profileFile: file, now: () => now });
    assert.equal((await chain.current()).securityToken, "sso-1");
    assert.match(
      (await chain.current()).source,
      /^CloudSSO access configuration ac-0123456789 of account 1968132000123456 \(profile "sso" in .*\)$/,
    );
    assert.equal(seen.length, 1);
    now += 56 * 60_000;
    answer = { status: 200, token: "sso-2" };
    assert.equal((await chain.current()).securityToken, "sso-2");
    assert.equal(seen.length, 2);
  });

  it("an expired or missing access token says to sign in again, asking nothing; a refused exchange names the status and code", async () => {
    const refused = async (re: RegExp) =>
      assert.rejects(
        async () => credentialChain({ env: {}, profileFile: file }).current(),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "CredentialSourceFailed");
          assert.match(e.message, re);
          assert.doesNotMatch(e.message, /at-1/);
          return true;
        },
      );
    profile({ cloud_sso_access_token_expire: Math.floor(Date.now() / 1000) - 60 });
    await refused(
      /the CloudSSO access token expired at .*; sign in again \(aliyun configure --profile sso --mode CloudSSO\)/,
    );
    profile({ access_token: undefined });
    await refused(/the CloudSSO access token is missing/);
    assert.deepEqual(seen, [], "nothing asked with a token known to be expired");
    profile();
    answer = { status: 403 };
    await refused(
      /refused the exchange \(HTTP 403 InvalidAccessToken\) for account 1968132000123456 and access configuration ac-0123456789/,
    );
    profile({ cloud_sso_sign_in_url: "http://signin.example.com/login" });
    await refused(/plain http:\/\/ to a host other than this machine/);
  });
});

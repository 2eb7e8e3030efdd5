// The Aliyun CLI's OAuth profile mode against a loopback server that answers the refresh and the
// exchange as aliyun-cli and credentials-go send them (POST /v1/token with grant_type=refresh_token,
// POST /v1/exchange with a bearer access token), with a real profile file in a temporary directory:
// what a loopback server allows. A real OAuth sign-in (the browser flow that stores the tokens) is
// not exercised.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CasClient } from "../../provider/cas/client";
import { credentialChain } from "../../provider/cas/credentials";
import { oauthSession } from "../../provider/cas/oauth-credentials";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

interface Seen {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

describe("Aliyun CLI profile mode OAuth: tokens refreshed, rotated and written back, then exchanged for keys (loopback server)", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let site: http.Server;
  let origin: string;
  let file: string;
  const seen: Seen[] = [];
  /** Refresh tokens the server still accepts; each refresh spends one and issues the next. */
  let live = new Set<string>();
  let issued = 0;
  let stsToken = "oauth-1";
  let exchangeStatus = 200;

  before(async () => {
    emu = await startEmulator({
      securityTokens: ["oauth-1", "oauth-2", "oauth-3"],
      lifecycle: { validation: "manual" },
    });
    site = http.createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d.toString("utf8")));
      req.on("end", () => {
        const form = Object.fromEntries(new URLSearchParams(text));
        seen.push({
          path: req.url ?? "",
          authorization: req.headers.authorization,
          contentType: req.headers["content-type"],
          form,
        });
        const answer = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        if (req.url === "/v1/token") {
          if (form.grant_type !== "refresh_token" || !live.has(form.refresh_token ?? "")) {
            answer(400, {
              error: "invalid_grant",
              error_description: `refresh token ${form.refresh_token} is invalid`,
            });
            return;
          }
          live.delete(form.refresh_token!);
          issued += 1;
          live.add(`rt-${issued}`);
          answer(200, {
            access_token: `at-${issued}`,
            refresh_token: `rt-${issued}`,
            expires_in: 3600,
            token_type: "Bearer",
          });
          return;
        }
        if (req.url === "/v1/exchange") {
          if (exchangeStatus !== 200) {
            answer(exchangeStatus, {
              error: "expired_token",
              error_description: "The access token is expired.",
            });
            return;
          }
          answer(200, {
            requestId: "R1",
            accessKeyId: emu.accessKeyId,
            accessKeySecret: emu.accessKeySecret,
            securityToken: stsToken,
            expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z"),
          });
          return;
        }
        answer(404, {});
      });
    });
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  after(async () => {
    site?.close();
    await emu?.close();
  });
  beforeEach(() => {
    seen.length = 0;
    stsToken = "oauth-1";
    exchangeStatus = 200;
    file = join(mkdtempSync(join(tmpdir(), "cas-signin-")), "config.json");
  });

  const otherProfile = {
    name: "keys",
    mode: "AK",
    access_key_id: "LTAIother",
    access_key_secret: "other-secret",
  };
  /** A profile file as `aliyun configure --mode OAuth` leaves it (mode 0600), with another profile beside it. */
  const profile = (fields: Record<string, unknown> = {}) => {
    writeFileSync(
      file,
      JSON.stringify({
        current: "signed-in",
        profiles: [
          otherProfile,
          {
            name: "signed-in",
            mode: "OAuth",
            region_id: "cn-hangzhou",
            oauth_site_type: "CN",
            oauth_access_token: "at-0",
            oauth_refresh_token: "rt-0",
            oauth_access_token_expire: Math.floor(Date.now() / 1000) + 3600,
            ...fields,
          },
        ],
      }),
      { mode: 0o600 },
    );
  };
  const config = (key: string) => (key === "alicloud-cas:oauthEndpoint" ? origin : undefined);
  const onDisk = () =>
    JSON.parse(readFileSync(file, "utf8")) as { current: string; profiles: Record<string, unknown>[] };

  it("first use: CAS calls sign with the keys the exchange gave; the exchange is the one aliyun-cli sends, and a valid access token is not refreshed", async () => {
    live = new Set(["rt-0"]);
    profile();
    const c = new CasClient({
      endpoint: emu.endpoint,
      env: {},
      profileFile: file,
      config,
      rateLimits: false,
    });
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.deepEqual(seen, [
      { path: "/v1/exchange", authorization: "Bearer at-0", contentType: "application/json", form: {} },
    ]);
    // The STS token is revoked: CAS answers that it expired, and a new exchange gives another.
    stsToken = "oauth-2";
    emu.control.setSecurityTokens(["oauth-2"]);
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.deepEqual(
      seen.map((s) => s.path),
      ["/v1/exchange", "/v1/exchange"],
    );
    emu.control.setSecurityTokens(["oauth-1", "oauth-2", "oauth-3"]);
  });

  it("an access token near its expiry is refreshed first; the rotated tokens are written back (other profiles kept, mode 0600) and the next renewal uses the new refresh token", async () => {
    live = new Set(["rt-0"]);
    issued = 0;
    let now = Date.now();
    profile({ oauth_access_token_expire: Math.floor(now / 1000) + 600 });
    const chain = credentialChain({ env: {}, profileFile: file, config, now: () => now });
    assert.equal((await chain.current()).securityToken, "oauth-1");
    assert.match(
      (await chain.current()).source,
      /^OAuth sign-in at http:\/\/127\.0\.0\.1:\d+ \(profile "signed-in" in .*\)$/,
    );
    assert.deepEqual(seen[0], {
      path: "/v1/token",
      authorization: undefined,
      contentType: "application/x-www-form-urlencoded",
      form: { grant_type: "refresh_token", refresh_token: "rt-0", client_id: "4038181954557748008" },
    });
    assert.deepEqual(
      seen.map((s) => [s.path, s.authorization]),
      [
        ["/v1/token", undefined],
        ["/v1/exchange", "Bearer at-1"],
      ],
      "the file read again after the write-back finds the same session: no second exchange",
    );
    let disk = onDisk();
    assert.deepEqual(disk.profiles[0], otherProfile);
    assert.equal(disk.current, "signed-in");
    assert.equal(disk.profiles[1]!.oauth_refresh_token, "rt-1");
    assert.equal(disk.profiles[1]!.oauth_access_token, "at-1");
    assert.equal(disk.profiles[1]!.oauth_access_token_expire, Math.floor(now / 1000) + 3600);
    assert.equal(disk.profiles[1]!.region_id, "cn-hangzhou");
    assert.equal(statSync(file).mode & 0o777, 0o600);

    // Another profile written meanwhile (by the CLI) is kept by the next write-back.
    disk.profiles.push({
      name: "later",
      mode: "AK",
      access_key_id: "LTAIlater",
      access_key_secret: "later-secret",
    });
    writeFileSync(file, JSON.stringify(disk), { mode: 0o600 });

    // 56 minutes on: the keys are due, and the access token has 4 minutes left: refreshed with rt-1.
    now += 56 * 60_000;
    stsToken = "oauth-2";
    assert.equal((await chain.current()).securityToken, "oauth-2");
    assert.deepEqual(
      seen.slice(2).map((s) => [s.path, s.form.refresh_token, s.authorization]),
      [
        ["/v1/token", "rt-1", undefined],
        ["/v1/exchange", undefined, "Bearer at-2"],
      ],
    );
    disk = onDisk();
    assert.deepEqual(
      disk.profiles.map((p) => p.name),
      ["keys", "signed-in", "later"],
    );
    assert.equal(disk.profiles[1]!.oauth_refresh_token, "rt-2");
    assert.equal(disk.profiles[1]!.oauth_access_token, "at-2");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dirname(file)), ["config.json"], "no temporary or lock file left behind");
    // The STS token is revoked: the session that wrote the file gives new keys from a new exchange.
    stsToken = "oauth-3";
    assert.equal(await chain.refresh(), true);
    assert.equal((await chain.current()).securityToken, "oauth-3");
    assert.deepEqual(seen.at(-1), {
      path: "/v1/exchange",
      authorization: "Bearer at-2",
      contentType: "application/json",
      form: {},
    });
  });

  it("tokens another process rotated in the file are taken, not the spent refresh token held", async () => {
    live = new Set(["rt-0"]);
    issued = 10;
    const now = Date.now();
    profile({ oauth_access_token_expire: Math.floor(now / 1000) + 600 });
    // Two sessions read the same file (two processes): the first refreshes and rotates rt-0.
    const fields = {
      siteType: "CN",
      refreshToken: "rt-0",
      accessToken: "at-0",
      accessTokenExpire: Math.floor(now / 1000) + 600,
    };
    const first = oauthSession(fields, "signed-in", file, "first", () => now, origin);
    const second = oauthSession(fields, "signed-in", file, "second", () => now, origin);
    assert.equal((await first.current()).securityToken, "oauth-1");
    assert.equal(onDisk().profiles[1]!.oauth_refresh_token, "rt-11");
    assert.equal((await second.current()).securityToken, "oauth-1");
    assert.deepEqual(
      seen.map((s) => [s.path, s.form.refresh_token, s.authorization]),
      [
        ["/v1/token", "rt-0", undefined],
        ["/v1/exchange", undefined, "Bearer at-11"],
        ["/v1/exchange", undefined, "Bearer at-11"],
      ],
      "the second, due to refresh rt-0 (spent), took the tokens the first wrote to the file",
    );
  });

  it("a refused or missing refresh token says to sign in again, naming the profile, with no token or secret in the message", async () => {
    const refused = async (re: RegExp) =>
      assert.rejects(
        async () => credentialChain({ env: {}, profileFile: file, config }).current(),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "CredentialSourceFailed");
          assert.match(e.message, re);
          assert.doesNotMatch(e.message, /rt-\d|at-\d|oauth-\d|is invalid|is expired|other-secret|LTAI/);
          return true;
        },
      );
    live = new Set();
    profile({ oauth_access_token_expire: Math.floor(Date.now() / 1000) - 60 });
    await refused(
      /refused the refresh token \(HTTP 400 invalid_grant\): it expired or was revoked; sign in again \(aliyun configure --profile signed-in --mode OAuth\)/,
    );
    assert.deepEqual(
      seen.map((s) => s.path),
      ["/v1/token"],
    );
    assert.equal(onDisk().profiles[1]!.oauth_refresh_token, "rt-0", "nothing written after a refusal");
    profile({ oauth_access_token: undefined, oauth_refresh_token: undefined });
    await refused(
      /has no access token or refresh token; sign in again \(aliyun configure --profile signed-in --mode OAuth\)/,
    );
    // An access token refused at the exchange, with a refresh token refused too.
    exchangeStatus = 401;
    profile();
    await refused(
      /refused the refresh token \(HTTP 400 invalid_grant\).*sign in again \(aliyun configure --profile signed-in --mode OAuth\)/,
    );
    profile({ oauth_refresh_token: undefined });
    await refused(
      /refused to exchange the access token for keys \(HTTP 401 expired_token\); sign in again \(aliyun configure --profile signed-in --mode OAuth\)/,
    );
    profile({ oauth_site_type: "EU" });
    await refused(/oauth_site_type is "EU", not CN or INTL/);
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it("the OAuth site must be https:// unless it is this machine", async () => {
    live = new Set(["rt-0"]);
    profile();
    seen.length = 0;
    await assert.rejects(
      async () =>
        credentialChain({
          env: {},
          profileFile: file,
          config: (k) => (k === "alicloud-cas:oauthEndpoint" ? "http://oauth.example.com" : undefined),
        }).current(),
      /plain http:\/\/ to a host other than this machine/,
    );
    assert.deepEqual(seen, []);
  });
});

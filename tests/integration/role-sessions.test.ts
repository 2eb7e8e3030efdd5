import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CasClient } from "../../provider/cas/client";
import { CasError } from "../../provider/cas/errors";
import { StsClient, type SessionKeys } from "../../provider/cas/sts-client";
import { certificateOrderStub, certificateOrderValidationStub } from "../../sdk/stubs";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { startProviderHost, type ProviderHost } from "../support/provider-host";

const ROLE = "acs:ram::1234567890123456:role/pulumi-ci";
const OIDC_PROVIDER = "acs:ram::1234567890123456:oidc-provider/github";
const order = {
  Domain: "role.example.com",
  ValidateType: "DNS" as const,
  Username: "u",
  Phone: "13800001111",
  Email: "a@example.com",
};

interface LogEntry {
  action: string;
  accessKeyId: string | null;
  outcome: string;
  orderId?: string;
}
interface OrderEntry {
  orderId: string;
  accessKeyId: string;
}

/** A JWT-shaped token (unsigned: the emulator checks its shape and `exp`, as documented). */
function jwt(expSecondsFromNow: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return [
    part({ alg: "RS256", typ: "JWT" }),
    part({
      iss: "https://token.actions.githubusercontent.com",
      sub: "repo:example/infra:ref:refs/heads/main",
      aud: "sts.aliyuncs.com",
      iat: now,
      exp: now + expSecondsFromNow,
    }),
    "c2lnbmF0dXJl",
  ].join(".");
}

const lookup = (m: Record<string, string>) => (k: string) => m[k];

describe("role and OIDC sessions against the emulator's STS (a separate process)", function () {
  this.timeout(60_000);
  let emu: EmulatorProcess;
  let dir: string;
  const log = async () => (await emu.control("GET", "requests")) as LogEntry[];
  const orders = async () => (await emu.control("GET", "orders")) as OrderEntry[];

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual", "--sts-oidc-provider", OIDC_PROVIDER]);
    dir = mkdtempSync(join(tmpdir(), "cas-sts-"));
  });
  after(() => emu?.stop());
  beforeEach(async () => {
    await emu.control("POST", "reset");
    await emu.control("POST", "sts", { lifetimeSeconds: null });
  });

  const endpoints = () => JSON.stringify([{ cas: emu.endpoint, sts: emu.endpoint }]);
  const roleClient = (extra: Record<string, string> = {}) =>
    new CasClient({
      env: {},
      profileFile: join(dir, "absent.json"),
      rateLimits: false,
      config: lookup({
        "alicloud:endpoints": endpoints(),
        "alicloud:accessKey": emu.accessKeyId,
        "alicloud:secretKey": emu.accessKeySecret,
        "alicloud:assumeRole": JSON.stringify({ roleArn: ROLE, sessionName: "ci-run" }),
        ...extra,
      }),
    });

  it("a role session (alicloud:assumeRole) places and reads an order, which lands in the assuming key's account", async () => {
    const c = roleClient();
    assert.equal(c.identity.temporary, true);
    const { OrderId } = await c.call("CreateCertificateRequest", order);
    const state = await c.call("DescribeCertificateState", { OrderId });
    assert.equal(state.Type, "domain_verify");
    const entries = await log();
    assert.deepEqual(
      entries.map((e) => [e.action, e.outcome]),
      [
        ["AssumeRole", "OK"],
        ["CreateCertificateRequest", "OK"],
        ["DescribeCertificateState", "OK"],
      ],
    );
    assert.equal(
      entries[0]!.accessKeyId,
      emu.accessKeyId,
      "AssumeRole is signed with the stack's access key",
    );
    assert.match(entries[1]!.accessKeyId!, /^STS\./);
    assert.equal(entries[2]!.accessKeyId, entries[1]!.accessKeyId, "one session serves both calls");
    assert.equal(c.identity.accessKeyId, entries[1]!.accessKeyId);
    const placed = (await orders()).find((o) => o.orderId === OrderId);
    assert.equal(
      placed?.accessKeyId,
      emu.accessKeyId,
      "the order belongs to the account that assumed the role",
    );
  });

  it("an OIDC session (alicloud:assumeRoleWithOidc, token file, no stored key) places and reads an order", async () => {
    const tokenFile = join(dir, "oidc-token");
    writeFileSync(tokenFile, jwt(600));
    const c = new CasClient({
      env: {},
      profileFile: join(dir, "absent.json"),
      rateLimits: false,
      config: lookup({
        "alicloud:endpoints": endpoints(),
        "alicloud:assumeRoleWithOidc": JSON.stringify({
          oidcProviderArn: OIDC_PROVIDER,
          roleArn: ROLE,
          oidcTokenFile: tokenFile,
          roleSessionName: "github-actions",
        }),
      }),
    });
    const { OrderId } = await c.call("CreateCertificateRequest", { ...order, Domain: "oidc.example.com" });
    const listed = await c.call("ListUserCertificateOrder", { OrderType: "CPACK" });
    assert.ok(listed.CertificateOrderList.some((o) => o.OrderId === OrderId));
    const entries = await log();
    assert.deepEqual(
      entries.map((e) => [e.action, e.outcome]),
      [
        ["AssumeRoleWithOIDC", "OK"],
        ["CreateCertificateRequest", "OK"],
        ["ListUserCertificateOrder", "OK"],
      ],
    );
    assert.equal(entries[0]!.accessKeyId, null, "AssumeRoleWithOIDC is anonymous");
    assert.match(entries[1]!.accessKeyId!, /^STS\./);
    assert.equal((await orders()).find((o) => o.orderId === OrderId)?.accessKeyId, emu.accessKeyId);
  });

  it("the environment's OIDC variables (ALIBABA_CLOUD_OIDC_PROVIDER_ARN, _OIDC_TOKEN_FILE, _ROLE_ARN) and ALIBABA_CLOUD_STS_ENDPOINT work alone", async () => {
    const tokenFile = join(dir, "oidc-token-env");
    writeFileSync(tokenFile, jwt(600));
    const c = new CasClient({
      endpoint: emu.endpoint,
      profileFile: join(dir, "absent.json"),
      rateLimits: false,
      env: {
        ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER,
        ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
        ALIBABA_CLOUD_ROLE_ARN: ROLE,
        ALIBABA_CLOUD_STS_ENDPOINT: emu.endpoint,
      },
    });
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    assert.deepEqual(
      (await log()).map((e) => e.action),
      ["AssumeRoleWithOIDC", "DescribePackageState"],
    );
  });

  it("an expired session token is refreshed (a new session) and the call sent again, not reported", async () => {
    const c = roleClient();
    await c.call("DescribePackageState", {});
    const ended = (await emu.control("POST", "sts/expire")) as { expired: number };
    assert.equal(ended.expired, 1);
    const { OrderId } = await c.call("CreateCertificateRequest", { ...order, Domain: "expired.example.com" });
    const entries = await log();
    assert.deepEqual(
      entries.map((e) => [e.action, e.outcome]),
      [
        ["AssumeRole", "OK"],
        ["DescribePackageState", "OK"],
        ["CreateCertificateRequest", "InvalidSecurityToken.Expired"],
        ["AssumeRole", "OK"],
        ["CreateCertificateRequest", "OK"],
      ],
    );
    assert.notEqual(entries[4]!.accessKeyId, entries[1]!.accessKeyId, "the new session's keys");
    assert.deepEqual(
      (await orders()).map((o) => o.orderId),
      [OrderId],
      "exactly one order",
    );
  });

  it("a Aliyun CLI profile in ChainableRamRoleArn mode assumes its role with its source profile's keys", async () => {
    const profileFile = join(dir, "config.json");
    writeFileSync(
      profileFile,
      JSON.stringify({
        current: "deploy",
        profiles: [
          {
            name: "base",
            mode: "AK",
            access_key_id: emu.accessKeyId,
            access_key_secret: emu.accessKeySecret,
          },
          {
            name: "deploy",
            mode: "ChainableRamRoleArn",
            source_profile: "base",
            ram_role_arn: ROLE,
            ram_session_name: "chained",
          },
        ],
      }),
    );
    const c = new CasClient({
      env: {},
      profileFile,
      rateLimits: false,
      config: lookup({ "alicloud:endpoints": endpoints() }),
    });
    assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
    const entries = await log();
    assert.deepEqual(
      entries.map((e) => [e.action, e.accessKeyId === emu.accessKeyId]),
      [
        ["AssumeRole", true],
        ["DescribePackageState", false],
      ],
    );
    assert.match(c.identity.source, /role acs:ram::1234567890123456:role\/pulumi-ci \(profile "deploy"/);
  });

  it("a CertificateOrderValidation wait in the provider host crosses several role-session rotations of a short lifetime", async () => {
    await emu.control("POST", "sts", { lifetimeSeconds: 3 });
    const home = mkdtempSync(join(tmpdir(), "cas-home-"));
    const config = {
      "alicloud:endpoints": endpoints(),
      "alicloud:accessKey": emu.accessKeyId,
      "alicloud:secretKey": emu.accessKeySecret,
      "alicloud:assumeRole": JSON.stringify({ roleArn: ROLE, sessionName: "long-wait" }),
    };
    const env = { HOME: home };
    let orderHost: ProviderHost | undefined;
    let waiter: ProviderHost | undefined;
    try {
      orderHost = await startProviderHost(certificateOrderStub, config, env);
      waiter = await startProviderHost(certificateOrderValidationStub, config, env);
      const checked = await orderHost.check({
        domain: "long-wait.example.com",
        username: "u",
        phone: "13800001111",
        email: "a@example.com",
      });
      const { id } = await orderHost.create(checked.inputs);
      const wait = waiter.create({ orderId: id, timeoutMinutes: 2, pollIntervalSeconds: 1 });
      /** Distinct temporary keys the waiter's polls were answered OK with. */
      const pollKeys = async () =>
        new Set(
          (await log())
            .filter((e) => e.action === "DescribeCertificateState" && e.outcome === "OK")
            .map((e) => e.accessKeyId),
        );
      while ((await pollKeys()).size < 4) await new Promise((ok) => setTimeout(ok, 200));
      await emu.control("POST", `orders/${id}/issue`);
      const { outs } = await wait;
      assert.equal(outs.orderId, id);
      assert.match(String(outs.serialNumber), /^[0-9a-f]+$/);
      const keys = await pollKeys();
      assert.ok(keys.size >= 4, `polls answered with ${keys.size} sessions`);
      for (const k of keys) assert.match(String(k), /^STS\./);
    } finally {
      orderHost?.stop();
      waiter?.stop();
    }
  });
});

describe("wrong role and OIDC settings fail naming the property and the fix", function () {
  this.timeout(60_000);
  let emu: EmulatorProcess;
  let dir: string;
  before(async () => {
    emu = await startEmulatorProcess(["--sts-role", ROLE, "--sts-oidc-provider", OIDC_PROVIDER]);
    dir = mkdtempSync(join(tmpdir(), "cas-sts-bad-"));
  });
  after(() => emu?.stop());

  const client = (config: Record<string, string>, env: Record<string, string> = {}) =>
    new CasClient({
      env,
      profileFile: join(dir, "absent.json"),
      rateLimits: false,
      config: lookup({
        "alicloud:endpoints": JSON.stringify([{ cas: emu.endpoint, sts: emu.endpoint }]),
        ...config,
      }),
    });
  const keys = () => ({ "alicloud:accessKey": emu.accessKeyId, "alicloud:secretKey": emu.accessKeySecret });
  const rejects = async (p: () => unknown, code: string, ...parts: RegExp[]) => {
    let thrown: unknown;
    try {
      await p();
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof CasError, `expected a CasError, got ${String(thrown)}`);
    assert.equal(thrown.code, code, thrown.message);
    for (const part of parts) assert.match(thrown.message, part);
    assert.ok(!thrown.message.includes(emu.accessKeySecret), "never the secret");
  };

  it("a role STS does not know: the STS code, the setting and what to check; nothing sent to CAS", async () => {
    const c = client({
      ...keys(),
      "alicloud:assumeRole": JSON.stringify({ roleArn: "acs:ram::1234567890123456:role/nope" }),
    });
    await rejects(
      () => c.call("DescribePackageState", {}),
      "CredentialSourceFailed",
      /stack config alicloud:assumeRole/,
      /EntityNotExist\.Role/,
      /Check the roleArn of stack config alicloud:assumeRole/,
    );
    const entries = (await emu.control("GET", "requests")) as LogEntry[];
    assert.ok(!entries.some((e) => e.action === "DescribePackageState"));
  });

  it("a misspelt field, a role ARN that is not one, a session length out of range: refused at configuration", async () => {
    await rejects(
      () => client({ ...keys(), "alicloud:assumeRole": JSON.stringify({ rolearn: ROLE }) }),
      "InvalidConfig",
      /alicloud:assumeRole\.rolearn is not a field/,
      /roleArn, sessionName, sessionExpiration, externalId, policy/,
    );
    await rejects(
      () => client({ ...keys(), "alicloud:assumeRole": JSON.stringify({ roleArn: "pulumi-ci" }) }),
      "InvalidConfig",
      /roleArn is 9 characters not starting with "acs:" \(not shown: it may be a secret in the wrong field\), which is not a role ARN/,
    );
    await rejects(
      () =>
        client({
          ...keys(),
          "alicloud:assumeRole": JSON.stringify({ roleArn: ROLE, sessionExpiration: 60 }),
        }),
      "InvalidConfig",
      /alicloud:assumeRole\.sessionExpiration is 60; a session lasts 900 to 43200 seconds/,
    );
  });

  it("assumeRoleWithOidc without its provider ARN or token names the field and the command", async () => {
    await rejects(
      () => client({ "alicloud:assumeRoleWithOidc": JSON.stringify({ roleArn: ROLE, oidcToken: jwt(600) }) }),
      "InvalidConfig",
      /alicloud:assumeRoleWithOidc has no oidcProviderArn/,
      /pulumi config set --path 'alicloud:assumeRoleWithOidc\.oidcProviderArn'/,
      /ALIBABA_CLOUD_OIDC_PROVIDER_ARN/,
    );
    await rejects(
      () =>
        client({
          "alicloud:assumeRoleWithOidc": JSON.stringify({ roleArn: ROLE, oidcProviderArn: OIDC_PROVIDER }),
        }),
      "InvalidConfig",
      /neither oidcToken nor oidcTokenFile/,
    );
  });

  it("an expired OIDC token, an OIDC provider STS does not know, a missing token file: each named with its fix", async () => {
    const oidc = (o: Record<string, unknown>) =>
      client({
        "alicloud:assumeRoleWithOidc": JSON.stringify({
          roleArn: ROLE,
          oidcProviderArn: OIDC_PROVIDER,
          ...o,
        }),
      });
    await rejects(
      () => oidc({ oidcToken: jwt(-60) }).call("DescribePackageState", {}),
      "CredentialSourceFailed",
      /AuthenticationFail\.OIDCToken\.Expired/,
      /oidcToken or oidcTokenFile of stack config alicloud:assumeRoleWithOidc/,
    );
    await rejects(
      () =>
        oidc({ oidcToken: jwt(600), oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/other" }).call(
          "DescribePackageState",
          {},
        ),
      "CredentialSourceFailed",
      /EntityNotExist\.OIDCProvider/,
      /Check the oidcProviderArn/,
    );
    await rejects(
      () => oidc({ oidcTokenFile: join(dir, "no-such-token") }).call("DescribePackageState", {}),
      "CredentialSourceFailed",
      /cannot read the OIDC token file .*no-such-token/,
      /oidcTokenFile \(ALIBABA_CLOUD_OIDC_TOKEN_FILE\)/,
    );
  });

  it("half the OIDC environment variables: names the missing ones", async () => {
    await rejects(
      () => client({}, { ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER, ALIBABA_CLOUD_ROLE_ARN: ROLE }),
      "CredentialsNotFound",
      /set but not ALIBABA_CLOUD_OIDC_TOKEN_FILE/,
    );
  });

  it("nothing found: the error lists the new sources too", async () => {
    await rejects(
      () => client({}),
      "CredentialsNotFound",
      /alicloud:assumeRoleWithOidc/,
      /alicloud:ecsRoleName/,
      /alicloud:credentialsUri/,
      /ALIBABA_CLOUD_OIDC_PROVIDER_ARN/,
      /ALIBABA_CLOUD_ECS_METADATA/,
      /ALIBABA_CLOUD_CREDENTIALS_URI/,
    );
  });
});

describe("ECS RAM role and credentials URI, served by loopback servers", function () {
  this.timeout(60_000);
  let emu: EmulatorProcess;
  let sts: StsClient;
  let dir: string;
  before(async () => {
    emu = await startEmulatorProcess([]);
    dir = mkdtempSync(join(tmpdir(), "cas-meta-"));
    sts = new StsClient({ endpoint: new URL(emu.endpoint), source: "the test", proxy: {}, route: "" });
  });
  after(() => emu?.stop());

  /** A session of the emulator's STS, as the metadata service or a sidecar would hand out. */
  const freshKeys = (): Promise<SessionKeys> =>
    sts.assumeRole(
      { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
      { roleArn: ROLE, sessionName: "server" },
      "the test",
    );
  const answer = (k: SessionKeys) =>
    JSON.stringify({
      Code: "Success",
      AccessKeyId: k.accessKeyId,
      AccessKeySecret: k.accessKeySecret,
      SecurityToken: k.securityToken,
      Expiration: new Date(k.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
      LastUpdated: new Date().toISOString(),
    });
  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} token=${req.headers["x-aliyun-ecs-metadata-token"] ?? "-"}`);
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      seen,
      close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
    };
  }

  it("alicloud:ecsRoleName: IMDSv2 token, then the role's keys from the metadata service; an order is placed with them", async () => {
    const meta = await serve((req, res) => {
      if (req.method === "PUT" && req.url === "/latest/api/token") return res.end("imds-token-1");
      if (req.headers["x-aliyun-ecs-metadata-token"] !== "imds-token-1")
        return (res.writeHead(401), res.end());
      if (req.url === "/latest/meta-data/ram/security-credentials/EcsCasRole")
        return void freshKeys().then((k) => res.end(answer(k)));
      res.writeHead(404);
      res.end();
    });
    try {
      const c = new CasClient({
        endpoint: emu.endpoint,
        env: {},
        profileFile: join(dir, "absent.json"),
        rateLimits: false,
        config: lookup({
          "alicloud:ecsRoleName": "EcsCasRole",
          "alicloud-cas:ecsMetadataEndpoint": meta.url,
        }),
      });
      const { OrderId } = await c.call("CreateCertificateRequest", { ...order, Domain: "ecs.example.com" });
      assert.match(OrderId, /^\d+$/);
      assert.deepEqual(meta.seen, [
        "PUT /latest/api/token token=-",
        "GET /latest/meta-data/ram/security-credentials/EcsCasRole token=imds-token-1",
      ]);
      assert.match(c.identity.source, /ECS RAM role EcsCasRole \(stack config alicloud:ecsRoleName\)/);
    } finally {
      await meta.close();
    }
  });

  it("an EcsRamRole profile without a role name asks the instance's role (IMDSv1 when the service gives no token); a metadata service that is not there is named", async () => {
    const meta = await serve((req, res) => {
      if (req.method === "PUT") return (res.writeHead(404), res.end());
      if (req.url === "/latest/meta-data/ram/security-credentials/") return res.end("InstanceRole\n");
      if (req.url === "/latest/meta-data/ram/security-credentials/InstanceRole")
        return void freshKeys().then((k) => res.end(answer(k)));
      res.writeHead(404);
      res.end();
    });
    const profileFile = join(dir, "ecs-config.json");
    writeFileSync(
      profileFile,
      JSON.stringify({ current: "ecs", profiles: [{ name: "ecs", mode: "EcsRamRole" }] }),
    );
    try {
      const c = new CasClient({
        endpoint: emu.endpoint,
        env: {},
        profileFile,
        rateLimits: false,
        ecsMetadataEndpoint: meta.url,
      });
      assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
      assert.deepEqual(meta.seen, [
        "PUT /latest/api/token token=-",
        "GET /latest/meta-data/ram/security-credentials/ token=-",
        "GET /latest/meta-data/ram/security-credentials/InstanceRole token=-",
      ]);
    } finally {
      await meta.close();
    }
    const gone = new CasClient({
      endpoint: emu.endpoint,
      env: { ALIBABA_CLOUD_ECS_METADATA: "InstanceRole" },
      profileFile: join(dir, "absent.json"),
      rateLimits: false,
      ecsMetadataEndpoint: meta.url,
    });
    await assert.rejects(gone.call("DescribePackageState", {}), (e: CasError) => {
      assert.equal(e.code, "CredentialSourceFailed");
      assert.match(
        e.message,
        /environment ALIBABA_CLOUD_ECS_METADATA: cannot reach the ECS metadata service/,
      );
      assert.match(e.message, /answers only on an ECS instance/);
      return true;
    });
  });

  it("ALIBABA_CLOUD_CREDENTIALS_URI: keys from the URI, kept while valid, fetched again after an expired-token answer", async () => {
    let served = 0;
    const sidecar = await serve((_req, res) => {
      served += 1;
      void freshKeys().then((k) => res.end(answer(k)));
    });
    try {
      const c = new CasClient({
        endpoint: emu.endpoint,
        env: { ALIBABA_CLOUD_CREDENTIALS_URI: `${sidecar.url}/credentials` },
        profileFile: join(dir, "absent.json"),
        rateLimits: false,
      });
      await c.call("DescribePackageState", {});
      await c.call("DescribePackageState", {});
      assert.equal(served, 1, "kept while valid");
      await emu.control("POST", "sts/expire");
      assert.equal((await c.call("DescribePackageState", {})).TotalCount, 100);
      assert.equal(served, 2, "fetched again after the expired-token answer");
      assert.match(
        c.identity.source,
        /credentials URI http:\/\/127\.0\.0\.1:\d+\/credentials \(environment ALIBABA_CLOUD_CREDENTIALS_URI\)/,
      );
    } finally {
      await sidecar.close();
    }
  });
});

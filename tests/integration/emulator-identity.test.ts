import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

/** A client of the emulator with these credentials (CAS and STS on the emulator's origin). */
function clientOf(
  emu: RunningEmulator,
  key: { accessKeyId: string; accessKeySecret: string },
  token?: string,
) {
  return new CasClient({
    endpoint: emu.endpoint,
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    ...(token === undefined ? {} : { securityToken: token }),
    env: {},
  });
}

async function control(emu: RunningEmulator, path: string, body?: unknown) {
  const res = await fetch(`${emu.endpoint}/_emulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("emulator: accounts with ids, and STS GetCallerIdentity on the same origin", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  const dirs: string[] = [];
  before(async () => {
    emu = await startEmulator({ securityTokens: ["token-1", "token-2"], accountId: "1968132000123456" });
  });
  after(async () => {
    await emu?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("answers a key of the account as the account itself, and a token of that key as a role session of the same account", async () => {
    assert.equal(emu.accountId, "1968132000123456");
    const own = await clientOf(emu, emu).callerIdentity();
    assert.deepEqual(
      { ...own, requestId: typeof own.requestId },
      {
        accountId: "1968132000123456",
        arn: "acs:ram::1968132000123456:root",
        identityType: "Account",
        principalId: "1968132000123456",
        userId: "1968132000123456",
        roleId: null,
        requestId: "string",
      },
    );
    const session = await clientOf(emu, emu, "token-1").callerIdentity();
    assert.equal(session.accountId, "1968132000123456");
    assert.equal(session.identityType, "AssumedRoleUser");
    assert.match(session.arn, /^acs:ram::1968132000123456:assumed-role\/cas-emulator-sts\/[0-9a-f]{12}$/);
    assert.equal(session.principalId, `${session.roleId}:${session.arn.split("/").at(-1)}`);
    assert.equal(session.userId, null);
  });

  it("asks STS once per process for each set of credentials: a rotated token is asked once more", async () => {
    emu.control.clearRequests();
    const key = { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret };
    await clientOf(emu, key, "token-2").callerIdentity();
    await clientOf(emu, key, "token-2").callerIdentity();
    const asked = emu.control.stsRequests();
    assert.deepEqual(
      asked.map((r) => [r.action, r.accessKeyId, r.accountId, r.temporary, r.outcome]),
      [["GetCallerIdentity", emu.accessKeyId, "1968132000123456", true, "OK"]],
    );
    assert.deepEqual(emu.control.requests(), [], "STS requests are not CAS requests");
  });

  it("refuses a bad signature and a token the key does not hold, as CAS does", async () => {
    await assert.rejects(
      clientOf(emu, { accessKeyId: emu.accessKeyId, accessKeySecret: "wrong" }).callerIdentity(),
      (e: Error & { code?: string }) =>
        e.code === "SignatureDoesNotMatch" && /GetCallerIdentity failed/.test(e.message),
    );
    await assert.rejects(
      clientOf(emu, emu, "token-9").callerIdentity(),
      (e: Error & { code?: string }) => e.code === "InvalidSecurityToken.Expired",
    );
  });

  it("the control API adds a second account with its own key, and another key to an account; orders stay in their account", async () => {
    const added = await control(emu, "access-keys", {});
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const other = added.body as { accountId: string; accessKeyId: string; accessKeySecret: string };
    assert.match(other.accountId, /^[1-9]\d{15}$/);
    assert.notEqual(other.accountId, emu.accountId);
    assert.equal((await clientOf(emu, other).callerIdentity()).accountId, other.accountId);

    const second = await control(emu, "access-keys", { accountId: emu.accountId });
    const sameAccount = second.body as { accountId: string; accessKeyId: string; accessKeySecret: string };
    assert.equal(sameAccount.accountId, emu.accountId);

    const { OrderId } = await clientOf(emu, emu).call("CreateCertificateRequest", {
      Domain: "acct.example.com",
      ProductCode: "digicert-free-1-free",
      ValidateType: "DNS",
      Username: "Keller",
      Phone: "13800001111",
      Email: "ops@example.com",
    });
    // Another key of the same account, and a token of the account's key, see it; the other account does not.
    for (const c of [clientOf(emu, sameAccount), clientOf(emu, emu, "token-1")])
      assert.equal((await c.call("DescribeCertificateState", { OrderId })).Type, "domain_verify");
    await assert.rejects(
      clientOf(emu, other).call("DescribeCertificateState", { OrderId }),
      (e: Error & { code?: string }) => e.code === "NotFoundOrder",
    );
    const keys = (await control(emu, "access-keys")).body as unknown as Array<Record<string, string>>;
    assert.deepEqual(
      keys.map((k) => Object.keys(k).sort()),
      keys.map(() => ["accessKeyId", "accountId"]),
      "no secrets listed",
    );
    assert.deepEqual(
      keys.filter((k) => k.accountId === emu.accountId).map((k) => k.accessKeyId),
      [emu.accessKeyId, sameAccount.accessKeyId],
    );
    const refused = await control(emu, "access-keys", { accountId: "12" });
    assert.equal(refused.status, 400);
    assert.match(String(refused.body.error), /accountId: 16 digits/);
  });

  it("keeps the account id in its state file; a state file written before account ids gets one per key, kept from then on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-identity-"));
    dirs.push(dir);
    let e = await startEmulator({ dataDir: dir });
    const first = e.accountId;
    assert.match(first, /^[1-9]\d{15}$/);
    await e.close();
    e = await startEmulator({ dataDir: dir });
    assert.equal(e.accountId, first, "persisted");
    await e.close();

    // As an earlier release wrote it: no accountId.
    const file = join(dir, "state.json");
    const older = JSON.parse(readFileSync(file, "utf8")) as { accounts: Array<Record<string, unknown>> };
    for (const a of older.accounts) delete a.accountId;
    writeFileSync(file, JSON.stringify(older));
    e = await startEmulator({ dataDir: dir });
    try {
      const given = e.accountId;
      assert.match(given, /^[1-9]\d{15}$/);
      assert.equal((await clientOf(e, e).callerIdentity()).accountId, given);
      const saved = JSON.parse(readFileSync(file, "utf8")) as { accounts: Array<{ accountId: string }> };
      assert.equal(saved.accounts[0]!.accountId, given, "written back at start");
    } finally {
      await e.close();
    }
    await assert.rejects(
      startEmulator({ accountId: "123" }),
      /accountId "123" is not an account id: give 16 digits/,
    );
  });

  it("pacing follows the account: a rotated STS token of the key does not start a fresh budget", async () => {
    const pace = { DescribeCertificateState: 0.5 } as const;
    const waits: string[] = [];
    // An account of its own (no earlier call of this process has paced it). As with real STS, the
    // rotated token comes with another AccessKey id (of the same account).
    const key = emu.control.addAccessKey({ securityTokens: ["token-a"] });
    const rotated = emu.control.addAccessKey({ accountId: key.accountId, securityTokens: ["token-b"] });
    const keyOf = (token: string) => (token === "token-a" ? key : rotated);
    const paced = (token: string) =>
      new CasClient({
        endpoint: emu.endpoint,
        accessKeyId: keyOf(token).accessKeyId,
        accessKeySecret: keyOf(token).accessKeySecret,
        securityToken: token,
        env: {},
        rateLimits: pace,
        accountPacing: true,
        onEvent: (e) => {
          if (e.kind === "throttled-locally") waits.push(token);
        },
      });
    const { OrderId } = await clientOf(emu, key).call("CreateCertificateRequest", {
      Domain: "pace.example.com",
      ProductCode: "digicert-free-1-free",
      ValidateType: "DNS",
      Username: "Keller",
      Phone: "13800001111",
      Email: "ops@example.com",
    });
    // One slot every 2 s, burst 1: the first token spends it; the rotated one (asked to STS first)
    // finds it spent and waits, as it would have had the token not changed.
    await paced("token-a").call("DescribeCertificateState", { OrderId });
    await paced("token-b").call("DescribeCertificateState", { OrderId });
    assert.deepEqual(waits, ["token-b"]);
  });
});

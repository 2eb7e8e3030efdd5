import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CertificateOrder, CertificateOrderValidation } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { engineStack, type EngineStack } from "../support/engine";

const ROLE = "acs:ram::1234567890123456:role/pulumi-certificates";
const PROVIDER = "acs:ram::1234567890123456:oidc-provider/github";

interface LogEntry {
  action: string;
  accessKeyId: string | null;
  outcome: string;
}

/** A JWT-shaped token as GitHub issues one (unsigned: the emulator checks its shape and `exp`). */
function githubToken(): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return [
    part({ alg: "RS256" }),
    part({
      iss: "https://token.actions.githubusercontent.com",
      sub: "repo:example/infra:ref:refs/heads/main",
      aud: "sts.aliyuncs.com",
      iat: now,
      exp: now + 3600,
    }),
    "c2ln",
  ].join(".");
}

// The GitHub Actions set-up of examples/github-actions under the real engine: no key anywhere, only
// alicloud:assumeRoleWithOidc in stack config and a token file; sessions of 3 s, so the validation
// wait outlives several of them.
describe("the real engine with an OIDC role session (alicloud:assumeRoleWithOidc), no stored key", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let env: EngineStack;

  before(async () => {
    emu = await startEmulatorProcess([
      "--validation",
      "manual",
      "--sts-lifetime",
      "3",
      "--sts-oidc-provider",
      PROVIDER,
    ]);
    env = await engineStack(
      "cas-e2e-oidc",
      async () => {
        const order = new CertificateOrder("www", {
          domain: "oidc.example.com",
          username: "Keller",
          phone: "13800001111",
          email: "ops@example.com",
        });
        const issued = new CertificateOrderValidation("www", {
          orderId: order.orderId,
          timeoutMinutes: 5,
          pollIntervalSeconds: 1,
        });
        return { orderId: order.orderId, serialNumber: issued.serialNumber };
      },
      { HOME: "/nonexistent-home-for-e2e" },
    );
    const tokenFile = join(env.dir, "oidc-token");
    writeFileSync(tokenFile, githubToken());
    await env.stack.setAllConfig(
      {
        "alicloud:endpoints[0].cas": { value: emu.endpoint },
        "alicloud:endpoints[0].sts": { value: emu.endpoint },
        "alicloud:assumeRoleWithOidc.oidcProviderArn": { value: PROVIDER },
        "alicloud:assumeRoleWithOidc.roleArn": { value: ROLE },
        "alicloud:assumeRoleWithOidc.roleSessionName": { value: "github-actions" },
        "alicloud:assumeRoleWithOidc.oidcTokenFile": { value: tokenFile },
      },
      true,
    );
  });
  after(async () => {
    await env?.dispose();
    await emu?.stop();
  });

  it("up places the order and waits for it across several sessions; every CAS call is signed by a session key", async () => {
    const log = async () => (await emu.control("GET", "requests")) as LogEntry[];
    const up = env.stack.up();
    /** Distinct session keys the validation's polls were answered OK with. */
    const pollKeys = async () =>
      new Set(
        (await log())
          .filter((e) => e.action === "DescribeCertificateState" && e.outcome === "OK")
          .map((e) => e.accessKeyId),
      );
    let failed: unknown;
    void up.catch((e: unknown) => (failed = e));
    while ((await pollKeys()).size < 3 && failed === undefined)
      await new Promise((ok) => setTimeout(ok, 300));
    assert.equal(failed, undefined, String(failed));
    const [placed] = (await emu.control("GET", "orders")) as Array<{ orderId: string; accessKeyId: string }>;
    assert.equal(placed?.accessKeyId, emu.accessKeyId, "the order is in the role's account");
    await emu.control("POST", `orders/${placed.orderId}/issue`);
    const result = await up;
    assert.equal(result.summary.result, "succeeded");
    assert.equal(result.outputs.orderId?.value, placed.orderId);
    assert.match(String(result.outputs.serialNumber?.value), /^[0-9a-f]+$/);
    const entries = await log();
    const cas = entries.filter((e) => e.action !== "AssumeRoleWithOIDC");
    assert.ok(cas.length > 0);
    for (const e of cas)
      assert.match(String(e.accessKeyId), /^STS\./, `${e.action} signed by ${e.accessKeyId}`);
    assert.ok(entries.filter((e) => e.action === "AssumeRoleWithOIDC" && e.outcome === "OK").length >= 3);
    assert.equal(entries.filter((e) => e.action === "AssumeRoleWithOIDC" && e.outcome !== "OK").length, 0);
  });
});

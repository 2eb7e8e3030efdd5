import assert from "node:assert/strict";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { pluginProject, type PluginProject } from "../support/plugin-project";

const PROXY_PASSWORD = "pr0xy-S3cret";
const OIDC_TOKEN = "inline-oidc-t0ken";

/**
 * The provider's configuration as the engine stores it: the default provider from stack config
 * (`alicloudcas:proxy` with a password, set without --secret) ordering one certificate, and an
 * explicit provider with an inline `oidcToken` that nothing uses (the engine stores it all the same).
 */
const PROGRAM = `name: cas-provider-config
runtime: yaml
resources:
  order:
    type: alicloudcas:index:CertificateOrder
    properties:
      domain: www.example.com
      username: Keller
      phone: "13800001111"
      email: ops@example.com
      quotaCheck: "off"
  ci:
    type: pulumi:providers:alicloudcas
    properties:
      assumeRoleWithOidc:
        roleArn: acs:ram::1234567890123456:role/ci
        oidcProviderArn: acs:ram::1234567890123456:oidc-provider/ci
        oidcToken: ${OIDC_TOKEN}
outputs:
  orderId: \${order.orderId}
`;

describe("the alicloudcas plugin: the provider's configuration (CheckConfig, DiffConfig)", function () {
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  let project: PluginProject;

  before(async () => {
    emu = await startEmulatorProcess(["--seed", "25"]);
    // The proxy is never reached: the emulator is on this machine (NO_PROXY); only its password matters here.
    project = await pluginProject(
      { "Pulumi.yaml": PROGRAM },
      { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint, NO_PROXY: "127.0.0.1,localhost" },
    );
    await project.pulumi(["config", "set", "alicloudcas:accessKey", emu.accessKeyId]);
    await project.pulumi(["config", "set", "--secret", "alicloudcas:secretKey", emu.accessKeySecret]);
    await project.pulumi(["config", "set", "alicloudcas:proxy", `http://cas:${PROXY_PASSWORD}@127.0.0.1:9`]);
  });
  after(async () => {
    project?.dispose();
    await emu?.stop();
  });

  it("a mistyped key fails the preview naming it; state holds credential-bearing values encrypted; a changed region updates the provider and replaces nothing", async () => {
    await project.pulumi(["config", "set", "alicloudcas:regoin", "cn-hangzhou"]);
    await project.pulumi(["config", "set", "alicloudcas:secretkey", "Mistyped-S3cret-Value"]);
    const mistyped = await project.pulumi(["preview"], { allowFailure: true });
    assert.notEqual(mistyped.code, 0);
    assert.match(
      mistyped.stdout + mistyped.stderr,
      /alicloudcas:regoin is not a setting of the alicloudcas provider; did you mean alicloudcas:region\?/,
    );
    assert.match(mistyped.stdout + mistyped.stderr, /did you mean alicloudcas:secretKey\?/);
    assert.doesNotMatch(
      mistyped.stdout + mistyped.stderr,
      /Mistyped-S3cret-Value/,
      "a mistyped key's value is shown",
    );
    await project.pulumi(["config", "rm", "alicloudcas:regoin"]);
    await project.pulumi(["config", "rm", "alicloudcas:secretkey"]);
    assert.deepEqual(await emu.control("GET", "orders"), [], "the failed preview ordered nothing");

    await project.pulumi(["up", "--yes", "--skip-preview"]);
    const exported = (await project.pulumi(["stack", "export"])).stdout;
    assert.doesNotMatch(
      exported,
      new RegExp(PROXY_PASSWORD),
      "the proxy's password is in state in plain text",
    );
    assert.doesNotMatch(exported, new RegExp(OIDC_TOKEN), "the inline oidcToken is in state in plain text");
    assert.doesNotMatch(exported, new RegExp(emu.accessKeySecret));
    // Stored, as secrets: the values are there when secrets are shown.
    const shown = (await project.pulumi(["stack", "export", "--show-secrets"])).stdout;
    assert.match(shown, new RegExp(PROXY_PASSWORD));
    assert.match(shown, new RegExp(OIDC_TOKEN));

    await project.pulumi(["up", "--yes", "--expect-no-changes"]);

    const [order] = (await emu.control("GET", "orders")) as Array<{ orderId: string }>;
    await project.pulumi(["config", "set", "alicloudcas:region", "ap-southeast-1"]);
    // The engine leaves default providers out of its display and its JSON preview: nothing else changes.
    const preview = await project.pulumi(["preview", "--diff"]);
    assert.doesNotMatch(preview.stdout, /replace|delete|create/i);
    await project.pulumi(["up", "--yes", "--skip-preview"]);
    const orders = (await emu.control("GET", "orders")) as Array<{ orderId: string }>;
    assert.deepEqual(
      orders.map((o) => o.orderId),
      [order!.orderId],
      "a changed region ordered nothing new",
    );
    // The provider was updated in place: its stored inputs hold the new region.
    const state = JSON.parse((await project.pulumi(["stack", "export"])).stdout) as {
      deployment: { resources: Array<{ urn: string; id?: string; inputs?: Record<string, unknown> }> };
    };
    const provider = state.deployment.resources.find((r) =>
      r.urn.endsWith("pulumi:providers:alicloudcas::default"),
    );
    assert.equal(provider?.inputs?.region, "ap-southeast-1");
    const stored = state.deployment.resources.find((r) => r.urn.endsWith("::order"));
    assert.equal(stored?.id, order!.orderId);
    await project.pulumi(["up", "--yes", "--expect-no-changes"]);

    await project.pulumi(["destroy", "--yes"]);
  });
});

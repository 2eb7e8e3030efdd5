import assert from "node:assert/strict";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { pluginProject, type PluginProject } from "../support/plugin-project";

/** Two explicit providers of the plugin, one per account, each ordering one certificate. */
const PROGRAM = `name: cas-two-accounts
runtime: yaml
config:
  keyA:
    type: string
  secretA:
    type: string
    secret: true
  keyB:
    type: string
  secretB:
    type: string
    secret: true
resources:
  accountA:
    type: pulumi:providers:alicloudcas
    properties:
      accessKey: \${keyA}
      secretKey: \${secretA}
  accountB:
    type: pulumi:providers:alicloudcas
    properties:
      accessKey: \${keyB}
      secretKey: \${secretB}
      operationTimeoutSeconds: 120
      qps: 5
  orderA:
    type: alicloudcas:index:CertificateOrder
    properties:
      domain: a.example.com
      username: Keller
      phone: "13800001111"
      email: ops@example.com
      quotaCheck: "off"
    options:
      provider: \${accountA}
  orderB:
    type: alicloudcas:index:CertificateOrder
    properties:
      domain: b.example.com
      username: Keller
      phone: "13800001111"
      email: ops@example.com
      quotaCheck: "off"
    options:
      provider: \${accountB}
outputs:
  orderA: \${orderA.orderId}
  orderB: \${orderB.orderId}
`;

describe("the alicloudcas plugin: two provider instances for two accounts in one YAML program", function () {
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  let project: PluginProject;
  let second: { accountId: string; accessKeyId: string; accessKeySecret: string };

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "dns", "--seed", "22"]);
    second = (await emu.control("POST", "access-keys", {
      accountId: "1111222233334444",
      accessKeyId: "LTAIsecondaccount",
      accessKeySecret: "second-account-secret-0123",
    })) as typeof second;
    project = await pluginProject({ "Pulumi.yaml": PROGRAM }, { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint });
    await project.pulumi(["config", "set", "keyA", emu.accessKeyId]);
    await project.pulumi(["config", "set", "--secret", "secretA", emu.accessKeySecret]);
    await project.pulumi(["config", "set", "keyB", second.accessKeyId]);
    await project.pulumi(["config", "set", "--secret", "secretB", second.accessKeySecret]);
  });
  after(async () => {
    project?.dispose();
    await emu?.stop();
  });

  it("places each order in its provider's account, each provider in a plugin process of its own", async () => {
    const up = await project.pulumi(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr", "--logflow"]);
    // The engine's own log (lines the language host forwarded are left out) names every plugin
    // process it launches and every Configure: one process, configured once, per provider instance.
    const engineLines = up.stderr.split("\n").filter((l) => !l.includes("eventSink::Infoerr"));
    const launches = engineLines.filter((l) => l.includes("Launching plugin 'alicloudcas (resource)'"));
    const configured = new Set(
      engineLines.flatMap((l) => /Provider\[(0x[0-9a-f]+)\]\.Configure\(\) executing/.exec(l)?.[1] ?? []),
    );
    assert.equal(launches.length, 2, "one alicloudcas plugin process per provider instance");
    assert.equal(configured.size, 2, "each provider instance configured once, on its own plugin");
    const out = JSON.parse((await project.pulumi(["stack", "output", "--json"])).stdout) as Record<
      string,
      string
    >;
    const orders = (await emu.control("GET", "orders")) as Array<{
      orderId: string;
      accessKeyId: string;
      domains: string[];
    }>;
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    assert.equal(orders.length, 2);
    assert.deepEqual(byId.get(out.orderA!)?.domains, ["a.example.com"]);
    assert.equal(byId.get(out.orderA!)?.accessKeyId, emu.accessKeyId);
    assert.deepEqual(byId.get(out.orderB!)?.domains, ["b.example.com"]);
    assert.equal(byId.get(out.orderB!)?.accessKeyId, second.accessKeyId);

    await project.pulumi(["preview", "--expect-no-changes"]);
    await project.pulumi(["destroy", "--yes"]);
    const left = (await emu.control("GET", "orders")) as unknown[];
    // onDelete `cancel` withdraws and deletes an unissued order in its own account.
    assert.deepEqual(left, []);
  });

  it("a provider instance's bad setting fails its check (CheckConfig) naming the alicloudcas: key, and not the other instance's", async () => {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${project.dir}/project/Pulumi.yaml`, PROGRAM.replace("      qps: 5\n", "      qps: -1\n"));
    const preview = await project.pulumi(["preview"], { allowFailure: true });
    assert.notEqual(preview.code, 0);
    const text = preview.stdout + preview.stderr;
    assert.match(
      text,
      /pulumi:providers:alicloudcas resource 'accountB' has a problem: \[InvalidConfig\] alicloudcas:qps: "-1" is not a positive number/,
    );
    assert.doesNotMatch(text, /(accountA|orderA)[^\n]*error/);
  });
});

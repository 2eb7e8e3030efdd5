import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { pluginProject, type PluginProject } from "../support/plugin-project";

/**
 * A YAML program: one order by domain, its validation record published to the emulator's DNS
 * (emulatordns, standing in for alicloud.dns.AlidnsRecord), and the wait for issuance.
 */
const PROGRAM = `name: cas-yaml
runtime: yaml
description: A certificate ordered from CAS, its DNS record published, issuance awaited.
config:
  controlUrl:
    type: string
resources:
  order:
    type: alicloudcas:index:CertificateOrder
    properties:
      domain: www.example.com
      username: Keller
      phone: "13800001111"
      email: ops@example.com
      quotaCheck: "off"
      tags:
        team: yaml
    options:
      replaceOnChanges: [tags]
  record:
    type: emulatordns:index:Record
    properties:
      controlUrl: \${controlUrl}
      name: \${order.validationRecords["www.example.com"].fqdn}
      type: \${order.validationRecords["www.example.com"].type}
      value: \${order.validationRecords["www.example.com"].value}
  issued:
    type: alicloudcas:index:CertificateValidation
    properties:
      orderId: \${order.orderId}
      validationRecordFqdns:
        - \${record.name}
      timeoutMinutes: 2
      pollIntervalSeconds: 1
outputs:
  orderId: \${order.orderId}
  status: \${issued.status}
  certificatePem: \${issued.certificatePem}
  privateKeyPem: \${issued.privateKeyPem}
  notAfter: \${issued.notAfter}
`;

describe("the alicloudcas plugin under the real engine: a YAML program", function () {
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  let project: PluginProject;

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "dns", "--issue-after", "200", "--seed", "21"]);
    project = await pluginProject({ "Pulumi.yaml": PROGRAM }, { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint });
    await project.pulumi(["config", "set", "controlUrl", `${emu.endpoint}/_emulator`]);
    await project.pulumi(["config", "set", "alicloudcas:accessKey", emu.accessKeyId]);
    await project.pulumi(["config", "set", "--secret", "alicloudcas:secretKey", emu.accessKeySecret]);
  });
  after(async () => {
    project?.dispose();
    await emu?.stop();
  });

  it("up orders, publishes the record and waits for issuance; a second up changes nothing; refresh, preview and destroy", async () => {
    // The engine asks the plugin for a preview's creates too: they act on nothing in CAS.
    const plan = await project.pulumi(["preview"]);
    assert.match(plan.stdout, /\+ 4 to create/);
    const seen = (await emu.control("GET", "requests")) as Array<{ action: string }>;
    assert.deepEqual(
      seen.filter((r) => r.action.startsWith("Create")),
      [],
      "a preview placed nothing",
    );
    const first = await project.pulumi(["up", "--yes", "--skip-preview"]);
    // The provider's lines reach the engine's output (not only its verbose log): what to publish.
    assert.match(
      first.stdout,
      /\[alicloud-cas\] order \d+ placed with CreateCertificateRequest for www\.example\.com: pending_validation; publish TXT _dnsauth/,
    );
    const out = JSON.parse(
      (await project.pulumi(["stack", "output", "--json", "--show-secrets"])).stdout,
    ) as Record<string, string>;
    assert.equal(out.status, "issued");
    assert.match(out.certificatePem ?? "", /^-----BEGIN CERTIFICATE-----/);
    assert.match(out.privateKeyPem ?? "", /PRIVATE KEY-----/);
    const [order] = (await emu.control("GET", "orders")) as Array<{ orderId: string; state: string }>;
    assert.equal(out.orderId, order!.orderId);
    assert.equal(order!.state, "certificate");
    const records = (await emu.control("GET", "dns-records")) as Array<{ name: string }>;
    assert.equal(records.length, 1, "one record published by the program");
    // The key CAS made stays secret: in the stack's outputs and in its state.
    const plain = JSON.parse((await project.pulumi(["stack", "output", "--json"])).stdout) as Record<
      string,
      string
    >;
    assert.equal(plain.privateKeyPem, "[secret]");
    const exported = (await project.pulumi(["stack", "export"])).stdout;
    assert.doesNotMatch(exported, /PRIVATE KEY/);
    assert.doesNotMatch(exported, new RegExp(emu.accessKeySecret));
    assert.doesNotMatch(exported, /__provider/);

    await project.pulumi(["up", "--yes", "--expect-no-changes"]);
    await project.pulumi(["refresh", "--yes"]);
    await project.pulumi(["preview", "--expect-no-changes"]);
    await project.pulumi(["up", "--yes", "--expect-no-changes"]);

    // A contact change updates the order in place: the plugin previews the update, so the preview
    // keeps the order's id and records known and shows nothing else changing (the dynamic provider
    // host cannot: there the validation shows as replaced).
    const file = join(project.dir, "project", "Pulumi.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("ops@example.com", "pki@example.com"));
    const preview = await project.pulumi(["preview", "--diff"]);
    assert.match(preview.stdout, /~ alicloudcas:index:CertificateOrder: \(update\)/);
    assert.match(preview.stdout, /~ email *: "ops@example\.com" => "pki@example\.com"/);
    assert.doesNotMatch(preview.stdout, /\+-|replace/);
    assert.match(preview.stdout, /1 to update/);
    assert.match(preview.stdout, /3 unchanged/);
    const updated = await project.pulumi(["up", "--yes", "--skip-preview"]);
    assert.match(updated.stdout, /1 updated/);
    assert.match(updated.stdout, /3 unchanged/);

    // replaceOnChanges works on a property the plugin updates in place: its diff names the changed
    // keys the engine matches the option against.
    const before = readFileSync(file, "utf8");
    writeFileSync(file, before.replace("team: yaml", "team: platform"));
    const replacing = await project.pulumi(["preview", "--diff"]);
    assert.match(replacing.stdout, /\+-alicloudcas:index:CertificateOrder: \(replace\)/);
    assert.match(replacing.stdout, /~ team: "yaml" => "platform"/);
    // The same tags newly marked secret, beside a contact change: no change of tags, no replacement.
    writeFileSync(
      file,
      before
        .replace("        team: yaml\n", "        fn::secret:\n          team: yaml\n")
        .replace("pki@example.com", "sec@example.com"),
    );
    const marked = await project.pulumi(["preview", "--diff"]);
    assert.doesNotMatch(marked.stdout, /\+-|replace/);
    assert.match(marked.stdout, /1 to update/);
    writeFileSync(file, before);

    await project.pulumi(["destroy", "--yes"]);
    const after = JSON.parse((await project.pulumi(["stack", "export"])).stdout) as {
      deployment: { resources?: unknown[] };
    };
    assert.deepEqual(after.deployment.resources ?? [], []);
    const [gone] = (await emu.control("GET", "orders")) as Array<{ orderId: string; state: string }>;
    // onDelete `cancel` (the default) keeps an issued certificate valid.
    assert.equal(gone?.state, "certificate");
  });
});

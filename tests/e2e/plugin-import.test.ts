import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { pluginProject, type PluginProject } from "../support/plugin-project";

/** The program an imported order goes into: its names, the contact CAS does not answer, and the id it took. */
const program = (orderId: string, more = "") => `name: cas-import
runtime: yaml
resources:
  www:
    type: alicloudcas:index:CertificateOrder
    properties:
      domain: www.example.com
      adoptOrderId: "${orderId}"
      username: Keller
      phone: "13800001111"
      email: ops@example.com
      quotaCheck: "off"
${more}outputs:
  orderId: \${www.orderId}
`;

describe("the alicloudcas plugin: pulumi import of an existing order", function () {
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  let project: PluginProject;
  let orderId: string;
  let client: CasClient;

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "dns", "--seed", "23"]);
    // An order placed outside any stack (as the CAS console or another tool would).
    client = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    ({ OrderId: orderId } = await client.call("CreateCertificateRequest", {
      Domain: "www.example.com",
      ValidateType: "DNS",
      Username: "Keller",
      Phone: "13800001111",
      Email: "ops@example.com",
    }));
    project = await pluginProject(
      { "Pulumi.yaml": "name: cas-import\nruntime: yaml\nresources: {}\n" },
      { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
    );
    await project.pulumi(["config", "set", "alicloudcas:accessKey", emu.accessKeyId]);
    await project.pulumi(["config", "set", "--secret", "alicloudcas:secretKey", emu.accessKeySecret]);
  });
  after(async () => {
    project?.dispose();
    await emu?.stop();
  });

  it("imports the order by id with the inputs it needs; the program that declares it updates in place, then changes nothing", async () => {
    const imported = await project.pulumi([
      "import",
      "alicloudcas:index:CertificateOrder",
      "www",
      orderId,
      "--yes",
      "--out",
      `${project.dir}/imported.yaml`,
    ]);
    assert.match(imported.stdout, /1 imported/);
    const state = JSON.parse((await project.pulumi(["stack", "export"])).stdout) as {
      deployment: {
        resources: Array<{
          type: string;
          id?: string;
          inputs?: Record<string, unknown>;
          outputs?: Record<string, unknown>;
        }>;
      };
    };
    const order = state.deployment.resources.find((r) => r.type === "alicloudcas:index:CertificateOrder")!;
    assert.equal(order.id, orderId);
    assert.deepEqual(order.inputs, { domain: "www.example.com", adoptOrderId: orderId });
    assert.equal(order.outputs?.orderId, orderId);
    assert.equal(order.outputs?.status, "pending_validation");

    // The program now declares it (with the contact CAS does not answer): an update, no replacement, no new order.
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${project.dir}/project/Pulumi.yaml`, program(orderId));
    const preview = await project.pulumi(["preview", "--json"]);
    const steps = (JSON.parse(preview.stdout) as { steps: Array<{ op: string; urn: string }> }).steps
      .filter((s) => s.urn.includes("CertificateOrder"))
      .map((s) => s.op);
    assert.deepEqual(steps, ["update"]);
    await project.pulumi(["up", "--yes", "--skip-preview"]);
    await project.pulumi(["up", "--yes", "--expect-no-changes"]);
    const orders = (await emu.control("GET", "orders")) as Array<{ orderId: string }>;
    assert.deepEqual(
      orders.map((o) => o.orderId),
      [orderId],
      "no order placed besides the imported one",
    );
    const out = JSON.parse((await project.pulumi(["stack", "output", "--json"])).stdout) as Record<
      string,
      string
    >;
    assert.equal(out.orderId, orderId);
  });

  it("the import option takes an existing order into the program's resource; the next up changes nothing", async () => {
    const { OrderId: other } = await client.call("CreateCertificateRequest", {
      Domain: "api.example.com",
      ValidateType: "DNS",
      Username: "Keller",
      Phone: "13800001111",
      Email: "ops@example.com",
    });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      `${project.dir}/project/Pulumi.yaml`,
      program(
        orderId,
        `  api:
    type: alicloudcas:index:CertificateOrder
    properties:
      domain: api.example.com
      username: Keller
      phone: "13800001111"
      email: ops@example.com
      quotaCheck: "off"
    options:
      import: "${other}"
`,
      ),
    );
    const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
    assert.match(up.stdout, /1 imported/);
    await project.pulumi(["up", "--yes", "--expect-no-changes"]);
    const orders = (await emu.control("GET", "orders")) as Array<{ orderId: string }>;
    assert.deepEqual(orders.map((o) => o.orderId).sort(), [orderId, other].sort(), "no order placed");
  });

  it("a CertificateValidation cannot be imported: the error names the resource and what to declare", async () => {
    const r = await project.pulumi(
      ["import", "alicloudcas:index:CertificateValidation", "issued", orderId, "--yes"],
      { allowFailure: true },
    );
    assert.notEqual(r.code, 0);
    assert.match(
      r.stdout + r.stderr,
      /ImportUnsupported[\s\S]*a CertificateValidation cannot be imported; declare it in the program/,
    );
  });
});

/** The program an imported instance goes into: the settings its application was made with. */
const instanceProgram = (instanceId: string, contactId: string) => `name: cas-import-instance
runtime: yaml
resources:
  site:
    type: alicloudcas:index:InstanceCertificate
    properties:
      instanceId: ${instanceId}
      domain: shop.example.com
      contactIds:
        - "${contactId}"
outputs:
  certificateId: \${site.certificateId}
`;

describe("the alicloudcas plugin: pulumi import of an existing InstanceCertificate", function () {
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  let project: PluginProject;
  let client: CasClient;
  let instanceId: string;
  let contactId: string;
  let certificateId: string;
  let otherId: string;
  let otherCertificateId: string;
  interface Inst {
    instanceId: string;
    status: string;
  }

  /** Applies for `domain` on instance `id` with CAS's own actions, publishes its record, and waits for the certificate. */
  const applyOutside = async (id: string, domain: string): Promise<string> => {
    await client.call("UpdateInstance", {
      InstanceId: id,
      GenerateCsrMethod: "online",
      Domain: domain,
      ValidationMethod: "DNS",
      ContactIdList: [contactId],
      AutoReissue: "disable",
    });
    await client.call("ApplyCertificate", { InstanceId: id });
    for (let tries = 0; ; tries++) {
      const records = (await emu.control("GET", `instances/${id}/expected-records`)) as unknown[];
      if (records.length) {
        for (const r of records) await emu.control("POST", "dns-records", r);
        break;
      }
      assert.ok(tries < 300, "the emulator named the instance's validation record");
      await new Promise((ok) => setTimeout(ok, 200));
    }
    for (let tries = 0; ; tries++) {
      const d = await client.call("GetInstanceDetail", { InstanceId: id });
      if (d.CertificateStatus === "issued") return String(d.CertificateId);
      assert.ok(tries < 300, `the instance's certificate was issued (status ${d.Status})`);
      await new Promise((ok) => setTimeout(ok, 200));
    }
  };

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "dns", "--issue-after", "0", "--test-instances", "4"]);
    client = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    // Certificates applied on instances outside any stack (as the CAS console would), then issued.
    const [first, second] = (await emu.control("GET", "instances")) as Inst[];
    instanceId = first!.instanceId;
    otherId = second!.instanceId;
    ({ ContactId: contactId } = await client.call("CreateContact", {
      Name: "Keller",
      Mobile: "13800001111",
      Email: "ops@example.com",
    }));
    contactId = String(contactId);
    certificateId = await applyOutside(instanceId, "shop.example.com");
    otherCertificateId = await applyOutside(otherId, "api.example.com");
    project = await pluginProject(
      { "Pulumi.yaml": "name: cas-import-instance\nruntime: yaml\nresources: {}\n" },
      { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint },
    );
    await project.pulumi(["config", "set", "alicloudcas:accessKey", emu.accessKeyId]);
    await project.pulumi(["config", "set", "--secret", "alicloudcas:secretKey", emu.accessKeySecret]);
  });
  after(async () => {
    project?.dispose();
    await emu?.stop();
  });

  it("imports the instance by id with the inputs it needs; the program declaring the same settings changes nothing and applies nothing", async () => {
    const applied = async () =>
      ((await emu.control("GET", "requests")) as Array<{ action: string }>).filter(
        (r) => r.action === "ApplyCertificate",
      ).length;
    const appliedBefore = await applied();
    const imported = await project.pulumi([
      "import",
      "alicloudcas:index:InstanceCertificate",
      "site",
      instanceId,
      "--yes",
      "--out",
      `${project.dir}/imported.yaml`,
    ]);
    assert.match(imported.stdout, /1 imported/);
    const state = JSON.parse((await project.pulumi(["stack", "export"])).stdout) as {
      deployment: {
        resources: Array<{
          type: string;
          id?: string;
          inputs?: Record<string, unknown>;
          outputs?: Record<string, unknown>;
        }>;
      };
    };
    const site = state.deployment.resources.find((r) => r.type === "alicloudcas:index:InstanceCertificate")!;
    assert.equal(site.id, instanceId);
    assert.deepEqual(site.inputs, { instanceId, domain: "shop.example.com", contactIds: [contactId] });
    assert.equal(site.outputs?.status, "issued");
    assert.equal(site.outputs?.certificateId, certificateId);
    const d = await client.call("GetInstanceDetail", { InstanceId: instanceId });
    assert.equal(
      d.Tags?.find((t) => t.TagKey === "pulumi-alicloud-cas:claim")?.TagValue,
      site.outputs?.claim,
      "the instance carries the imported resource's claim",
    );

    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${project.dir}/project/Pulumi.yaml`, instanceProgram(instanceId, contactId));
    await project.pulumi(["preview", "--expect-no-changes"]);
    await project.pulumi(["up", "--yes", "--expect-no-changes"]);
    assert.equal(await applied(), appliedBefore, "nothing applied since the import");
    const out = JSON.parse((await project.pulumi(["stack", "output", "--json"])).stdout) as Record<
      string,
      string
    >;
    assert.equal(out.certificateId, certificateId);
    const after = await client.call("GetInstanceDetail", { InstanceId: instanceId });
    assert.equal(
      String(after.CertificateId),
      certificateId,
      "the instance's certificate is the one imported",
    );
  });

  it("the instance imported by one resource is refused to another (another URN), naming the claim and the fix", async () => {
    const r = await project.pulumi(
      ["import", "alicloudcas:index:InstanceCertificate", "other", instanceId, "--yes"],
      { allowFailure: true },
    );
    assert.notEqual(r.code, 0);
    assert.match(
      r.stdout + r.stderr,
      new RegExp(
        `InstanceHeld[\\s\\S]*instance ${instanceId}: it is held by another InstanceCertificate \\(pulumi-alicloud-cas:claim=urn-[0-9a-f]{24}\\.import-[0-9a-f]{24}\\)`,
      ),
    );
  });

  it("an id CAS does not know is refused, naming the id and the fix", async () => {
    const r = await project.pulumi(
      ["import", "alicloudcas:index:InstanceCertificate", "nosuch", "cas-cn-nosuch0001", "--yes"],
      { allowFailure: true },
    );
    assert.notEqual(r.code, 0);
    assert.match(
      r.stdout + r.stderr,
      /ImportNotFound[\s\S]*instance cas-cn-nosuch0001: CAS answers NotFound\.Instance[\s\S]*check the id \(pulumi import alicloudcas:index:InstanceCertificate <name> <instanceId>\)/,
    );
  });

  it("an instance with nothing applied on it is refused, naming the id and the fix", async () => {
    const idle = ((await emu.control("GET", "instances")) as Inst[]).find((i) => i.status === "inactive")!;
    const r = await project.pulumi(
      ["import", "alicloudcas:index:InstanceCertificate", "idle", idle.instanceId, "--yes"],
      { allowFailure: true },
    );
    assert.notEqual(r.code, 0);
    assert.match(
      r.stdout + r.stderr,
      new RegExp(
        `ImportUnmanageable[\\s\\S]*instance ${idle.instanceId}: nothing is applied on it \\(status inactive\\)[\\s\\S]*declare an InstanceCertificate with instanceId: "${idle.instanceId}"`,
      ),
    );
  });

  it("an instance whose application is under review is refused, naming the id and the fix", async () => {
    const idle = ((await emu.control("GET", "instances")) as Inst[]).filter((i) => i.status === "inactive");
    const review = idle[idle.length - 1]!.instanceId;
    await client.call("UpdateInstance", {
      InstanceId: review,
      GenerateCsrMethod: "online",
      Domain: "review.example.com",
      ValidationMethod: "DNS",
      ContactIdList: [contactId],
      AutoReissue: "disable",
    });
    await client.call("ApplyCertificate", { InstanceId: review });
    const r = await project.pulumi(
      ["import", "alicloudcas:index:InstanceCertificate", "review", review, "--yes"],
      { allowFailure: true },
    );
    assert.notEqual(r.code, 0);
    assert.match(
      r.stdout + r.stderr,
      new RegExp(
        `ImportUnmanageable[\\s\\S]*instance ${review}: its status is pending \\(an application under review, which CAS does not let change\\)[\\s\\S]*import it once the certificate is issued`,
      ),
    );
    const d = await client.call("GetInstanceDetail", { InstanceId: review });
    assert.equal(
      d.Tags?.find((t) => t.TagKey === "pulumi-alicloud-cas:claim"),
      undefined,
      "left unmarked",
    );
  });

  it("destroying the imported resource keeps the certificate and releases the claim", async () => {
    await project.pulumi(["destroy", "--yes"]);
    const d = await client.call("GetInstanceDetail", { InstanceId: instanceId });
    assert.equal(d.CertificateStatus, "issued");
    assert.equal(String(d.CertificateId), certificateId);
    assert.equal(d.Tags?.find((t) => t.TagKey === "pulumi-alicloud-cas:claim")?.TagValue ?? "", "");
  });

  it("the import option takes an existing instance into the program's resource; the next up changes nothing and applies nothing", async () => {
    const applied = async () =>
      ((await emu.control("GET", "requests")) as Array<{ action: string }>).filter(
        (r) => r.action === "ApplyCertificate",
      ).length;
    const appliedBefore = await applied();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      `${project.dir}/project/Pulumi.yaml`,
      `name: cas-import-instance
runtime: yaml
resources:
  api:
    type: alicloudcas:index:InstanceCertificate
    properties:
      instanceId: ${otherId}
      domain: api.example.com
      contactIds:
        - "${contactId}"
    options:
      import: ${otherId}
outputs:
  certificateId: \${api.certificateId}
`,
    );
    const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
    assert.match(up.stdout, /1 imported/);
    await project.pulumi(["up", "--yes", "--expect-no-changes"]);
    assert.equal(await applied(), appliedBefore, "nothing applied");
    const out = JSON.parse((await project.pulumi(["stack", "output", "--json"])).stdout) as Record<
      string,
      string
    >;
    assert.equal(out.certificateId, otherCertificateId);
  });
});

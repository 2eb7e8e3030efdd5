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

  it("an InstanceCertificate cannot be imported by id: the error names the resource and what to declare", async () => {
    const r = await project.pulumi(
      ["import", "alicloudcas:index:InstanceCertificate", "site", "cas-cn-imported01", "--yes"],
      { allowFailure: true },
    );
    assert.notEqual(r.code, 0);
    assert.match(
      r.stdout + r.stderr,
      /ImportUnsupported[\s\S]*only a CertificateOrder can be imported \(by its OrderId\); declare this resource in the program/,
    );
  });
});

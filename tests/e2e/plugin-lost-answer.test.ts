import assert from "node:assert/strict";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { pluginProject, type PluginProject } from "../support/plugin-project";

/** One order by domain, on the plugin; nothing waits for it. */
const PROGRAM = `name: cas-lost-answer
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
outputs:
  orderId: \${order.orderId}
`;

/**
 * A create placed in CAS whose answer is lost, under the plugin: the create fails at once with the
 * resource kept in the stack (a partial failure the plugin must be able to send), and later runs
 * never order again (one resource, one order, across processes).
 */
describe("the alicloudcas plugin: a create whose answer is lost", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let project: PluginProject;

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual", "--seed", "23"]);
    project = await pluginProject({ "Pulumi.yaml": PROGRAM }, { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint });
    await project.pulumi(["config", "set", "alicloudcas:accessKey", emu.accessKeyId]);
    await project.pulumi(["config", "set", "--secret", "alicloudcas:secretKey", emu.accessKeySecret]);
  });
  after(async () => {
    project?.dispose();
    await emu?.stop();
  });

  const live = async () =>
    ((await emu.control("GET", "orders")) as Array<{ orderId: string; state: string }>).filter(
      (o) => o.state !== "deleted",
    );

  it("fails the up at once keeping the resource, and the next ups never place a second order", async () => {
    await emu.control("POST", "faults", {
      rules: [{ action: "CreateCertificateRequest", kind: "ambiguous", rate: 1, limit: 1 }],
    });
    const first = await project.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
    assert.notEqual(first.code, 0, first.stdout);
    assert.match(first.stdout + first.stderr, /The resource is kept in the stack as unresolved-\d+/);
    const orders = await live();
    assert.equal(orders.length, 1, "the lost create placed one order");
    const id = orders[0]!.orderId;
    const state = JSON.parse((await project.pulumi(["stack", "export"])).stdout) as {
      deployment: { resources?: Array<{ type: string; id?: string }> };
    };
    const kept = (state.deployment.resources ?? []).find(
      (r) => r.type === "alicloudcas:index:CertificateOrder",
    );
    assert.match(kept?.id ?? "", /^unresolved-\d+$/, "the resource is in the stack");

    // A new plugin process: it finds the order by the kept request, never orders again.
    const second = await project.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
    assert.notEqual(second.code, 0, second.stdout);
    assert.match(second.stdout + second.stderr, new RegExp(`OrderId ${id} \\(bought`));
    assert.deepEqual(
      (await live()).map((o) => o.orderId),
      [id],
      "still one order",
    );
  });
});

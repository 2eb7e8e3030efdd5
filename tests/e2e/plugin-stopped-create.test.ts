import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { pluginProject, type PluginProject } from "../support/plugin-project";

/** One application on a named (bought) instance, on the plugin. */
const PROGRAM = `name: cas-stopped
runtime: yaml
config:
  instanceId:
    type: string
resources:
  site:
    type: alicloudcas:index:InstanceCertificate
    properties:
      instanceId: \${instanceId}
      domain: www.example.com
      username: Keller
      phone: "13800001111"
      email: ops@example.com
outputs:
  status: \${site.status}
`;

const CLAIM_TAG = "pulumi-alicloud-cas:claim";

interface Instance {
  instanceId: string;
  status: string;
  tags: Array<{ TagKey: string; TagValue: string }>;
}

/**
 * An `up` whose every process (engine, language host, plugin) is killed after the create marked the
 * named instance and before it applied: the next `up` recognises the mark by the resource's URN and
 * applies on the instance (before, it stayed held by a claim no stack knew, and every later `up`
 * failed with InstanceHeld until the tag was cleared by hand). A `--replace`, which creates the
 * replacement first with the same URN, is refused rather than take the replaced one's application.
 */
describe("the alicloudcas plugin: an up stopped between the mark and the state write", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let project: PluginProject;
  let instanceId: string;

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual", "--seed", "29"]);
    project = await pluginProject({ "Pulumi.yaml": PROGRAM }, { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint });
    const [bought] = (await emu.control("POST", "instances", { instanceType: "BUY" })) as Instance[];
    instanceId = bought!.instanceId;
    await project.pulumi(["config", "set", "instanceId", instanceId]);
    await project.pulumi(["config", "set", "alicloudcas:accessKey", emu.accessKeyId]);
    await project.pulumi(["config", "set", "--secret", "alicloudcas:secretKey", emu.accessKeySecret]);
  });
  after(async () => {
    project?.dispose();
    await emu?.stop();
  });

  const instance = async () =>
    ((await emu.control("GET", "instances")) as Instance[]).find((i) => i.instanceId === instanceId)!;
  const claimOn = async () => (await instance()).tags.find((t) => t.TagKey === CLAIM_TAG)?.TagValue;
  const served = async (action: string) =>
    ((await emu.control("GET", "requests")) as Array<{ action: string; outcome: string }>).filter(
      (r) => r.action === action && r.outcome === "OK",
    ).length;

  it("the next up applies on the instance the stopped one marked: one application, held by the resource; a --replace never takes it", async () => {
    // Every read of the instance takes 3 s: the create is still reading back its mark when the
    // processes are killed, before ApplyCertificate.
    await emu.control("POST", "faults", {
      rules: [{ action: "GetInstanceDetail", kind: "latency", latencyMs: 3000, rate: 1 }],
    });
    const run = project.start(["up", "--yes", "--skip-preview"]);
    const deadline = Date.now() + 240_000;
    while ((await served("UpdateInstance")) === 0) {
      assert.ok(Date.now() < deadline, "the up never marked the instance");
      await sleep(50);
    }
    run.stop();
    await run.exited;
    // Longer than the read the create was in: a process of the run still alive would apply by now.
    await sleep(5000);
    await emu.control("POST", "faults", { rules: [] });
    const orphan = await claimOn();
    assert.equal((await instance()).status, "inactive", "the stopped up applied nothing");
    assert.equal(await served("ApplyCertificate"), 0);
    assert.ok(orphan?.startsWith("urn-"), `the claim carries the resource's URN mark: ${orphan}`);

    // What a user does after a machine went away mid-up: remove the lock the killed run left.
    await project.pulumi(["cancel", "--yes"]);
    const next = await project.pulumi(["up", "--yes", "--skip-preview"]);
    assert.match(
      next.stdout,
      /marked by an earlier create of this resource that never applied on it; taking it again/,
    );
    assert.equal(await served("ApplyCertificate"), 1);
    const state = JSON.parse((await project.pulumi(["stack", "export"])).stdout) as {
      deployment: {
        resources?: Array<{ type: string; urn: string; id?: string; outputs?: { claim?: string } }>;
      };
    };
    const held = (state.deployment.resources ?? []).filter(
      (r) => r.type === "alicloudcas:index:InstanceCertificate",
    );
    assert.equal(held.length, 1);
    assert.equal(held[0]!.id, instanceId);
    const claim = held[0]!.outputs?.claim;
    assert.ok(claim?.startsWith(orphan!.split(".")[0]!) && claim !== orphan, claim);
    assert.equal(await claimOn(), claim, "the resource holds the instance");
    // The resource is its holder: a second up changes nothing, destroy cancels the application.
    const again = await project.pulumi(["preview", "--diff", "--expect-no-changes"]);
    assert.equal(again.code, 0);
    // `--replace` creates the replacement before deleting the resource, without asking the
    // provider: the instance carries the resource's URN mark, and it is the replaced one's, so the
    // replacement must not take it (it is refused as held; deleteBeforeReplace is the way).
    const urn = held[0]!.urn;
    const replaced = await project.pulumi(["up", "--yes", "--skip-preview", "--replace", urn], {
      allowFailure: true,
    });
    assert.notEqual(replaced.code, 0, replaced.stdout);
    assert.match(replaced.stdout, /InstanceHeld\] instanceId .*another claim of this resource's URN/);
    assert.match(replaced.stdout, /deleteBeforeReplace/);
    assert.equal(await claimOn(), claim, "the resource still holds its application");
    assert.equal((await instance()).status, "pending");
    await project.pulumi(["destroy", "--yes", "--skip-preview"]);
    assert.equal((await instance()).status, "inactive");
    assert.equal(await claimOn(), "");
  });
});

import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import * as cas from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { engineStack, type EngineStack } from "../support/engine";

// Stacks recorded with earlier releases (scripts/record-release-fixture.ts), imported and driven by
// HEAD: users upgrade the package under stacks that already exist. Each fixture's emulator state is
// loaded by HEAD's emulator (from a copy), its deployment imported into stack `e2e` with its
// recorded config, and its own program run with HEAD's package.

const RELEASES = resolve(__dirname, "..", "..", "..", "tests", "fixtures", "releases");

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
interface Deployment {
  version: number;
  deployment: { resources?: StateResource[] };
}
interface EmulatorOrder {
  orderId: string;
  state: string;
  domains: string[];
}

const ORDER_TYPE = /:CertificateOrder$/;
const nameOf = (urn: string) => urn.split("::").pop()!;

/** One recorded release: what the replay needs, read from its folder. */
interface Fixture {
  commit: string;
  dir: string;
  release: string;
  project: string;
  deployment: Deployment;
  /** Resources the program registers (providers are not counted in change summaries). */
  registered: number;
  /** The CertificateOrders, by resource name, as recorded. */
  orders: Map<string, { orderId: string; onDelete: string; ownership: unknown; adopted: boolean }>;
  /** Issued validations whose CAS certificate id the release did not record (the next up links it). */
  unlinkedValidations: number;
  /** Each order's state in the emulator when recording ended. */
  recordedStates: Map<string, string>;
  program: PulumiFn;
}

function readFixture(commit: string): Fixture {
  const dir = join(RELEASES, commit);
  const deployment = JSON.parse(readFileSync(join(dir, "deployment.json"), "utf8")) as Deployment;
  const resources = deployment.deployment.resources ?? [];
  const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")!.urn;
  const orders = new Map(
    resources
      .filter((r) => ORDER_TYPE.test(r.type))
      .map((r) => [
        nameOf(r.urn),
        {
          orderId: r.id!,
          onDelete: String(r.inputs?.onDelete ?? "cancel"),
          ownership: r.outputs?.ownership,
          // Named by the user in adoptOrderId: adopted, whatever the release recorded.
          adopted: r.inputs?.adoptOrderId === r.id,
        },
      ]),
  );
  const emulatorState = JSON.parse(readFileSync(join(dir, "emulator-state.json"), "utf8")) as {
    orders: Record<string, EmulatorOrder>;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the fixture's frozen program
  const program = require(join(dir, "program.cjs")) as (pkgs: { cas: unknown; pulumi: unknown }) => PulumiFn;
  return {
    commit,
    dir,
    release: (JSON.parse(readFileSync(join(dir, "inputs.json"), "utf8")) as { release: string }).release,
    // urn:pulumi:<stack>::<project>::pulumi:pulumi:Stack::<name>
    project: stackUrn.split("::")[1]!,
    deployment,
    registered: resources.filter((r) => !r.type.startsWith("pulumi:providers:")).length,
    orders,
    unlinkedValidations: resources.filter(
      (r) =>
        r.type.endsWith(":CertificateOrderValidation") &&
        typeof r.outputs?.certificatePem === "string" &&
        r.outputs.certificateId == null,
    ).length,
    recordedStates: new Map(Object.values(emulatorState.orders).map((o) => [o.orderId, o.state])),
    program: program({ cas, pulumi }),
  };
}

const fixtures = existsSync(RELEASES)
  ? readdirSync(RELEASES)
      .filter((d) => /^[0-9a-f]{40}$/.test(d))
      .sort()
      .map(readFixture)
  : [];

/**
 * How destroy treats orders:
 * - `unknown`: state written before ownership was recorded, destroyed with no
 *   `alicloud-cas:legacyOwnership`: every order is left in CAS as it was, but one the program names
 *   in `adoptOrderId` (the user said it is this stack's: adopted);
 * - `placed`: ownership recorded, or `alicloud-cas:legacyOwnership: placed`: the normal rules.
 */
type Rules = "unknown" | "placed";

/**
 * What the emulator holds for an order after destroy: its state, or `null` when it is gone (an
 * unissued order is withdrawn and deleted, which returns its quota).
 */
function expectedAfterDestroy(
  rules: Rules,
  recorded: string,
  onDelete: string,
  adopted: boolean,
): string | null {
  if ((rules === "unknown" && !adopted) || onDelete === "retain") return recorded;
  if (recorded === "certificate") return onDelete === "revoke" ? "revoked" : "certificate";
  return null;
}

describe("release fixtures replayed by HEAD under the real engine", function () {
  it("there is a fixture of every landed release to replay", () => {
    // 59cbbc6 (0.1.0, before ownership was recorded) and 233a34f (ownership recorded).
    const commits = fixtures.map((f) => f.commit.slice(0, 7));
    assert.ok(commits.includes("59cbbc6"), `fixtures: ${commits.join(", ")}`);
    assert.ok(commits.includes("233a34f"), `fixtures: ${commits.join(", ")}`);
    for (const f of fixtures)
      assert.ok(f.orders.size >= 4, `${f.commit}: ${[...f.orders.keys()].join(", ")}`);
  });
});

for (const f of fixtures) {
  const unrecorded = [...f.orders.values()].some((o) => o.ownership === undefined);
  const variants: Array<{ rules: Rules; legacyOwnership?: string; title: string }> = unrecorded
    ? [
        { rules: "unknown", title: "orders of unknown ownership (no ownership in state)" },
        {
          rules: "placed",
          legacyOwnership: "placed",
          title: "orders of unknown ownership, alicloud-cas:legacyOwnership placed",
        },
      ]
    : [{ rules: "placed", title: "ownership recorded in state" }];

  for (const variant of variants) {
    describe(`release fixture ${f.commit.slice(0, 7)} (${f.release}) replayed by HEAD: ${variant.title}`, function () {
      this.timeout(600_000);
      let emu: EmulatorProcess;
      let env: EngineStack;
      let dataDir: string;

      before(async () => {
        // HEAD's emulator loads a copy of the release's emulator state (the fixture stays as recorded).
        dataDir = mkdtempSync(join(tmpdir(), "cas-release-emulator-"));
        copyFileSync(join(f.dir, "emulator-state.json"), join(dataDir, "state.json"));
        emu = await startEmulatorProcess(["--data-dir", dataDir, "--validation", "manual"]);
        env = await engineStack(f.project, f.program, { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint });
        // The recorded config (its encryptionsalt decrypts the recorded secrets with the passphrase).
        copyFileSync(join(f.dir, "Pulumi.e2e.yaml"), join(env.stack.workspace.workDir, "Pulumi.e2e.yaml"));
        await env.stack.importStack(f.deployment);
      });
      after(async () => {
        await env?.dispose();
        await emu?.stop();
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      });

      it("HEAD's emulator serves the orders of the release's emulator state", async () => {
        const served = new Map(
          ((await emu.control("GET", "orders")) as EmulatorOrder[]).map((o) => [o.orderId, o.state]),
        );
        assert.deepEqual(served, f.recordedStates);
      });

      it("imports the recorded deployment and config", async () => {
        const imported = (await env.stack.exportStack()).deployment as Deployment["deployment"];
        assert.deepEqual(
          (imported.resources ?? []).map((r) => r.urn),
          (f.deployment.deployment.resources ?? []).map((r) => r.urn),
        );
        // The recorded secret decrypts with the recorded salt and the e2e passphrase.
        assert.equal((await env.stack.getConfig("alicloud:secretKey")).value, emu.accessKeySecret);
      });

      it("preview with HEAD's package replaces nothing; it updates only a validation whose certificate id the release did not record", async () => {
        let printed = "";
        const preview = await env.stack.preview({ onOutput: (t) => (printed += t) });
        const linking = f.unlinkedValidations;
        assert.deepEqual(
          preview.changeSummary,
          linking ? { same: f.registered - linking, update: linking } : { same: f.registered },
          printed,
        );
        if (linking)
          assert.equal(
            printed.match(/~ +pulumi-nodejs:dynamic\/alicloud-cas:CertificateOrderValidation \S+ update/g)
              ?.length,
            linking,
            printed,
          );
      });

      it("refresh reads every order, the issued one as issued", async () => {
        const refreshed = await env.stack.refresh();
        assert.equal(refreshed.summary.result, "succeeded");
        const resources =
          ((await env.stack.exportStack()).deployment as Deployment["deployment"]).resources ?? [];
        const statusOf = (name: string) =>
          resources.find((r) => ORDER_TYPE.test(r.type) && nameOf(r.urn) === name)?.outputs?.status;
        assert.equal(statusOf("issued"), "issued");
        assert.equal(statusOf("pending"), "pending_validation");
        assert.equal(statusOf("adopted"), "pending_validation");
      });

      it("up changes nothing", async () => {
        // Stack config reaches the provider through up (destroy uses the configuration the last up recorded).
        if (variant.legacyOwnership)
          await env.stack.setConfig("alicloud-cas:legacyOwnership", { value: variant.legacyOwnership });
        const up = await env.stack.up();
        assert.equal(up.summary.result, "succeeded");
        assert.deepEqual(up.summary.resourceChanges, { same: f.registered });
      });

      it(
        variant.rules === "unknown"
          ? "destroy leaves every order in CAS as it was and says how to cancel or confirm each"
          : "destroy withdraws the unissued orders and keeps (or revokes, onDelete: revoke) the issued ones",
        async () => {
          let printed = "";
          const destroyed = await env.stack.destroy({ onOutput: (t) => (printed += t) });
          assert.equal(destroyed.summary.result, "succeeded");
          const left =
            ((await env.stack.exportStack()).deployment as Deployment["deployment"]).resources ?? [];
          assert.deepEqual(left, []);

          const now = new Map(
            ((await emu.control("GET", "orders")) as EmulatorOrder[]).map((o) => [o.orderId, o.state]),
          );
          const want: Record<string, string | null> = {};
          const got: Record<string, string | null> = {};
          for (const [name, o] of f.orders) {
            const recorded = f.recordedStates.get(o.orderId);
            assert.ok(recorded, `order ${o.orderId} (${name}) is in the recorded emulator state`);
            want[name] = expectedAfterDestroy(variant.rules, recorded, o.onDelete, o.adopted);
            got[name] = now.get(o.orderId) ?? null;
          }
          assert.deepEqual(got, want);

          if (variant.rules === "unknown") {
            // Each order left is named, with the setting that lets destroy cancel or keep it.
            for (const [name, o] of f.orders)
              if (!o.adopted)
                assert.match(
                  printed,
                  new RegExp(`\\b${o.orderId}\\b`),
                  `${name} (${o.orderId}) is not in the log`,
                );
            assert.match(printed, /alicloud-cas:legacyOwnership/);
          }
        },
      );
    });
  }
}

// A Node.js program on the alicloudcas provider plugin: the generated SDK (plugin-sdk/nodejs),
// compiled with its own tsconfig, driven as an Automation API inline program (in this process: an
// inline program needs no Node.js language host) by the real engine against the emulator running
// as a separate server. It orders a certificate, publishes the record its outputs name to the
// emulator's DNS, waits for issuance; a second `up` changes nothing; `destroy` removes every resource.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type OutputMap } from "@pulumi/pulumi/automation";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { languageSandbox, type LanguageSandbox } from "../support/plugin-languages";

const ROOT = resolve(__dirname, "..", "..", "..");
const DOMAIN = "www.example.com";

/** The generated SDK's resources, as far as the program uses them. */
interface Sdk {
  CertificateOrder: new (
    name: string,
    args: Record<string, unknown>,
  ) => pulumi.CustomResource & {
    orderId: pulumi.Output<string>;
    validationRecords: pulumi.Output<
      Record<string, { fqdn: string; type: string; value: string }> | undefined
    >;
  };
  CertificateValidation: new (
    name: string,
    args: Record<string, unknown>,
    opts?: pulumi.CustomResourceOptions,
  ) => pulumi.CustomResource & {
    status: pulumi.Output<string>;
    certificatePem: pulumi.Output<string | undefined>;
    privateKeyPem: pulumi.Output<string | undefined>;
  };
}

/** A record of the emulator's DNS (tests/support/emulator-dns-plugin.ts), standing in for alicloud.dns.AlidnsRecord. */
class EmulatorRecord extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("emulatordns:index:Record", name, props);
  }
}

/**
 * plugin-sdk/nodejs compiled into `dir` (with its package.json, which it reads its version from),
 * loading this repository's @pulumi/pulumi through a link: Node resolves it to the same module the
 * Automation API runs the inline program with.
 */
async function compiledSdk(dir: string): Promise<Sdk> {
  const out = join(dir, "bin");
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const sdk = join(ROOT, "plugin-sdk", "nodejs");
  await promisify(execFile)(
    process.execPath,
    [
      tsc,
      "-p",
      join(sdk, "tsconfig.json"),
      "--outDir",
      out,
      "--declaration",
      "false",
      "--declarationMap",
      "false",
      "--sourceMap",
      "false",
    ],
    { cwd: sdk, maxBuffer: 16 << 20 },
  );
  copyFileSync(join(sdk, "package.json"), join(out, "package.json"));
  mkdirSync(join(dir, "node_modules", "@pulumi"), { recursive: true });
  symlinkSync(
    join(ROOT, "node_modules", "@pulumi", "pulumi"),
    join(dir, "node_modules", "@pulumi", "pulumi"),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(out, "index.js")) as Sdk;
}

describe("the alicloudcas plugin under the real engine: a Node.js program (generated SDK, Automation API inline)", function () {
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  let sandbox: LanguageSandbox;
  let sdk: Sdk;

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "dns", "--issue-after", "200", "--seed", "24"]);
    sandbox = languageSandbox(emu, "nodejs");
    const started = Date.now();
    sdk = await compiledSdk(join(sandbox.dir, "sdk"));
    console.error(`[plugin-nodejs] SDK compiled in ${Math.round((Date.now() - started) / 1000)}s`);
  });
  after(async () => {
    sandbox?.dispose();
    await emu?.stop();
  });

  it("up orders, publishes the record the outputs name and waits for issuance; a second up changes nothing; destroy removes every resource", async () => {
    const program = async () => {
      const order = new sdk.CertificateOrder("order", {
        domain: DOMAIN,
        username: "Keller",
        phone: "13800001111",
        email: "ops@example.com",
        quotaCheck: "off",
        tags: { team: "nodejs" },
      });
      const validation = order.validationRecords.apply((records) => {
        const record = records?.[DOMAIN];
        if (!record) throw new Error(`the order has no validation record for ${DOMAIN}`);
        return record;
      });
      const published = new EmulatorRecord("record", {
        controlUrl: new pulumi.Config().require("controlUrl"),
        name: validation.fqdn,
        type: validation.type,
        value: validation.value,
      });
      const issued = new sdk.CertificateValidation(
        "issued",
        {
          orderId: order.orderId,
          validationRecordFqdns: [validation.fqdn],
          timeoutMinutes: 2,
          pollIntervalSeconds: 1,
        },
        { dependsOn: [published] },
      );
      return {
        orderId: order.orderId,
        status: issued.status,
        certificatePem: issued.certificatePem,
        privateKeyPem: issued.privateKeyPem,
        recordFqdn: validation.fqdn,
      };
    };
    const env = Object.fromEntries(
      Object.entries(sandbox.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "e2e", projectName: "cas-nodejs", program },
      {
        workDir: join(sandbox.dir, "work"),
        envVars: env,
        projectSettings: { name: "cas-nodejs", runtime: "nodejs" },
        pulumiCommand: await PulumiCommand.get({
          root: dirname(process.env.PULUMI_CAS_ENGINE_BIN!),
          skipVersionCheck: true,
        }),
      },
    );
    await stack.setAllConfig({
      controlUrl: { value: `${emu.endpoint}/_emulator` },
      "alicloudcas:accessKey": { value: emu.accessKeyId },
      "alicloudcas:secretKey": { value: emu.accessKeySecret, secret: true },
    });

    const up = await stack.up();
    const out: OutputMap = up.outputs;
    assert.equal(out.status?.value, "issued");
    assert.match(String(out.certificatePem?.value), /^-----BEGIN CERTIFICATE-----/);
    assert.equal(out.privateKeyPem?.secret, true);
    assert.match(String(out.privateKeyPem?.value), /PRIVATE KEY-----/);
    const [order] = (await emu.control("GET", "orders")) as Array<{ orderId: string; state: string }>;
    assert.equal(out.orderId?.value, order!.orderId);
    const records = (await emu.control("GET", "dns-records")) as Array<{ name: string }>;
    assert.deepEqual(
      records.map((r) => r.name),
      [out.recordFqdn?.value],
      "exactly the record the order's outputs name, published by the program",
    );
    assert.equal(
      up.summary.resourceChanges?.create,
      4,
      "the stack, the order, the record and the validation",
    );

    const again = await stack.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 4 });

    const destroyed = await stack.destroy();
    assert.equal(destroyed.summary.resourceChanges?.delete, 4);
    const state = (await stack.exportStack()) as { deployment: { resources?: unknown[] } };
    assert.deepEqual(state.deployment.resources ?? [], []);
    const [after] = (await emu.control("GET", "orders")) as Array<{ state: string }>;
    // onDelete `cancel` (the default) keeps an issued certificate valid.
    assert.equal(after?.state, "certificate");
  });
});

import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import {
  languageSandbox,
  programReport,
  setupScript,
  type LanguageSandbox,
  type ProgramReport,
} from "../support/plugin-languages";
import { pluginProject, type PluginProject } from "../support/plugin-project";

const ROOT = resolve(__dirname, "..", "..", "..");

/**
 * The ManagedCertificate component served by the plugin (`construct`) to YAML programs: its children
 * are the plugin's own CertificateOrder / InstanceCertificate / CertificateValidation and one record
 * per record name of `dnsRecordType` (here the emulatordns plugin's stand-in for AlidnsRecord, which
 * publishes to the emulator's DNS). In `--validation dns` mode the emulator issues only once the
 * record CAS named is published, so the wait really waits for the component's record.
 */
const program = (
  name: string,
  resource: string,
  more: { resources?: string; options?: string } = {},
) => `name: ${name}
runtime: yaml
config:
  keySecret:
    type: string
resources:
${more.resources ?? ""}  site:
    type: alicloudcas:index:ManagedCertificate
    properties:
${resource.replace(/^/gm, "      ")}
      dnsRecordType: emulatordns:index:AlidnsRecord
      timeoutMinutes: 2
      pollIntervalSeconds: 1
${more.options ?? ""}outputs:
  orderId: \${site.orderId}
  instanceId: \${site.instanceId}
  certificatePem: \${site.certificatePem}
  privateKeyPem: \${site.privateKeyPem}
  certificateId: \${site.certificateId}
  certIdentifier: \${site.certIdentifier}
  notAfter: \${site.notAfter}
  serialNumber: \${site.serialNumber}
  fingerprintSha256: \${site.fingerprintSha256}
  validationRecords: \${site.validationRecords}
`;

interface StateResource {
  type: string;
  urn: string;
  parent?: string;
  provider?: string;
  outputs?: Record<string, unknown>;
}

describe("the alicloudcas plugin's ManagedCertificate component (construct) under the real engine", function () {
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  const projects: PluginProject[] = [];

  /** A YAML project on the emulator, its DNS records published to the emulator's DNS. */
  const project = async (name: string, resource: string, more?: Parameters<typeof program>[2]) => {
    const p = await pluginProject(
      { "Pulumi.yaml": program(name, resource, more) },
      { ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint, EMULATOR_DNS_CONTROL_URL: `${emu.endpoint}/_emulator` },
    );
    projects.push(p);
    await p.pulumi(["config", "set", "alicloudcas:accessKey", emu.accessKeyId]);
    await p.pulumi(["config", "set", "--secret", "alicloudcas:secretKey", emu.accessKeySecret]);
    await p.pulumi(["config", "set", "--secret", "keySecret", emu.accessKeySecret]);
    return p;
  };
  const outputs = async (p: PluginProject) =>
    JSON.parse((await p.pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as Record<
      string,
      unknown
    >;
  const resources = async (p: PluginProject) =>
    (
      JSON.parse((await p.pulumi(["stack", "export"])).stdout) as {
        deployment: { resources?: StateResource[] };
      }
    ).deployment.resources ?? [];

  before(async () => {
    emu = await startEmulatorProcess([
      "--validation",
      "dns",
      "--issue-after",
      "200",
      "--test-instances",
      "1",
      "--seed",
      "23",
    ]);
  });
  after(async () => {
    for (const p of projects) p.dispose();
    await emu?.stop();
  });

  it("an order: up publishes the one record CAS names for both names and waits for issuance; a second up changes nothing; destroy withdraws it as onDelete says", async () => {
    const p = await project(
      "cas-managed-order",
      `domains:
  - example.com
  - www.example.com
username: Keller
phone: "13800001111"
email: ops@example.com
quotaCheck: "off"
onDelete: revoke`,
    );
    // A preview with nothing in CAS yet declares the record (its value unknown until the order exists).
    const preview = await p.pulumi(["preview"]);
    assert.match(
      preview.stdout,
      /\+\s+emulatordns:index:AlidnsRecord\s+site-validation-example\.com\s+create/,
    );
    assert.equal(((await emu.control("GET", "orders")) as unknown[]).length, 0, "a preview orders nothing");
    await p.pulumi(["up", "--yes", "--skip-preview"]);
    const out = await outputs(p);
    const orders = (await emu.control("GET", "orders")) as Array<{
      orderId: string;
      state: string;
      certId: string;
    }>;
    const order = orders.find((o) => o.orderId === out.orderId);
    assert.ok(order, `the stack's order ${String(out.orderId)} is in the emulator`);
    assert.equal(order.state, "certificate");
    assert.equal(out.certificateId, order.certId);
    assert.equal(out.certIdentifier, `${order.certId}-cn-hangzhou`);
    assert.match(String(out.certificatePem), /^-----BEGIN CERTIFICATE-----/);
    assert.match(String(out.privateKeyPem), /PRIVATE KEY-----/);
    assert.match(String(out.serialNumber), /^[0-9a-f]+$/);
    assert.match(String(out.fingerprintSha256), /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    assert.equal(out.instanceId, null);
    const expected = (await emu.control("GET", `orders/${order.orderId}/expected-records`)) as Array<{
      name: string;
      type: string;
      value: string;
    }>;
    // Two names under one registrable domain: CAS names one record, the component publishes it once.
    assert.equal(expected.length, 1);
    assert.deepEqual(await emu.control("GET", "dns-records"), [
      { name: expected[0]!.name, type: expected[0]!.type, value: expected[0]!.value },
    ]);
    const records = out.validationRecords as Record<string, { fqdn: string; value: string }>;
    assert.deepEqual(Object.keys(records).sort(), ["example.com", "www.example.com"]);
    assert.equal(records["example.com"]!.fqdn, expected[0]!.name);

    // The children are the plugin's own resources (and the record type named), under the component.
    const state = await resources(p);
    const component = state.find((r) => r.type === "alicloudcas:index:ManagedCertificate");
    assert.ok(component, "the component is in the state");
    assert.deepEqual(
      state
        .filter((r) => r.parent === component.urn)
        .map((r) => `${r.type}::${r.urn.split("::").at(-1)}`)
        .sort(),
      [
        "alicloudcas:index:CertificateOrder::site",
        "alicloudcas:index:CertificateValidation::site",
        "emulatordns:index:AlidnsRecord::site-validation-example.com",
      ],
    );
    // The program's resource and its children go to one alicloudcas provider (one plugin process).
    assert.deepEqual(
      state.filter((r) => r.type === "pulumi:providers:alicloudcas").map((r) => r.urn.split("::").at(-1)),
      ["default"],
    );
    // The key CAS made stays secret: in the stack's outputs and in its state.
    const plain = JSON.parse((await p.pulumi(["stack", "output", "--json"])).stdout) as Record<
      string,
      string
    >;
    assert.equal(plain.privateKeyPem, "[secret]");
    assert.doesNotMatch((await p.pulumi(["stack", "export"])).stdout, /PRIVATE KEY/);

    await p.pulumi(["up", "--yes", "--expect-no-changes"]);

    await p.pulumi(["destroy", "--yes"]);
    assert.deepEqual(await resources(p), []);
    const gone = ((await emu.control("GET", "orders")) as Array<{ orderId: string; state: string }>).find(
      (o) => o.orderId === out.orderId,
    );
    // onDelete `revoke`: the issued certificate is revoked.
    assert.equal(gone?.state, "revoked");
  });

  it("instance: applies on a TEST instance, publishes the record of the application, waits on the instance; a second up changes nothing", async () => {
    const p = await project(
      "cas-managed-instance",
      `instance:
  instanceType: TEST
  domain: shop.example.org
  username: Keller
  phone: "13800001111"
  email: ops@example.com`,
    );
    await p.pulumi(["up", "--yes", "--skip-preview"]);
    const out = await outputs(p);
    assert.match(String(out.instanceId), /^cas-/);
    assert.equal(out.orderId, null);
    assert.match(String(out.certificatePem), /^-----BEGIN CERTIFICATE-----/);
    const held = (
      (await emu.control("GET", "instances")) as Array<{
        instanceId: string;
        status: string;
        certificate: { certId: string } | null;
      }>
    ).find((i) => i.instanceId === out.instanceId);
    assert.equal(held?.status, "normal");
    assert.equal(out.certificateId, held.certificate?.certId);
    // The record CAS gave the application (after it was made) is the one the component published.
    const records = out.validationRecords as Record<string, { fqdn: string; type: string; value: string }>;
    assert.deepEqual(Object.keys(records), ["shop.example.org"]);
    const record = records["shop.example.org"]!;
    assert.equal(record.fqdn, "_dnsauth.shop.example.org");
    const published = (await emu.control("GET", "dns-records")) as Array<{
      name: string;
      type: string;
      value: string;
    }>;
    assert.deepEqual(
      published.filter((r) => r.name === record.fqdn),
      [{ name: record.fqdn, type: record.type, value: record.value }],
    );
    const state = await resources(p);
    assert.deepEqual(
      state
        .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
        .map((r) => r.type)
        .sort(),
      [
        "alicloudcas:index:CertificateValidation",
        "alicloudcas:index:InstanceCertificate",
        "alicloudcas:index:ManagedCertificate",
        "emulatordns:index:AlidnsRecord",
      ],
    );
    await p.pulumi(["up", "--yes", "--expect-no-changes"]);
    await p.pulumi(["destroy", "--yes"]);
    assert.deepEqual(await resources(p), []);
  });

  it("the component's providers option: its order and validation go to that alicloudcas provider", async () => {
    const p = await project(
      "cas-managed-provider",
      `domain: api.example.net
username: Keller
phone: "13800001111"
email: ops@example.com
quotaCheck: "off"`,
      {
        resources: `  account:
    type: pulumi:providers:alicloudcas
    properties:
      accessKey: ${emu.accessKeyId}
      secretKey: \${keySecret}
`,
        options: `    options:
      providers:
        - \${account}
`,
      },
    );
    await p.pulumi(["up", "--yes", "--skip-preview"]);
    const out = await outputs(p);
    assert.match(String(out.certificatePem), /^-----BEGIN CERTIFICATE-----/);
    const state = await resources(p);
    const account = state.find(
      (r) => r.type === "pulumi:providers:alicloudcas" && r.urn.endsWith("::account"),
    );
    assert.ok(account, "the explicit provider is in the state");
    const children = state.filter((r) => r.type.startsWith("alicloudcas:index:Certificate"));
    assert.deepEqual(children.map((r) => r.type).sort(), [
      "alicloudcas:index:CertificateOrder",
      "alicloudcas:index:CertificateValidation",
    ]);
    for (const child of children)
      assert.ok(
        child.provider?.startsWith(`${account.urn}::`),
        `${child.urn} is served by the explicit provider, not ${child.provider}`,
      );
    await p.pulumi(["destroy", "--yes"]);
    assert.deepEqual(await resources(p), []);
  });

  it("order inputs beside instance fail the up with the SDK's message, and nothing is ordered", async () => {
    const before = ((await emu.control("GET", "orders")) as unknown[]).length;
    const p = await project(
      "cas-managed-bad",
      `domain: www.example.com
instance:
  instanceType: TEST
  domain: www.example.com`,
    );
    const run = await p.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
    assert.notEqual(run.code, 0);
    assert.match(
      run.stdout + run.stderr,
      /ManagedCertificate site: domain is given beside instance; with instance the certificate is applied on a certificate instance, and its inputs \(domain, domains, csr, username, phone, email, tags, dnsZone, onDelete …\) go inside instance: \{ … \}\. For a plan order, leave instance out/,
    );
    assert.equal(((await emu.control("GET", "orders")) as unknown[]).length, before);
  });
});

/**
 * The component from a Python program: the generated SDK's `ManagedCertificate` (a remote
 * component) driven as an Automation API inline program (tests/python/managed_certificate_program.py).
 */
describe("the plugin's ManagedCertificate component from a Python program (generated SDK, Automation API)", function () {
  // The first run makes the virtual environment (pip install from PyPI); later runs reuse it.
  this.timeout(1_200_000);
  let emu: EmulatorProcess;
  let sandbox: LanguageSandbox;
  let report: ProgramReport;

  before(async () => {
    const python = await setupScript("plugin-python.sh");
    emu = await startEmulatorProcess(["--validation", "dns", "--issue-after", "200", "--seed", "24"]);
    sandbox = languageSandbox(emu, "python-managed");
    const { stdout } = await sandbox.run(python, [
      join(ROOT, "tests", "python", "managed_certificate_program.py"),
      join(sandbox.dir, "work"),
    ]);
    report = programReport(stdout);
  });
  after(async () => {
    sandbox?.dispose();
    await emu?.stop();
  });

  it("up orders, publishes the record and waits; a second up changes nothing; destroy removes every resource", async () => {
    const out = report.up.outputs;
    assert.match(String(out.certificatePem?.value), /^-----BEGIN CERTIFICATE-----/);
    assert.equal(out.privateKeyPem?.secret, true);
    assert.match(String(out.privateKeyPem?.value), /PRIVATE KEY-----/);
    const [order] = (await emu.control("GET", "orders")) as Array<{
      orderId: string;
      state: string;
      certId: string;
    }>;
    assert.equal(out.orderId?.value, order!.orderId);
    assert.equal(out.certIdentifier?.value, `${order!.certId}-cn-hangzhou`);
    const records = (await emu.control("GET", "dns-records")) as Array<{ name: string }>;
    assert.deepEqual(
      records.map((r) => r.name),
      [out.recordFqdn?.value],
    );
    // The stack, the component, the order, the record and the validation.
    assert.equal(report.up.changes.create, 5);
    assert.deepEqual(report.second_up.changes, { same: 5 });
    assert.equal(report.destroy.changes.delete, 5);
    assert.equal(report.resources_after_destroy, 0);
    const [gone] = (await emu.control("GET", "orders")) as Array<{ state: string }>;
    // onDelete `cancel` (the default) keeps an issued certificate valid.
    assert.equal(gone?.state, "certificate");
  });
});

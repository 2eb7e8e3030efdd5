// The certificate-instance flow driven by the official Python SDK (`alibabacloud_cas20200407` 3.9.4,
// its own request/response models and signing) against the emulator running as a separate server:
// the TEST summary, the inactive TEST instances, a contact, UpdateInstance, ApplyCertificate, the
// records on a later read, issuance once the record the SDK's answer names is published (dns
// validation), CertificateId and CertIdentifier, the PEM and the CAS-made key through
// GetUserCertificateDetail, and CancelPendingCertificate settling back to inactive.
//
// The SDK runs in the virtual environment scripts/python-sdk.sh makes (pinned, cached under
// ~/.cache/pulumi-alicloud-cas); when it cannot be made, the test fails with the script's reason.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";

const ROOT = resolve(__dirname, "..", "..", "..");
const run = promisify(execFile);

type Body = Record<string, unknown>;
interface Validation {
  Domain: string;
  RootDomain: string;
  ValidationType: string;
  ValidationKey: string;
  ValidationValue: string;
}
interface Flow {
  first: string;
  second: string;
  summaryBefore: Body;
  inactiveTest: { TotalCount: number; InstanceList: Body[] };
  createContact: { ContactId: number };
  listContact: { ContactList: Body[] };
  getContact: Body;
  updateInstance: Body;
  applyCertificate: Body;
  readsUntilRecords: Array<{ Status: string; DomainValidationList?: Validation[] }>;
  pending: Body & { DomainValidationList: Validation[] };
  published: Array<{ name: string; type: string; value: string }>;
  issued: Body;
  taskAttribute: Body;
  certificateDetail: Body & { Cert: string; Key: string };
  summaryIssued: Body;
  cancelPending: Body;
  readsUntilCancelled: Array<{ Status: string }>;
  cancelled: Body;
  summaryAfter: Body;
}

/** The interpreter of the SDK's virtual environment, or an error carrying the script's reason. */
async function pythonWithSdk(): Promise<string> {
  try {
    const { stdout } = await run("bash", [resolve(ROOT, "scripts", "python-sdk.sh")], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
    return stdout.trim().split("\n").pop()!;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `scripts/python-sdk.sh could not make the Python SDK's virtual environment, so the official Python SDK cannot be run against the emulator:\n${err.stderr || err.message}`,
      { cause: e },
    );
  }
}

describe("the official Python SDK drives the certificate-instance flow against the emulator", function () {
  // The first run makes the virtual environment (pip install from PyPI); later runs reuse it.
  this.timeout(600_000);
  let emu: EmulatorProcess;
  let flow: Flow;
  let log: Array<{ action: string; accessKeyId: string | null; outcome: string }>;

  before(async () => {
    const python = await pythonWithSdk();
    emu = await startEmulatorProcess(["--validation", "dns", "--issue-after", "0", "--test-instances", "3"]);
    let out: { stdout: string };
    try {
      out = await run(python, [resolve(ROOT, "tests", "python", "instance_flow.py")], {
        env: {
          ...process.env,
          CAS_ENDPOINT: emu.endpoint,
          CAS_ACCESS_KEY_ID: emu.accessKeyId,
          CAS_ACCESS_KEY_SECRET: emu.accessKeySecret,
        },
        maxBuffer: 16 << 20,
      });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`tests/python/instance_flow.py failed:\n${err.stderr || err.message}`, { cause: e });
    }
    flow = JSON.parse(out.stdout) as Flow;
    log = (await emu.control("GET", "requests")) as typeof log;
  });
  after(() => emu?.stop());

  it("every call is the SDK's, signed as the SDK signs and accepted by the emulator", () => {
    assert.deepEqual(
      log.map((r) => r.outcome),
      log.map(() => "OK"),
    );
    assert.ok(log.every((r) => r.accessKeyId === emu.accessKeyId));
    const actions = new Set(log.map((r) => r.action));
    for (const a of [
      "GetInstanceSummary",
      "ListInstances",
      "CreateContact",
      "ListContact",
      "GetContact",
      "UpdateInstance",
      "ApplyCertificate",
      "GetInstanceDetail",
      "GetTaskAttribute",
      "GetUserCertificateDetail",
      "CancelPendingCertificate",
    ])
      assert.ok(actions.has(a), `${a} was called`);
  });

  it("the summary counts the pool, and the list gives its inactive TEST instances", async () => {
    assert.equal(flow.summaryBefore.TotalCount, 3);
    assert.equal(flow.summaryBefore.InactiveCount, 3);
    assert.equal(flow.summaryBefore.CertificateCount, 0);
    assert.equal(flow.inactiveTest.TotalCount, 3);
    assert.ok(
      flow.inactiveTest.InstanceList.every((i) => i.InstanceType === "TEST" && i.Status === "inactive"),
    );
    const pool = ((await emu.control("GET", "instances")) as Array<{ instanceId: string }>).map(
      (i) => i.instanceId,
    );
    assert.deepEqual(flow.inactiveTest.InstanceList.map((i) => i.InstanceId).sort(), [...pool].sort());
  });

  it("a contact is created with a name and a mobile, found by email and read by id", () => {
    const id = flow.createContact.ContactId;
    assert.ok(Number.isInteger(id));
    assert.deepEqual(
      flow.listContact.ContactList.map((c) => [c.ContactId, c.Email]),
      [[id, "ops@example.com"]],
    );
    assert.deepEqual(
      [flow.getContact.ContactId, flow.getContact.Name, flow.getContact.Mobile],
      [id, "Keller", "13800001111"],
    );
  });

  it("UpdateInstance and ApplyCertificate answer only a RequestId; the records appear on a later read", () => {
    assert.deepEqual(Object.keys(flow.updateInstance), ["RequestId"]);
    assert.deepEqual(Object.keys(flow.applyCertificate), ["RequestId"]);
    const reads = flow.readsUntilRecords;
    assert.ok(reads.length >= 2, "the first read after ApplyCertificate has no records yet");
    assert.equal(reads[0]!.Status, "pending");
    assert.deepEqual(reads[0]!.DomainValidationList ?? [], []);
    const p = flow.pending;
    assert.equal(p.Status, "pending");
    assert.equal(p.Domain, "www.example.com");
    assert.equal(p.KeyAlgorithm, "ECC_256");
    assert.deepEqual(p.ContactIdList, [flow.createContact.ContactId]);
    assert.deepEqual(p.Tags, [{ TagKey: "owner", TagValue: "python-sdk" }]);
    assert.equal(p.DomainValidationList.length, 1);
    const v = p.DomainValidationList[0]!;
    assert.deepEqual(
      [v.Domain, v.RootDomain, v.ValidationType, v.ValidationKey],
      ["www.example.com", "example.com", "TXT", "_dnsauth.www"],
    );
    assert.match(v.ValidationValue, /^\d{8}[a-z0-9]+$/);
    assert.deepEqual(flow.published, [
      { name: "_dnsauth.www.example.com", type: "TXT", value: v.ValidationValue },
    ]);
  });

  it("issued once the record is published, with CertificateId and CertIdentifier", async () => {
    const d = flow.issued;
    assert.equal(d.InstanceId, flow.first);
    assert.equal(d.Status, "normal");
    assert.equal(d.CertificateStatus, "issued");
    assert.ok(Number.isInteger(d.CertificateId));
    assert.equal(d.CertIdentifier, `${d.CertificateId as number}-cn-hangzhou`);
    assert.deepEqual(flow.taskAttribute.TaskStatus, "success");
    const held = (
      (await emu.control("GET", "instances")) as Array<{
        instanceId: string;
        certificate: { certId: string } | null;
      }>
    ).find((i) => i.instanceId === flow.first)!;
    assert.equal(held.certificate!.certId, String(d.CertificateId));
    assert.equal(flow.summaryIssued.InactiveCount, 2);
    assert.equal(flow.summaryIssued.CertificateCount, 1);
  });

  it("GetUserCertificateDetail gives the PEM for the name and the CAS-made key of the asked algorithm", () => {
    const c = flow.certificateDetail;
    assert.equal(c.Id, flow.issued.CertificateId);
    assert.equal(c.CertIdentifier, flow.issued.CertIdentifier);
    assert.equal(c.InstanceId, flow.first);
    const leaf = new X509Certificate(c.Cert);
    assert.equal(leaf.subjectAltName, "DNS:www.example.com");
    assert.equal(leaf.publicKey.asymmetricKeyType, "ec", "KeyAlgorithm ECC_256 gives an EC key");
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
    const keyOfLeaf = createPublicKey(createPrivateKey(c.Key)).export({ type: "spki", format: "der" });
    assert.deepEqual(keyOfLeaf, leaf.publicKey.export({ type: "spki", format: "der" }));
  });

  it("CancelPendingCertificate is asynchronous and the instance settles inactive again", async () => {
    assert.deepEqual(Object.keys(flow.cancelPending), ["RequestId"]);
    assert.equal(flow.readsUntilCancelled[0]!.Status, "pending", "the first read after the cancel");
    assert.equal(flow.cancelled.InstanceId, flow.second);
    assert.equal(flow.cancelled.Status, "inactive");
    assert.equal(flow.summaryAfter.InactiveCount, 2);
    const second = (
      (await emu.control("GET", "instances")) as Array<{ instanceId: string; status: string }>
    ).find((i) => i.instanceId === flow.second)!;
    assert.equal(second.status, "inactive");
  });
});

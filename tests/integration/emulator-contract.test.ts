// The emulator's answers against the official SDKs' models (npm @alicloud/cas20200407 and PyPI
// alibabacloud_cas20200407, see tests/support/sdk-contracts.ts): every answer of every action the
// client uses, in every order state, captured over the wire through a recording proxy, may carry
// only fields (nested ones too) that some SDK declares for that action, with a JSON type one of them
// gives. The client ignores unknown fields, so without this an invented field would pass unseen.
import assert from "node:assert/strict";
import { ACTIONS, type ActionName } from "../../provider/cas/actions";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { makeCsr } from "../support/keys";
import { recordingProxy } from "../support/recording-proxy";
import { NPM_ABSENT, npmContract, pythonContract, undeclared, type Fields } from "../support/sdk-contracts";

const actions = Object.keys(ACTIONS) as ActionName[];
const sdks = [npmContract(actions, NPM_ABSENT), pythonContract()];
const responseModels = (action: string): Fields[] =>
  sdks.flatMap((sdk) => (sdk.actions[action] ? [sdk.actions[action].response] : []));
const contact = { Username: "Keller", Phone: "13800001111", Email: "ops@example.com" };

describe("the emulator's answers declare only fields the official SDKs know", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let cas: CasClient;

  before(async () => {
    // Certificates valid 20 days are inside the 30-day expiring window at once: renewal is allowed.
    emu = await startEmulator({ lifecycle: { validation: "manual", certificateDays: 20 } });
    proxy = await recordingProxy(emu.endpoint);
    cas = new CasClient({
      endpoint: proxy.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
      rateLimits: false,
    });
  });
  after(async () => {
    await proxy?.close();
    await emu?.close();
  });

  /** Creates an order by domain, DNS validation. */
  const byDomain = async (domain: string) =>
    (await cas.call("CreateCertificateRequest", { Domain: domain, ...contact, ValidateType: "DNS" })).OrderId;
  const state = (orderId: string) => cas.call("DescribeCertificateState", { OrderId: orderId });
  const issue = async (orderId: string) => {
    await emu.control.approve(orderId);
    return String((await emu.control.issue(orderId)).certId);
  };

  /** Every action, every `DescribeCertificateState` type, both list families, the detail with and without PEMs. */
  async function exerciseEveryAnswer(): Promise<void> {
    await cas.call("DescribePackageState", {});
    await cas.call("DescribePackageState", { ProductCode: "geotrust-ov-1-personal" });
    const tags = [{ Key: "env", Value: "contract" }];
    // Pending validation by DNS, then under review, then issued with a CAS-made key.
    const dns = (
      await cas.call("CreateCertificateRequest", {
        Domain: "dns.example.com",
        ...contact,
        ValidateType: "DNS",
        Tags: tags,
      })
    ).OrderId;
    await state(dns);
    await emu.control.approve(dns);
    await state(dns);
    const dnsCert = String((await emu.control.issue(dns)).certId);
    await state(dns);
    // Pending validation by FILE with the caller's CSR, then issued without a key.
    const file = (
      await cas.call("CreateCertificateWithCsrRequest", {
        Csr: (await makeCsr("file.example.com")).pem,
        ...contact,
        ValidateType: "FILE",
        Tags: tags,
      })
    ).OrderId;
    await state(file);
    await issue(file);
    await state(file);
    // An OV order with a company (OrgName in the certificate answers), several names.
    const ov = (
      await cas.call("CreateCertificateForPackageRequest", {
        ProductCode: "geotrust-ov-1-personal",
        Domain: "ov.example.com,www.ov.example.com",
        CompanyName: "Example Ltd",
        ...contact,
        ValidateType: "DNS",
        Tags: tags,
      })
    ).OrderId;
    const ovCert = await issue(ov);
    await state(ov);
    // Review failed, then deleted; withdrawn (pending application), then deleted.
    const failed = await byDomain("failed.example.com");
    await emu.control.fail(failed, "the CA refused the application");
    await state(failed);
    await cas.call("DeleteCertificateRequest", { OrderId: failed });
    const withdrawn = await byDomain("withdrawn.example.com");
    await cas.call("CancelOrderRequest", { OrderId: withdrawn });
    await state(withdrawn);
    await cas.call("DeleteCertificateRequest", { OrderId: withdrawn });
    // Renewal of an expiring certificate (a paid plan's: free ones are not renewed), revocation of another.
    await cas.call("RenewCertificateOrderForPackageRequest", { OrderId: ov });
    await cas.call("CancelCertificateForPackageRequest", { OrderId: file });
    for (const OrderType of ["CPACK", "BUY", "CERT", "UPLOAD"] as const)
      await cas.call("ListUserCertificateOrder", { OrderType, CurrentPage: 1, ShowSize: 50 });
    await cas.call("ListUserCertificateOrder", { OrderType: "CPACK", Status: "REVOKED" });
    await cas.call("ListUserCertificateOrder", { OrderType: "CERT", Keyword: "ov.example.com" });
    for (const CertId of [dnsCert, ovCert]) {
      await cas.call("GetUserCertificateDetail", { CertId, CertFilter: true });
      await cas.call("GetUserCertificateDetail", { CertId, CertFilter: false });
    }
    await exerciseInstances();
  }

  /** The instance family: summary, pool, contacts, apply (DNS and HTTP), records, issued, PEM, cancel, revoke. */
  async function exerciseInstances(): Promise<void> {
    await cas.call("GetInstanceSummary", {});
    await cas.call("GetInstanceSummary", { InstanceType: "TEST" });
    const pool = await cas.call("ListInstances", { InstanceType: "TEST", Status: "inactive", ShowSize: 100 });
    const [testDns, testHttp, testCancel] = pool.InstanceList.map((i) => i.InstanceId!);
    const contactId = (
      await cas.call("CreateContact", { Name: "Keller", Mobile: "13800001111", Email: "ops@example.com" })
    ).ContactId;
    await cas.call("ListContact", { Keyword: "ops@example.com" });
    await cas.call("GetContact", { ContactId: contactId });
    const bought = emu.control.addInstance({ instanceType: "BUY", brand: "DigiCert", domainCount: 2 });
    const apply = async (InstanceId: string, Domain: string, ValidationMethod: "DNS" | "HTTP") => {
      await cas.call("UpdateInstance", {
        InstanceId,
        Domain,
        ValidationMethod,
        ContactIdList: [contactId],
        Tags: [{ TagKey: "pulumi-alicloud-cas", TagValue: "contract" }],
      });
      await cas.call("ApplyCertificate", { InstanceId });
      await cas.call("GetInstanceDetail", { InstanceId }); // before DomainValidationList
      await cas.call("GetInstanceDetail", { InstanceId }); // with it
      await cas.call("GetTaskAttribute", { TaskId: InstanceId });
    };
    await apply(testDns!, "inst.example.com", "DNS");
    await emu.control.issueInstance(testDns!);
    const issued = await cas.call("GetInstanceDetail", { InstanceId: testDns! });
    await cas.call("GetUserCertificateDetail", { CertId: issued.CertificateId!, CertFilter: false });
    await apply(testHttp!, "file.inst.example.com", "HTTP");
    await apply(testCancel!, "cancel.inst.example.com", "DNS");
    await cas.call("CancelPendingCertificate", { InstanceId: testCancel! });
    await cas.call("GetInstanceDetail", { InstanceId: testCancel! });
    await cas.call("GetInstanceDetail", { InstanceId: testCancel! });
    await apply(bought.instanceId, "a.example.com,www.a.example.com", "DNS");
    await emu.control.issueInstance(bought.instanceId);
    await cas.call("RevokeCertificate", { InstanceId: bought.instanceId });
    await cas.call("ListInstances", { CertificateStatus: "revoked" });
    await cas.call("ListInstances", {});
  }

  it("every answer of every action, in every order state, uses only fields some SDK declares for it", async () => {
    await exerciseEveryAnswer();
    const answers = proxy.answers.filter((a) => a.status === 200);
    // The run reached what it should, so the check below has something to check.
    assert.deepEqual([...new Set(answers.map((a) => a.action))].sort(), [...actions].sort());
    const bodies = answers.map((a) => ({
      action: a.action,
      body: JSON.parse(a.body) as Record<string, unknown>,
    }));
    const types = bodies.filter((b) => b.action === "DescribeCertificateState").map((b) => b.body.Type);
    assert.deepEqual([...new Set(types)].sort(), [
      "certificate",
      "domain_verify",
      "payed",
      "process",
      "verify_fail",
    ]);
    const described = bodies.filter((b) => b.action === "DescribeCertificateState").map((b) => b.body);
    for (const field of ["RecordDomain", "Uri", "Certificate", "PrivateKey", "CertId"])
      assert.ok(
        described.some((b) => field in b),
        `no DescribeCertificateState answer with ${field}`,
      );
    const listed = bodies
      .filter((b) => b.action === "ListUserCertificateOrder")
      .flatMap((b) => b.body.CertificateOrderList as Array<Record<string, unknown>>);
    assert.ok(
      listed.some((i) => "OrderId" in i) && listed.some((i) => "CertificateId" in i && "OrgName" in i),
    );
    const details = bodies.filter((b) => b.action === "GetInstanceDetail").map((b) => b.body);
    for (const field of ["DomainValidationList", "CertificateId", "CertIdentifier", "Tags", "ContactIdList"])
      assert.ok(
        details.some((b) => field in b),
        `no GetInstanceDetail answer with ${field}`,
      );
    assert.deepEqual([...new Set(details.map((b) => b.Status))].sort(), [
      "inactive",
      "pending",
      // Certificates of 20 days here are inside the 30-day window at once.
      "willExpire",
    ]);
    const problems = bodies.flatMap(({ action, body }) =>
      undeclared(body, responseModels(action)).map((p) => `${action}: ${p}`),
    );
    assert.deepEqual([...new Set(problems)], [], "emulator answers with fields neither SDK declares");
  });
});

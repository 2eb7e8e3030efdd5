import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { makeCsr } from "../support/keys";
import { officialClient } from "../support/official-sdk";

type Caller = { call(action: string, params: Record<string, unknown>): Promise<Record<string, unknown>> };
const contact = { Username: "Keller", Phone: "13811112222", Email: "ops@example.com" };

/** The whole order life cycle, with quota counts checked after every step. */
async function lifecycle(emu: RunningEmulator, api: Caller): Promise<void> {
  const product = "digicert-free-1-free";
  const plan = async () => {
    const r = await api.call("DescribePackageState", { ProductCode: product });
    return [Number(r.TotalCount), Number(r.UsedCount), Number(r.IssuedCount)];
  };
  assert.deepEqual(await plan(), [100, 0, 0]);

  // Own CSR → issued → revoked (within 30 days: quota back).
  const { pem } = await makeCsr("www.example.com", ["www.example.com"]);
  const a = String(
    (
      await api.call("CreateCertificateWithCsrRequest", {
        Csr: pem,
        ValidateType: "DNS",
        ProductCode: product,
        ...contact,
      })
    ).OrderId,
  );
  assert.match(a, /^\d+$/);
  assert.deepEqual(await plan(), [100, 1, 0]);
  const pending = await api.call("DescribeCertificateState", { OrderId: a });
  assert.equal(pending.Type, "domain_verify");
  assert.equal(pending.ValidateType, "DNS");
  assert.equal(pending.RecordDomain, "_dnsauth.www.example.com");
  assert.equal(pending.RecordType, "TXT");
  assert.match(String(pending.RecordValue), /^\d{8}[0-9a-z]{48}$/);
  await emu.control.approve(a);
  assert.equal((await api.call("DescribeCertificateState", { OrderId: a })).Type, "process");
  await emu.control.issue(a);
  const issued = await api.call("DescribeCertificateState", { OrderId: a });
  assert.equal(issued.Type, "certificate");
  assert.match(String(issued.Certificate), /^-----BEGIN CERTIFICATE-----/);
  assert.equal(issued.PrivateKey, undefined, "CAS cannot return a key it never had");
  assert.deepEqual(await plan(), [100, 1, 1]);

  const list = await api.call("ListUserCertificateOrder", { OrderType: "CPACK" });
  const row = (list.CertificateOrderList as Array<Record<string, unknown>>).find(
    (o) => String(o.OrderId) === a,
  );
  assert.equal(row?.Status, "ISSUED");
  const certs = await api.call("ListUserCertificateOrder", { OrderType: "CERT" });
  const certId = String((certs.CertificateOrderList as Array<Record<string, unknown>>)[0]!.CertificateId);
  const detail = await api.call("GetUserCertificateDetail", { CertId: certId });
  assert.equal(String(detail.OrderId), a);
  assert.match(String(detail.Cert), /BEGIN CERTIFICATE/);

  await api.call("CancelCertificateForPackageRequest", { OrderId: a });
  assert.deepEqual(await plan(), [100, 0, 0]);
  await assert.rejects(api.call("DescribeCertificateState", { OrderId: a }), /NotFoundOrder/);

  // By domain → cancelled → deleted (quota back); CAS makes the key.
  const b = String(
    (
      await api.call("CreateCertificateRequest", {
        Domain: "api.example.com",
        ValidateType: "FILE",
        ProductCode: product,
        ...contact,
      })
    ).OrderId,
  );
  const file = await api.call("DescribeCertificateState", { OrderId: b });
  assert.equal(file.ValidateType, "FILE");
  assert.equal(file.Domain, "api.example.com");
  assert.equal(file.Uri, "/.well-known/pki-validation/fileauth.txt");
  await assert.rejects(api.call("DeleteCertificateRequest", { OrderId: b }), /OrderStateError/);
  await api.call("CancelOrderRequest", { OrderId: b });
  assert.equal((await api.call("DescribeCertificateState", { OrderId: b })).Type, "payed");
  assert.deepEqual(await plan(), [100, 1, 0], "cancel does not return quota");
  await api.call("DeleteCertificateRequest", { OrderId: b });
  assert.deepEqual(await plan(), [100, 0, 0]);
  await assert.rejects(api.call("DescribeCertificateState", { OrderId: b }), /NotFoundOrder/);

  // By domain → failed → deleted; and a generated key once issued.
  const c = String(
    (
      await api.call("CreateCertificateRequest", {
        Domain: "c.example.com",
        ValidateType: "DNS",
        ProductCode: product,
        ...contact,
      })
    ).OrderId,
  );
  await emu.control.fail(c);
  assert.equal((await api.call("DescribeCertificateState", { OrderId: c })).Type, "verify_fail");
  await api.call("DeleteCertificateRequest", { OrderId: c });
  const d = String(
    (
      await api.call("CreateCertificateRequest", {
        Domain: "d.example.com",
        ValidateType: "DNS",
        ProductCode: product,
        ...contact,
      })
    ).OrderId,
  );
  await emu.control.issue(d);
  const dState = await api.call("DescribeCertificateState", { OrderId: d });
  assert.match(String(dState.PrivateKey), /BEGIN RSA PRIVATE KEY/);
  assert.deepEqual(await plan(), [100, 1, 1]);
  await assert.rejects(api.call("CancelOrderRequest", { OrderId: d }), /OrderStateError/);
}

describe("emulator: the order life cycle through real clients", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
  });
  afterEach(() => emu.close());

  const ours = (scheme: "acs3" | "rpc-v1"): Caller => {
    const client = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      signatureScheme: scheme,
      env: {},
    });
    return {
      call: (action, params) => client.call(action as never, params as never),
    };
  };

  it("our client, ACS3 signatures", () => lifecycle(emu, ours("acs3")));
  it("our client, RPC HMAC-SHA1 signatures", () => lifecycle(emu, ours("rpc-v1")));
  it("the official SDK, default (ACS3, parameters in the query)", () =>
    lifecycle(emu, officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret)));
  it("the official SDK, signatureAlgorithm v2", () =>
    lifecycle(emu, officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret, true)));

  it("answers SignatureDoesNotMatch to a wrong secret, for every client", async () => {
    for (const api of [
      officialClient(emu.endpoint, emu.accessKeyId, "wrong"),
      officialClient(emu.endpoint, emu.accessKeyId, "wrong", true),
    ]) {
      await assert.rejects(
        api.call("DescribePackageState", {}),
        (e: { code?: string }) => e.code === "SignatureDoesNotMatch",
      );
    }
    for (const scheme of ["acs3", "rpc-v1"] as const) {
      const client = new CasClient({
        endpoint: emu.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: "wrong",
        signatureScheme: scheme,
        env: {},
      });
      await assert.rejects(
        client.call("DescribePackageState", {}),
        (e: { code?: string; httpStatus?: number }) =>
          e.code === "SignatureDoesNotMatch" && e.httpStatus === 400,
      );
    }
  });

  it("answers InvalidAccessKeyId.NotFound (404) to an unknown key", async () => {
    const client = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: "LTAInobody",
      accessKeySecret: "x",
      env: {},
    });
    await assert.rejects(
      client.call("DescribePackageState", {}),
      (e: { code?: string; httpStatus?: number }) =>
        e.code === "InvalidAccessKeyId.NotFound" && e.httpStatus === 404,
    );
  });

  it("the request log names the order of a refused or reset call too, so an audit sees every attempt on an order", async () => {
    const api = ours("acs3");
    const id = String(
      (
        await api.call("CreateCertificateRequest", {
          Domain: "log.example.com",
          ValidateType: "DNS",
          ...contact,
        })
      ).OrderId,
    );
    emu.control.setFaults([
      { action: "CancelOrderRequest", kind: "error", rate: 1, limit: 1 },
      { action: "DeleteCertificateRequest", kind: "reset", rate: 1, limit: 1 },
    ]);
    const client = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
      retry: { maxAttempts: 1 },
    });
    await assert.rejects(client.call("CancelOrderRequest", { OrderId: id }));
    await assert.rejects(client.call("DeleteCertificateRequest", { OrderId: id }));
    const attempts = emu.control
      .requests()
      .filter((r) => r.action === "CancelOrderRequest" || r.action === "DeleteCertificateRequest")
      .map((r) => [r.action, r.outcome, r.orderId]);
    assert.deepEqual(attempts, [
      ["CancelOrderRequest", "ServiceUnavailable", id],
      ["DeleteCertificateRequest", "reset", id],
    ]);
  });

  it("keeps OrderIds above 2^53 exact through the whole path", async () => {
    await emu.close();
    emu = await startEmulator({ largeOrderIds: true, lifecycle: { validation: "manual" } });
    const client = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    const { OrderId } = await client.call("CreateCertificateRequest", {
      Domain: "big.example.com",
      ValidateType: "DNS",
      ...contact,
    });
    assert.equal(OrderId, "98987582437920968");
    const state = await client.call("DescribeCertificateState", { OrderId });
    assert.equal(state.Type, "domain_verify");
    const list = await client.call("ListUserCertificateOrder", {});
    assert.equal(list.CertificateOrderList[0]!.OrderId, "98987582437920968");
  });
});

import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { officialClient } from "../support/official-sdk";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { provider, configureProvider, resetProvider, emulatorConfig } from "../support/in-process-provider";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/**
 * The API reference documents `CreateCertificateRequestFailed` (403) and `DeleteFail` (403); the
 * emulator answers them as fault kinds (`createFailed`, `deleteFail`), and these tests show how the
 * provider reports them.
 */
describe("documented CAS errors the emulator injects, as the provider reports them", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  const logged: string[] = [];
  beforeEach(async () => {
    logged.length = 0;
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
    await configureProvider(
      emulatorConfig(emu, { "alicloud-cas:operationTimeoutSeconds": "20" }),
      (l) => void logged.push(l),
    );
  });
  afterEach(async () => {
    await resetProvider();
    await emu.close();
  });

  it("CreateCertificateRequestFailed: create fails naming the action, code and status; no order, no retry, no look-up", async () => {
    emu.control.setFaults([{ action: "*", kind: "createFailed", rate: 1 }]);
    const { inputs, failures } = await provider.check({}, { domain: "www.example.com", ...contact });
    assert.deepEqual(failures, []);
    await assert.rejects(provider.create(inputs), (e: Error & { code?: string }) => {
      assert.equal(e.code, "CreateCertificateRequestFailed");
      assert.match(
        e.message,
        /^\[CreateCertificateRequestFailed\] CreateCertificateRequest failed: CreateCertificateRequestFailed: Creating the certificate application failed\. \(HTTP 403, RequestId [0-9A-F-]+\)/,
      );
      return true;
    });
    assert.deepEqual(await emu.control.orders(), []);
    assert.equal(emu.control.plan("digicert-free-1-free").used, 0);
    // A definite answer from CAS: sent once, and no ListUserCertificateOrder for a lost answer.
    const calls = emu.control.requests().map((r) => [r.action, r.outcome]);
    assert.deepEqual(
      calls.filter(([a]) => a !== "DescribePackageState"),
      [["CreateCertificateRequest", "CreateCertificateRequestFailed"]],
    );
  });

  it("DeleteFail: destroy fails naming the code, the order stays (withdrawn, quota held), and the next destroy deletes it", async () => {
    const { inputs } = await provider.check({}, { domain: "www.example.com", ...contact, quotaCheck: "off" });
    const { id, outs } = await provider.create(inputs);
    emu.control.setFaults([{ action: "*", kind: "deleteFail", rate: 1, limit: 1 }]);
    await assert.rejects(provider.delete(id, outs), (e: Error & { code?: string }) => {
      assert.equal(e.code, "DeleteFail");
      assert.match(
        e.message,
        /^\[DeleteFail\] DeleteCertificateRequest failed: DeleteFail: Deleting the certificate order failed\. \(HTTP 403, RequestId [0-9A-F-]+\)/,
      );
      assert.match(
        e.message,
        new RegExp(`Order ${id} stays in the stack; .*holds its quota until it is deleted`),
      );
      assert.match(
        e.message,
        /Run `pulumi destroy` .* again to retry, or delete the order in the CAS console/,
      );
      return true;
    });
    const [order] = await emu.control.orders();
    assert.equal(order!.state, "payed", "CancelOrderRequest went through; the delete did not");
    assert.equal(emu.control.plan("digicert-free-1-free").used, 1);
    await provider.delete(id, outs);
    assert.deepEqual(await emu.control.orders(), []);
    assert.equal(emu.control.plan("digicert-free-1-free").used, 0);
    assert.ok(
      logged.some((l) => l.includes(`order ${id}: pending application`) && l.includes("deleted")),
      logged.join("\n"),
    );
  });

  it("each kind answers only the actions that document it; code and status can be overridden", async () => {
    const api = officialClient(emu.endpoint, emu.accessKeyId, emu.accessKeySecret);
    emu.control.setFaults([
      { action: "*", kind: "deleteFail", rate: 1 },
      { action: "*", kind: "createFailed", rate: 1, limit: 1, status: 500 },
    ]);
    // Neither applies to a read.
    assert.equal(Number((await api.call("DescribePackageState", {})).TotalCount), 100);
    await assert.rejects(
      api.call("CreateCertificateForPackageRequest", { Domain: "a.example.com", ValidateType: "DNS" }),
      (e: { code?: string; statusCode?: number }) =>
        e.code === "CreateCertificateRequestFailed" && e.statusCode === 500,
    );
    const { OrderId } = await api.call("CreateCertificateForPackageRequest", {
      Domain: "a.example.com",
      ValidateType: "DNS",
    });
    await api.call("CancelOrderRequest", { OrderId: String(OrderId) });
    await assert.rejects(
      api.call("DeleteCertificateRequest", { OrderId: String(OrderId) }),
      (e: { code?: string; statusCode?: number }) => e.code === "DeleteFail" && e.statusCode === 403,
    );
    // An error rule naming a documented code without a status gets the documented one.
    emu.control.setFaults([
      { action: "DescribeCertificateState", kind: "error", rate: 1, code: "DeleteFail" },
    ]);
    await assert.rejects(
      api.call("DescribeCertificateState", { OrderId: String(OrderId) }),
      (e: { code?: string; statusCode?: number }) => e.code === "DeleteFail" && e.statusCode === 403,
    );
  });
});

describe("documented CAS errors through the CLI and the control API", function () {
  this.timeout(60_000);
  let proc: EmulatorProcess | undefined;
  after(async () => proc?.stop());

  it("--fault ACTION:deleteFail:RATE and POST faults with kind createFailed", async () => {
    proc = await startEmulatorProcess([
      "--validation",
      "manual",
      "--fault",
      "DeleteCertificateRequest:deleteFail:1",
    ]);
    const api = officialClient(proc.endpoint, proc.accessKeyId, proc.accessKeySecret);
    const { OrderId } = await api.call("CreateCertificateForPackageRequest", {
      Domain: "b.example.com",
      ValidateType: "DNS",
    });
    await api.call("CancelOrderRequest", { OrderId: String(OrderId) });
    await assert.rejects(
      api.call("DeleteCertificateRequest", { OrderId: String(OrderId) }),
      (e: { code?: string }) => e.code === "DeleteFail",
    );
    await proc.control("POST", "faults", {
      rules: [{ action: "CreateCertificateForPackageRequest", kind: "createFailed", rate: 1 }],
    });
    await assert.rejects(
      api.call("CreateCertificateForPackageRequest", { Domain: "c.example.com", ValidateType: "DNS" }),
      (e: { code?: string }) => e.code === "CreateCertificateRequestFailed",
    );
  });
});

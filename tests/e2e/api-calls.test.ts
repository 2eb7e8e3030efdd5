import assert from "node:assert/strict";
import { apiCallsPerPhase } from "../../bench/api-calls";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";

// The calls 200 orders cost under the real engine, counted by the emulator: the certificate is
// looked up once (one CERT list page and one detail per order) and then kept in state.
describe("API calls of 200 orders under the real engine", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;

  before(async () => {
    emu = await startEmulatorProcess([
      "--validate-after",
      "100",
      "--issue-after",
      "100",
      "--plan-size",
      "300",
      "--seed",
      "14",
    ]);
  });
  after(async () => {
    await emu?.stop();
  });

  it("refreshing 200 issued orders a second time makes 200 state calls and no list call", async () => {
    const [preview, up, refresh, again] = await apiCallsPerPhase(emu, 200, false);
    assert.deepEqual(preview!.byAction, { DescribePackageState: 1 });
    assert.deepEqual(up!.byAction, {
      DescribePackageState: 1,
      CreateCertificateRequest: 200,
      DescribeCertificateState: 200,
    });
    // First read as issued: one state call, one CERT list page and one detail per order.
    assert.deepEqual(refresh!.byAction, {
      DescribeCertificateState: 200,
      ListUserCertificateOrder: 200,
      GetUserCertificateDetail: 200,
    });
    assert.deepEqual(again!.byAction, { DescribeCertificateState: 200 });
  });
});

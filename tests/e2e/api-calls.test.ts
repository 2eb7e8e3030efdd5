import assert from "node:assert/strict";
import { apiCallsPerPhase } from "../../bench/api-calls";
import { LOOKUP_TTL_MS } from "../../provider/order/quota";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";

// The calls 200 orders cost under the real engine, counted by the emulator: the certificate is
// looked up once (one detail per order by the CertId DescribeCertificateState answers; no
// ListUserCertificateOrder, the scarcest budget) and then kept in state.
describe("API calls of 200 orders under the real engine", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;

  before(async () => {
    // Orders wait until issued through the control API, so no read can see one issued early
    // however slow the machine is.
    emu = await startEmulatorProcess(["--validation", "manual", "--plan-size", "300", "--seed", "14"]);
  });
  after(async () => {
    await emu?.stop();
  });

  it("refreshing 200 issued orders makes no list call (CertId answered), and a second time only 200 state calls", async () => {
    const [preview, up, refresh, again] = await apiCallsPerPhase(emu, 200, false);
    assert.deepEqual(preview!.byAction, { DescribePackageState: 1 });
    // The plan is looked up once per LOOKUP_TTL_MS of the up (once, unless the machine is slow).
    const { DescribePackageState: quota, ...perOrder } = up!.byAction;
    assert.ok(
      quota! >= 1 && quota! <= Math.floor(up!.ms / LOOKUP_TTL_MS) + 1,
      `${quota} plan look-ups in ${up!.ms} ms`,
    );
    assert.deepEqual(perOrder, { CreateCertificateRequest: 200, DescribeCertificateState: 200 });
    // First read as issued: one state call and one detail (by the answer's CertId) per order.
    assert.deepEqual(refresh!.byAction, {
      DescribeCertificateState: 200,
      GetUserCertificateDetail: 200,
    });
    assert.deepEqual(again!.byAction, { DescribeCertificateState: 200 });
  });
});

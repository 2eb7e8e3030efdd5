import assert from "node:assert/strict";
import { waitForIssuance } from "../../provider/order/waiter";
import { fakeClock } from "../support/clock";
import { CasApiError } from "../../provider/cas/errors";

describe("waitForIssuance", () => {
  const states = (seq: string[]) => {
    let i = 0;
    return async () =>
      ({ RequestId: "R", Type: seq[Math.min(i++, seq.length - 1)]!, Certificate: "PEM" }) as never;
  };
  const opts = { timeoutMinutes: 1, pollIntervalSeconds: 2, maxPollIntervalSeconds: 5 };

  it("polls with growing intervals and logs one line per state change", async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const res = await waitForIssuance(
      states(["domain_verify", "domain_verify", "process", "process", "certificate"]),
      "9",
      opts,
      clock,
      (l) => lines.push(l),
    );
    assert.equal(res.Type, "certificate");
    assert.deepEqual(clock.sleeps, [2000, 3000, 4500, 5000]);
    assert.deepEqual(lines, [
      "order 9: waiting for domain validation (publish the DNS record or file)",
      "order 9: validated; the CA is reviewing (after 5s)",
      "order 9: issued (after 15s)",
    ]);
  });
  it("verify_fail: the CA's review failed; says how to replace the order", async () => {
    await assert.rejects(
      waitForIssuance(states(["domain_verify", "verify_fail"]), "9", opts, fakeClock(), () => undefined),
      (e: Error & { code?: string }) =>
        e.code === "ValidationFailed" &&
        /review failed \(verify_fail\)/.test(e.message) &&
        /application information/.test(e.message) &&
        /pulumi up --replace <urn>/.test(e.message),
    );
  });
  it("payed: pending application; says the console step, not that the order is dead", async () => {
    const lines: string[] = [];
    await assert.rejects(
      waitForIssuance(states(["payed"]), "9", opts, fakeClock(), (l) => lines.push(l)),
      (e: Error & { code?: string }) =>
        e.code === "PendingApplication" &&
        /pending application/.test(e.message) &&
        /CAS console/.test(e.message) &&
        !/never be issued|withdrawn \(payed\)/.test(e.message),
    );
    assert.deepEqual(lines, ["order 9: pending application (not submitted to the CA)"]);
  });
  it("stops at its own deadline with a message that says the next up resumes", async () => {
    const clock = fakeClock();
    await assert.rejects(
      waitForIssuance(states(["domain_verify"]), "9", opts, clock, () => undefined),
      (e: Error & { code?: string }) =>
        e.code === "WaitTimedOut" && /run pulumi up again to keep waiting on the same order/.test(e.message),
    );
    assert.equal(
      clock.sleeps.reduce((a, b) => a + b, 0),
      60_000,
    );
  });
  // That the next `up` places no new order is tested with the provider and the emulator
  // (tests/integration/validation-provider.test.ts); here: what a second wait itself does.
  it("a second wait after a timeout polls the same order and goes on from the state CAS reports", async () => {
    const next = states(["domain_verify", "domain_verify", "domain_verify", "process", "certificate"]);
    const polled: string[] = [];
    const describe = (id: string) => (polled.push(id), next());
    const short = { ...opts, timeoutMinutes: 0.05 }; // 3 s: polls at 0, 2 and 3 s
    const first: string[] = [];
    await assert.rejects(
      waitForIssuance(describe, "9", short, fakeClock(), (l) => first.push(l)),
      (e: Error & { code?: string }) =>
        e.code === "WaitTimedOut" && /order 9 is still pending_validation after/.test(e.message),
    );
    const second: string[] = [];
    assert.equal(
      (await waitForIssuance(describe, "9", short, fakeClock(), (l) => second.push(l))).Type,
      "certificate",
    );
    assert.deepEqual(polled, ["9", "9", "9", "9", "9"]);
    assert.deepEqual(first, ["order 9: waiting for domain validation (publish the DNS record or file)"]);
    assert.deepEqual(second, ["order 9: validated; the CA is reviewing", "order 9: issued (after 2s)"]);
  });
  it("names what to publish on the first line, on each return to validation and in the timeout error", async () => {
    const answers = ["domain_verify", "unknow", "domain_verify"].map((Type) => ({
      RequestId: "R",
      Type,
      ValidateType: "DNS",
      RecordDomain: "_dnsauth.www.example.com",
      RecordType: "TXT",
      RecordValue: "v-1",
    }));
    let i = 0;
    const describe = async () => answers[Math.min(i++, answers.length - 1)] as never;
    const lines: string[] = [];
    const toPublish = (s: { RecordDomain?: string | undefined; RecordValue?: string | undefined }) =>
      `TXT ${s.RecordDomain} = ${JSON.stringify(s.RecordValue)}`;
    await assert.rejects(
      waitForIssuance(describe, "9", opts, fakeClock(), (l) => lines.push(l), toPublish),
      (e: Error & { code?: string }) =>
        e.code === "WaitTimedOut" &&
        e.message.startsWith(
          'order 9 is still pending_validation after 1 minute(s); still to publish: TXT _dnsauth.www.example.com = "v-1". ',
        ),
    );
    assert.deepEqual(lines, [
      'order 9: waiting for domain validation; publish TXT _dnsauth.www.example.com = "v-1"',
      "order 9: state unknow (after 2s)",
      'order 9: waiting for domain validation; publish TXT _dnsauth.www.example.com = "v-1" (after 5s)',
    ]);
  });
  it("explains an order that disappeared", async () => {
    const gone = async () => {
      throw new CasApiError({
        code: "NotFoundOrder",
        message: "x",
        httpStatus: 404,
        requestId: null,
        hostId: null,
        recommend: null,
        action: "DescribeCertificateState",
        retryable: false,
      });
    };
    await assert.rejects(
      waitForIssuance(gone, "9", opts, fakeClock(), () => undefined),
      /does not exist in CAS any more/,
    );
  });
});

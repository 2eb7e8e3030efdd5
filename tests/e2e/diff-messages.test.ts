import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CertificateOrder } from "pulumi-alicloud-cas";
import { startEmulatorProcess, type EmulatorProcess } from "../support/emulator-process";
import { emulatorStack, engineStack, type EngineStack } from "../support/engine";

const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };
const code = "digicert-free-1-free";

// What a pull-request reviewer gets from `pulumi preview --diff`. In that mode the CLI writes the
// diff to stdout and every diagnostic (the provider's log lines, and the program's own
// pulumi.log lines alike) to stderr; a dynamic provider's diff result carries no text. So the
// quota warning and the replacement reasons are on stderr (the terminal, the CI job log), and a
// check failure (quotaCheck: fail) fails the preview.
describe("messages that reach `pulumi preview --diff`", function () {
  this.timeout(600_000);
  let emu: EmulatorProcess;
  const stacks: EngineStack[] = [];
  const program = { names: ["a.example.com"], quotaCheck: "warn" as "warn" | "fail" };
  const orders = () =>
    program.names.map(
      (domain, i) => new CertificateOrder(`o${i}`, { domain, ...contact, quotaCheck: program.quotaCheck }),
    );

  before(async () => {
    emu = await startEmulatorProcess(["--validation", "manual"]);
  });
  after(async () => {
    for (const s of stacks) await s.dispose();
    await emu?.stop();
  });

  it("shows the quota warning and why an order is replaced; quotaCheck: fail fails the preview", async () => {
    const s = await emulatorStack("cas-diff-messages", async () => void orders(), emu);
    stacks.push(s);
    await emu.control("POST", "plans", { productCode: code, total: 1 });
    await s.stack.up();
    assert.deepEqual(await emu.control("GET", `plans/${code}`), { total: 1, used: 1, issued: 0 });

    // o0 changes its name (a replacement), o1 is new: the plan has 0 orders left.
    program.names = ["a2.example.com", "b.example.com"];
    const diff = await s.stack.preview({ diff: true });
    assert.match(diff.stdout, /\+-pulumi-nodejs:dynamic\/alicloud-cas:CertificateOrder: \(replace\)/);
    assert.match(
      diff.stderr,
      /\[alicloud-cas\] order \d+: domain: "a\.example\.com" → "a2\.example\.com"; CAS cannot change this on an existing order/,
    );
    // Both count: o1 is new, and o0's replacement is a new order too (the engine checks it as a create).
    for (const n of [1, 2])
      assert.match(
        diff.stderr,
        new RegExp(
          `\\[alicloud-cas\\] warning: the ${code} plan has 0 order\\(s\\) left and this deployment plans ${n}; buy more in the CAS console or order fewer`,
        ),
      );

    program.quotaCheck = "fail";
    await assert.rejects(
      s.stack.preview({ diff: true }),
      // Which order fails first varies. The defaulted productCode is named in the reason (with its
      // default), not as the failing property, which the engine would render as `value {<nil>}`.
      (e: Error) =>
        /CertificateOrder resource 'o[01]' has a problem: productCode \(default digicert-free-1-free\): the digicert-free-1-free plan has 0 order\(s\) left and this deployment plans [12]; buy more in the CAS console or order fewer/.test(
          e.message,
        ) && !e.message.includes("{<nil>}"),
    );
    program.names = ["a.example.com"];
    program.quotaCheck = "warn";
    await s.stack.destroy();
  });

  it("without credentials, preview says the quota check was skipped and why; quotaCheck: fail fails", async () => {
    // No credentials anywhere: none in config or the environment, and a HOME without ~/.aliyun.
    const s = await engineStack("cas-no-credentials", async () => void orders(), {
      ALIBABA_CLOUD_ENDPOINT_CAS: emu.endpoint,
      HOME: mkdtempSync(join(tmpdir(), "cas-home-")),
    });
    stacks.push(s);
    program.names = ["a.example.com"];
    program.quotaCheck = "warn";
    const preview = await s.stack.preview({ diff: true });
    assert.match(
      preview.stderr,
      /\[alicloud-cas\] quota check for digicert-free-1-free skipped \(no credentials found: set alicloud:accessKey and alicloud:secretKey, or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET; pulumi up stops at the first call that needs them, and that error says every place looked at\)/,
    );
    program.quotaCheck = "fail";
    await assert.rejects(
      s.stack.preview({ diff: true }),
      /property quotaCheck value \{fail\} has a problem: quotaCheck is "fail" but the digicert-free-1-free plan could not be checked \(no credentials: No Alibaba Cloud credentials found/,
    );
  });
});

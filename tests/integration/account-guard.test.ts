import assert from "node:assert/strict";
import { CasClient } from "../../provider/cas/client";
import { createOutcome } from "../../provider/order/placer";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { json, scriptedServer } from "../support/scripted-server";

const create = {
  Domain: "guard.example.com",
  ValidateType: "DNS" as const,
  Username: "u",
  Phone: "13800001111",
  Email: "a@example.com",
};

describe("the account a call acts for, and STS before anything is sent", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ lifecycle: { validation: "manual" } });
  });
  after(async () => emu?.close());

  it("a create whose account look-up fails (STS answers 503) is refused saying nothing was sent: never 'may have been placed'", async () => {
    const sts = await scriptedServer([json(503, { Code: "ServiceUnavailable", Message: "down" })]);
    try {
      const c = new CasClient({
        endpoint: emu.endpoint,
        stsEndpoint: sts.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        env: {},
        accountPacing: true,
        retry: { maxAttempts: 1 },
      });
      emu.control.clearRequests();
      const e = await c.call("CreateCertificateRequest", create).catch((x: unknown) => x);
      assert.ok(e instanceof Error);
      assert.equal((e as { code?: string }).code, "CredentialSourceFailed");
      assert.match(e.message, /CreateCertificateRequest was not sent: asking STS which account/);
      assert.match(e.message, /nothing was sent to CAS/);
      assert.equal(createOutcome(e), "refused");
      assert.deepEqual(emu.control.requests(), [], "nothing reached CAS");
      assert.ok(sts.requests.length >= 1, "STS was asked");
    } finally {
      await sts.close();
    }
  });

  it("credentials of another account than the call acts for are refused before sending (AccountChanged)", async () => {
    const other = emu.control.addAccessKey({ accountId: "1111222233334444" });
    const mine = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      env: {},
    });
    const myAccount = (await mine.callerIdentity()).accountId;
    const switched = new CasClient({
      endpoint: emu.endpoint,
      accessKeyId: other.accessKeyId,
      accessKeySecret: other.accessKeySecret,
      env: {},
    });
    emu.control.clearRequests();
    await assert.rejects(
      switched.call("DescribeCertificateState", { OrderId: "12000001" }, { account: myAccount }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, "AccountChanged");
        assert.match(e.message, /DescribeCertificateState was not sent: the credentials now in use/);
        assert.ok(
          e.message.includes(
            `belong to account 1111222233334444, and this operation acts for account ${myAccount}`,
          ),
        );
        return true;
      },
    );
    assert.deepEqual(emu.control.requests(), [], "nothing reached CAS");
    // The same account passes.
    await assert.rejects(
      mine.call("DescribeCertificateState", { OrderId: "99999999" }, { account: myAccount }),
      (e: Error & { code?: string }) => e.code === "NotFoundOrder",
    );
  });

  it("a loopback http:// STS endpoint behind alicloud-cas:proxy on another host is refused at the first ask", async () => {
    const c = new CasClient({
      endpoint: "https://cas.aliyuncs.com",
      stsEndpoint: "http://127.0.0.1:9",
      proxy: "http://192.0.2.2:3128",
      accessKeyId: "ak",
      accessKeySecret: "sk",
      securityToken: "TOKEN-SECRET",
      env: {},
    });
    await assert.rejects(c.callerIdentity(), (e: Error & { code?: string }) => {
      assert.equal(e.code, "InsecureEndpoint");
      assert.match(
        e.message,
        /the STS endpoint http:\/\/127\.0\.0\.1:9 is plain http:\/\/ and requests to it go through the proxy at 192\.0\.2\.2/,
      );
      return true;
    });
  });
});
